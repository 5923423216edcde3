"""The Meetings tab: series with the recurrence picker, upcoming and past, the consistency strip, the meeting page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagement.forms import (
    AgendaForm,
    MeetingCancelForm,
    MeetingForm,
    MeetingHoldForm,
    MeetingRescheduleForm,
    OutcomeForm,
    SeriesEndForm,
)
from engagement.forms_recurrence import SeriesForm
from engagement.models import Attendance, MeetingSeries
from engagement.permissions import meeting_access, series_access
from engagement.selectors.absences import away_on
from engagement.selectors.core import consistency_strip, meeting_list_for_project
from engagement.services.agenda import agenda_draft, decisions_awaiting_client
from engagement.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_hold,
    meeting_reschedule,
    meeting_update_agenda,
)
from engagement.services.recurrence import rrule_describe
from engagement.services.series import series_create, series_end, series_update
from portal.core.time import zone
from projects.permissions import project_access, require
from projects.views.common import invalid_status, render_tab, run_action, run_service

LIST_LIMIT = 10
OUTCOME_ROWS = 3
OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=OUTCOME_ROWS, max_num=10)


@login_required
def meetings(request, slug):
    access = project_access(user=request.user, slug=slug)
    series = list(MeetingSeries.objects.filter(project=access.project, ended_at__isnull=True).order_by("title"))
    language = get_language() or "en"
    for item in series:
        item.description = rrule_describe(item.rrule, language[:2])
    context = {
        "upcoming": meeting_list_for_project(access, upcoming=True)[:LIST_LIMIT],
        "past": meeting_list_for_project(access, upcoming=False)[:LIST_LIMIT],
        "strip": consistency_strip(access.project, weeks=12),
        "series_list": series,
        "end_form": SeriesEndForm(),
    }
    return render_tab(request, access, "meetings", "engagement/meetings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def series_new(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_manage_meetings)
    initial = {"time_zone": request.user.time_zone, "attendees": [], "first_date": dt.date.today() + dt.timedelta(days=7)}
    form = SeriesForm(request.POST or None, project=access.project, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = run_service(
            request,
            form,
            lambda: series_create(
                actor=request.user,
                project=access.project,
                title=data["title"],
                purpose=data["purpose"],
                rrule=data["rrule"],
                first_start_local=form.first_start_local(),
                time_zone=data["time_zone"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                attendees=list(data["attendees"]),
            ),
        )
        if created is not None:
            messages.success(request, _("Meeting series “%(title)s” scheduled; attendees get calendar invitations.") % {"title": created.title})
            return redirect("engagement:meetings", slug=slug)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "meetings", "engagement/series_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request, slug, pk):
    """Edit a series in two steps: the picker, then a confirmation of what moves and who is sent new invitations."""
    project = project_access(user=request.user, slug=slug).project
    series, access = series_access(user=request.user, series_id=pk, project=project)
    require(access.can_manage_meetings)
    if series.ended_at is not None:
        messages.error(request, _("This series has ended."))
        return redirect("engagement:meetings", slug=slug)
    form = SeriesForm(request.POST or None, project=project, series=series, initial=SeriesForm.initial_from(series))
    context = {"form": form, "series": series}
    if request.method == "POST" and form.is_valid():
        if "confirmed" in request.POST and "edit" not in request.POST:
            saved = run_service(request, form, lambda: series_update(actor=request.user, series=series, **form.series_fields()))
            if saved is not None:
                messages.success(request, _("Series “%(title)s” updated; attendees get updated invitations.") % {"title": saved.title})
                return redirect("engagement:meetings", slug=slug)
        elif "edit" not in request.POST:
            context["summary"] = form.change_summary(series)
            return render_tab(request, access, "meetings", "engagement/series_confirm.html", context)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "meetings", "engagement/series_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request, slug):
    access = project_access(user=request.user, slug=slug)
    require(access.can_manage_meetings)
    initial = {
        "time_zone": request.user.time_zone,
        "date": dt.date.today() + dt.timedelta(days=1),
        "time": dt.time(10, 0),
        "attendees": [request.user.pk],
    }
    form = MeetingForm(request.POST or None, project=access.project, initial=initial)
    if request.method == "POST" and form.is_valid():
        made = run_service(request, form, lambda: meeting_create(actor=request.user, project=access.project, **form.meeting_fields()))
        if made is not None:
            messages.success(request, _("Meeting “%(title)s” scheduled; attendees get a calendar invitation.") % {"title": made.title})
            return redirect("engagement:meeting", slug=slug, pk=made.pk)
    status = invalid_status(request) if form.errors else 200
    return render_tab(request, access, "meetings", "engagement/meeting_form.html", {"form": form}, status=status)


@login_required
@require_POST
def series_end_view(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    series, access = series_access(user=request.user, series_id=pk, project=project)
    require(access.can_manage_meetings)
    form = SeriesEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the series ends; attendees will see it."))
        return redirect("engagement:meetings", slug=slug)
    run_action(
        request,
        lambda: series_end(actor=request.user, series=series, reason=form.cleaned_data["reason"]),
        _("The series has ended; future meetings were cancelled and attendees told."),
    )
    return redirect("engagement:meetings", slug=slug)


def _meeting(request, slug, pk):
    project = project_access(user=request.user, slug=slug).project
    return meeting_access(user=request.user, meeting_id=pk, project=project)


def _attendance(meeting):
    """The attendees, each with `away`: their absence covering the meeting's day in their own zone (or None)."""
    attendance = list(Attendance.objects.filter(meeting=meeting).select_related("user").order_by("user__full_name", "user__email"))
    away = away_on(days={a.user_id: meeting.starts_at.astimezone(zone(a.user.time_zone)).date() for a in attendance})
    for a in attendance:
        a.away = away.get(a.user_id)
    return attendance


