"""The manager's and team's workspace: plan, meetings and decisions pages and their actions."""

from django.urls import path

from engagement.views import absences, timeline
from engagement.views import workspace_decisions as decisions
from engagement.views import workspace_meetings as meetings
from engagement.views import workspace_plan as plan

P = "projects/<slug:slug>/"

urlpatterns = [
    path(P + "absences/", absences.team_absences_page, name="absences"),
    path(P + "absences/<int:pk>/remove/", absences.team_absence_remove, name="absence-remove"),
    path(P + "quiet-periods/", absences.quiet_period_add, name="quiet-period-add"),
    path(P + "quiet-periods/<int:pk>/remove/", absences.quiet_period_remove, name="quiet-period-remove"),
    path(P + "plan/", plan.plan, name="plan"),
    path(P + "plan/edit/", plan.plan_edit, name="plan-edit"),
    path(P + "plan/print/", plan.plan_print, name="plan-print"),
    path(P + "plan/versions/", plan.plan_versions_page, name="plan-versions"),
    path(P + "plan/request-sign-off/", plan.plan_request_signoff, name="plan-request-signoff"),
    path(P + "plan/unreachable/<int:pk>/clear/", plan.unreachable_clear_view, name="plan-unreachable-clear"),
    path(P + "plan/stakeholders/new/", plan.stakeholder_new, name="stakeholder-new"),
    path(P + "plan/stakeholders/<int:pk>/", plan.stakeholder_edit, name="stakeholder-edit"),
    path(P + "plan/stakeholders/<int:pk>/remove/", plan.stakeholder_delete, name="stakeholder-remove"),
    path(P + "meetings/", meetings.meetings, name="meetings"),
    path(P + "meetings/series/new/", meetings.series_new, name="series-new"),
    path(P + "meetings/new/", meetings.meeting_new, name="meeting-new"),
    path(P + "meetings/series/<int:pk>/edit/", meetings.series_edit, name="series-edit"),
    path(P + "meetings/series/<int:pk>/end/", meetings.series_end_view, name="series-end"),
    path(P + "meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path(P + "meetings/<int:pk>/agenda/", meetings.meeting_agenda, name="meeting-agenda"),
    path(P + "meetings/<int:pk>/agenda/draft/", meetings.meeting_agenda_draft, name="meeting-agenda-draft"),
    path(P + "meetings/<int:pk>/cancel/", meetings.meeting_cancel_view, name="meeting-cancel"),
    path(P + "meetings/<int:pk>/reschedule/", meetings.meeting_reschedule_view, name="meeting-reschedule"),
    path(P + "meetings/<int:pk>/close/", meetings.meeting_hold_view, name="meeting-hold"),
    path(P + "overview/next-meeting/", meetings.overview_meeting, name="overview-meeting"),
    path(P + "overview/decisions-awaiting/", meetings.overview_decisions, name="overview-decisions"),
    path(P + "timeline/", timeline.timeline_page, name="timeline"),
    path(P + "timeline/milestones/new/", timeline.milestone_new, name="milestone-new"),
    path(P + "timeline/milestones/<int:pk>/", timeline.milestone_edit, name="milestone-edit"),
    path(P + "timeline/milestones/<int:pk>/remove/", timeline.milestone_remove, name="milestone-remove"),
    path(P + "decisions/", decisions.decisions, name="decisions"),
    path(P + "decisions/new/", decisions.decision_new, name="decision-new"),
    path(P + "decisions/<int:pk>/", decisions.decision_detail, name="decision"),
    path(P + "decisions/<int:pk>/approve/", decisions.decision_status, {"action": "approve"}, name="decision-approve"),
    path(P + "decisions/<int:pk>/reject/", decisions.decision_status, {"action": "reject"}, name="decision-reject"),
    path(P + "decisions/<int:pk>/supersede/", decisions.decision_supersede_view, name="decision-supersede"),
]
