"""Client actions: answer a decision, RSVP, sign off the plan, download a meeting, read past digests.

Each POST answers an htmx request with the refreshed partial and a plain form post
with a redirect back (`next`), so every action works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagement.forms_client import DecisionResponseForm, PlanSignOffForm, RsvpForm
from engagement.models import Attendance, Digest
from engagement.permissions import decision_access, meeting_access, plan_access
from engagement.selectors.core import decision_page
from engagement.services import decisions as decision_services
from engagement.services.ics import meeting_calendar
from engagement.services.meetings import rsvp_set
from engagement.services.plan import plan_completeness, plan_sign_off
from portal.core.exceptions import ApplicationError
from projects.permissions import project_access


def _next_url(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _page_or(name: str, *args) -> str:
    """The workspace page for an object when that route exists, else the client's home."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return "/"


def _error_message(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Your role in this project does not allow this.")


def _status_for(error: Exception) -> int:
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, ApplicationError) and error.status_code == 409:
        return 409
    return 400


def _action_page(request, *, partial: str, title: str, context: dict, status: int):
    """Render the partial alone (htmx) or inside a small full page (plain post with errors)."""
    if request.htmx:
        return TemplateResponse(request, partial, context, status=status)
    return TemplateResponse(
        request, "projects/my_work_action.html", {**context, "partial": partial, "page_title": title}, status=status
    )


# --- decisions ---------------------------------------------------------------


def _decision_context(decision, access, form=None) -> dict:
    return {**decision_page(decision, access), "project": access.project, "access": access, "form": form}


@login_required
@require_http_methods(["GET", "POST"])
def decision_respond(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    decision, access = decision_access(user=request.user, decision_id=pk, project=access.project)
    title = decision.title
    if request.method == "GET":
        context = _decision_context(decision, access)
        return _action_page(
            request, partial="engagement/_decision_respond.html", title=title, context=context, status=200
        )
    form = DecisionResponseForm(request.POST, decision=decision)
    status = 400
    if form.is_valid():
        try:
            decision_services.decision_respond(
                actor=request.user,
                decision=decision,
                kind=form.cleaned_data["kind"],
                comment=form.cleaned_data["comment"],
                via="portal",
            )
        except (ApplicationError, ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_message(error))
            status = _status_for(error)
        else:
            if not request.htmx:
                messages.success(request, _("Thank you — your answer on “%(title)s” is recorded.") % {"title": title})
                return redirect(_next_url(request, _page_or("engagement:decision", slug, pk)))
            decision.refresh_from_db()
            form, status = None, 200
    context = _decision_context(decision, access, form=form)
    if request.htmx and request.POST.get("in_page"):
        # Answered on the decision page: its whole body is shown again as the answer left it.
        return TemplateResponse(request, "engagement/_decision_page.html", {**context, "in_page": True}, status=status)
    return _action_page(
        request, partial="engagement/_decision_respond.html", title=title, context=context, status=status
    )


# --- meetings ----------------------------------------------------------------


def _rsvp_context(meeting, access, user, error: str = "") -> dict:
    attendance = Attendance.objects.filter(meeting=meeting, user=user).first()
    return {"meeting": meeting, "project": access.project, "attendance": attendance, "rsvp_error": error}


@login_required
@require_POST
def meeting_rsvp(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    meeting, access = meeting_access(user=request.user, meeting_id=pk, project=access.project)
    form = RsvpForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = _("Answer yes, maybe or no."), 400
    else:
        try:
            rsvp_set(actor=request.user, meeting=meeting, answer=form.cleaned_data["answer"])
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            error, status = _error_message(exc), _status_for(exc)
    context = _rsvp_context(meeting, access, request.user, error)
    if not request.htmx:
        if error:
            return _action_page(
                request, partial="engagement/_rsvp.html", title=meeting.title, context=context, status=status
            )
        messages.success(request, _("Your answer for “%(title)s” is saved.") % {"title": meeting.title})
        return redirect(_next_url(request, _page_or("engagement:meeting", slug, pk)))
    return TemplateResponse(request, "engagement/_rsvp.html", context, status=status)


@login_required
@require_GET
def meeting_ics(request, slug: str, pk: int):
    access = project_access(user=request.user, slug=slug)
    meeting, access = meeting_access(user=request.user, meeting_id=pk, project=access.project)
    body = meeting_calendar(
        meeting,
        method="PUBLISH",
        organiser_name=access.project.manager.display_name,
        attendees=[],
        url=request.build_absolute_uri(_page_or("engagement:meeting", slug, pk)),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response


# --- plan ----------------------------------------------------------------------


@login_required
@require_POST
def plan_signoff(request, slug: str):
    plan, access = plan_access(user=request.user, slug=slug)
    if plan.pk is None:
        raise Http404
    form = PlanSignOffForm(request.POST)
    error, status = "", 200
    if not access.can_sign_off_plan:
        error, status = _("Only the client lead signs the plan off."), 403
    elif not form.is_valid():
        error, status = " ".join(m for errors in form.errors.values() for m in errors), 400
    else:
        try:
            plan = plan_sign_off(actor=request.user, plan=plan, version=form.cleaned_data["version"])
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            error, status = _error_message(exc), _status_for(exc)
    plan.refresh_from_db()
    context = {"plan": plan, "project": access.project, "access": access, "signoff_error": error}
    if not request.htmx:
        if error:
            return _action_page(
                request,
                partial="engagement/_plan_signoff.html",
                title=_("Communication plan"),
                context=context,
                status=status,
            )
        messages.success(
            request, _("You signed off version %(version)s of the plan.") % {"version": plan.signed_off_version}
        )
        return redirect(_next_url(request, _page_or("engagement:plan", slug)))
    # The sign-off box, and out of band the page's banner and checklist, read from the plan as it is now.
    context["checklist"] = plan_completeness(plan)
    return TemplateResponse(request, "engagement/_plan_signed.html", context, status=status)


# --- digests -------------------------------------------------------------------


@login_required
@require_GET
def digest_list(request):
    digests = Digest.objects.filter(recipient=request.user).only("pk", "kind", "iso_week", "subject", "created_at")
    return TemplateResponse(request, "engagement/digests/list.html", {"digests": digests})


@login_required
@require_GET
def digest_detail(request, pk: int):
    digest = Digest.objects.filter(recipient=request.user, pk=pk).select_related("message").first()
    if digest is None:
        raise Http404
    return TemplateResponse(request, "engagement/digests/detail.html", {"digest": digest})