def _meeting_page(request, access, meeting, status=200, **forms_):
    attendance = _attendance(meeting)
    mine = next((a for a in attendance if a.user_id == request.user.pk), None)
    context = {
        "meeting": meeting,
        "attendance": attendance,
        "my_attendance": mine,
        "outcome_tasks": meeting.outcome_tasks.select_related("owner"),
        "outcome_decisions": meeting.decisions.all(),
        "can_manage": access.can_manage_meetings,
        "is_upcoming": meeting.starts_at > timezone.now(),
        "agenda_form": forms_.get("agenda_form") or AgendaForm(initial={"agenda": meeting.agenda, "version": meeting.version}),
        "cancel_form": forms_.get("cancel_form") or MeetingCancelForm(),
        "reschedule_form": forms_.get("reschedule_form") or MeetingRescheduleForm(),
        "hold_form": forms_.get("hold_form")
        or MeetingHoldForm(meeting=meeting, attendance=attendance, initial={"attended": [a.user_id for a in attendance if a.rsvp != "no"]}),
        "outcomes": forms_.get("outcomes") or OutcomeFormSet(prefix="outcome", form_kwargs={"project": access.project}),
    }
    return render_tab(request, access, "meetings", "engagement/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request, slug, pk):
    meeting, access = _meeting(request, slug, pk)
    return _meeting_page(request, access, meeting)


@login_required
@require_POST
def meeting_agenda(request, slug, pk):
    meeting, access = _meeting(request, slug, pk)
    require(access.can_manage_meetings)
    form = AgendaForm(request.POST)
    if form.is_valid():
        agenda, version = form.cleaned_data["agenda"], form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            lambda: meeting_update_agenda(actor=request.user, meeting=meeting, agenda=agenda, expected_version=version),
        )
        if saved is not None:
            messages.success(request, _("Agenda saved."))
            return redirect("engagement:meeting", slug=slug, pk=pk)
    return _meeting_page(request, access, meeting, status=invalid_status(request), agenda_form=form)


@login_required
@require_GET
def meeting_agenda_draft(request, slug, pk):
    """The drafted agenda as the textarea's new value (htmx), or the meeting page with the draft filled in."""
    meeting, access = _meeting(request, slug, pk)
    require(access.can_manage_meetings)
    draft = agenda_draft(meeting)
    form = AgendaForm(initial={"agenda": draft or meeting.agenda})
    if request.htmx:
        return render(request, "engagement/_agenda_field.html", {"form": form, "empty_draft": not draft})
    return _meeting_page(request, access, meeting, agenda_form=form)


@login_required
@require_POST
def meeting_cancel_view(request, slug, pk):
    meeting, access = _meeting(request, slug, pk)
    require(access.can_manage_meetings)
    form = MeetingCancelForm(request.POST)
    if form.is_valid():
        done = run_service(request, form, lambda: meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]))
        if done is not None:
            messages.success(request, _("Meeting cancelled; the attendees were told why."))
            return redirect("engagement:meeting", slug=slug, pk=pk)
    return _meeting_page(request, access, meeting, status=invalid_status(request), cancel_form=form)


@login_required
@require_POST
def meeting_reschedule_view(request, slug, pk):
    meeting, access = _meeting(request, slug, pk)
    require(access.can_manage_meetings)
    form = MeetingRescheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = run_service(
            request,
            form,
            lambda: meeting_reschedule(
                actor=request.user, meeting=meeting, starts_at=dt.datetime.combine(data["date"], data["time"]), reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("Meeting moved; the attendees got the new time."))
            return redirect("engagement:meeting", slug=slug, pk=pk)
    return _meeting_page(request, access, meeting, status=invalid_status(request), reschedule_form=form)


@login_required
@require_POST
def meeting_hold_view(request, slug, pk):
    meeting, access = _meeting(request, slug, pk)
    require(access.can_manage_meetings)
    attendance = _attendance(meeting)
    form = MeetingHoldForm(request.POST, meeting=meeting, attendance=attendance)
    outcomes = OutcomeFormSet(request.POST, prefix="outcome", form_kwargs={"project": access.project})
    if form.is_valid() and outcomes.is_valid():
        made = [o.outcome() for o in outcomes.forms if o.cleaned_data and o.outcome()]
        done = run_service(
            request,
            form,
            lambda: meeting_hold(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                attended_user_ids=form.cleaned_data["attended"],
                outcomes=made,
                share_minutes=form.cleaned_data["share_minutes"],
            ),
        )
        if done is not None:
            messages.success(request, _("Meeting closed; the recap goes to the attendees."))
            return redirect("engagement:meeting", slug=slug, pk=pk)
    return _meeting_page(request, access, meeting, status=invalid_status(request), hold_form=form, outcomes=outcomes)


@login_required
@require_GET
def overview_meeting(request, slug):
    """The Overview tab's next-meeting card (loaded by htmx): when, where, and its agenda or a draft of it."""
    access = project_access(user=request.user, slug=slug)
    meeting = meeting_list_for_project(access, upcoming=True).filter(status="scheduled").first()
    draft = agenda_draft(meeting) if meeting is not None and not meeting.agenda and access.can_manage_meetings else ""
    return render(
        request, "engagement/_next_meeting.html", {"meeting": meeting, "draft": draft, "project": access.project, "access": access}
    )


@login_required
@require_GET
def overview_decisions(request, slug):
    """The Overview tab's list of decisions the client still owes an answer on (loaded by htmx)."""
    access = project_access(user=request.user, slug=slug)
    awaiting = list(decisions_awaiting_client(access.project)[:8])
    if not awaiting:
        return HttpResponse("")
    return render(request, "engagement/_awaiting_decisions.html", {"awaiting": awaiting, "project": access.project})
