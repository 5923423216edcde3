"""PDF downloads for a contract file: the decision log and the signed communication plan, in the reader's language
and time zone, reached through the same access functions as their pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_GET

from engagement.permissions import plan_history_access
from engagement.selectors.core import decision_list_for_project
from engagement.selectors.plan_history import signed_plan_version, version_document
from portal.core.pdf import pdf_response, render_pdf
from projects.permissions import project_access


@login_required
@require_GET
def decision_log_pdf(request, slug):
    """Every decision the reader may see (a client never sees internal ones), with who answered and when."""
    access = project_access(user=request.user, slug=slug)
    today = timezone.localdate()
    context = {"project": access.project, "access": access, "decisions": decision_list_for_project(access), "today": today}
    content = render_pdf("engagement/pdf/decision_log.html", context, request=request)
    return pdf_response(content, filename=f"{access.project.slug}-decision-log-{today.isoformat()}.pdf")


@login_required
@require_GET
def plan_signed_pdf(request, slug):
    """The plan as it was signed off (the last signed version, or `?version=N` when N was signed), with who signed it
    and when; for the team and the client leads, like the plan's versions page."""
    plan, access = plan_history_access(user=request.user, slug=slug)
    try:
        number = int(request.GET["version"]) if "version" in request.GET else None
    except ValueError:
        raise Http404 from None
    if number is not None and not 1 <= number < 2**31:  # no version outside the column's range exists
        raise Http404
    version = signed_plan_version(plan, number)
    if version is None:
        raise Http404
    context = {
        "project": access.project,
        "plan": plan,
        "version": version,
        "document": version_document(version),
        "today": timezone.localdate(),
    }
    content = render_pdf("engagement/pdf/signed_plan.html", context, request=request)
    signed_on = timezone.localdate(version.signed_off_at).isoformat()
    return pdf_response(content, filename=f"{access.project.slug}-plan-v{version.version}-signed-{signed_on}.pdf")
