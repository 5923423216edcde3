from django.urls import path

from engagement.api.views import absences, decisions, meetings, milestones, plan, reads
from portal.core.api import fields  # noqa: F401  (registers the <id:...> converter)

P = "projects/<slug:slug>/"

urlpatterns = [
    path(P + "plan/", plan.PlanView.as_view(), name="plan"),
    path(P + "plan/request-sign-off/", plan.PlanRequestSignOffView.as_view(), name="plan-request-sign-off"),
    path(P + "plan/sign-off/", plan.PlanSignOffView.as_view(), name="plan-sign-off"),
    path(P + "plan/versions/", plan.PlanVersionListView.as_view(), name="plan-version-list"),
    path(P + "plan/versions/compare/", plan.PlanVersionCompareView.as_view(), name="plan-version-compare"),
    path(P + "plan/stakeholders/", plan.StakeholderListView.as_view(), name="stakeholder-list"),
    path(P + "plan/stakeholders/<id:pk>/", plan.StakeholderDetailView.as_view(), name="stakeholder-detail"),
    path(P + "meeting-series/", meetings.SeriesListView.as_view(), name="series-list"),
    path(P + "meeting-series/<id:pk>/", meetings.SeriesDetailView.as_view(), name="series-detail"),
    path(P + "meeting-series/<id:pk>/end/", meetings.SeriesEndView.as_view(), name="series-end"),
    path(P + "meetings/", meetings.MeetingListView.as_view(), name="meeting-list"),
    path(P + "meetings/<id:pk>/", meetings.MeetingDetailView.as_view(), name="meeting-detail"),
    path(P + "meetings/<id:pk>/rsvp/", meetings.MeetingRsvpView.as_view(), name="meeting-rsvp"),
    path(P + "meetings/<id:pk>/hold/", meetings.MeetingHoldView.as_view(), name="meeting-hold"),
    path(P + "meetings/<id:pk>/cancel/", meetings.MeetingCancelView.as_view(), name="meeting-cancel"),
    path(P + "meetings/<id:pk>/reschedule/", meetings.MeetingRescheduleView.as_view(), name="meeting-reschedule"),
    path(P + "meetings/<id:pk>/attendance/", meetings.AttendanceListView.as_view(), name="meeting-attendance"),
    path(P + "decisions/", decisions.DecisionListView.as_view(), name="decision-list"),
    path(P + "decisions/propose/", decisions.DecisionProposeView.as_view(), name="decision-propose"),
    path(P + "decisions/<id:pk>/", decisions.DecisionDetailView.as_view(), name="decision-detail"),
    path(P + "decisions/<id:pk>/approve/", decisions.DecisionApproveView.as_view(), name="decision-approve"),
    path(P + "decisions/<id:pk>/reject/", decisions.DecisionRejectView.as_view(), name="decision-reject"),
    path(P + "decisions/<id:pk>/supersede/", decisions.DecisionSupersedeView.as_view(), name="decision-supersede"),
    path(P + "decisions/<id:pk>/responses/", decisions.DecisionResponseListView.as_view(), name="decision-responses"),
    path(P + "milestones/", milestones.MilestoneListView.as_view(), name="milestone-list"),
    path(P + "milestones/<id:pk>/", milestones.MilestoneDetailView.as_view(), name="milestone-detail"),
    path(P + "absences/", absences.TeamAbsenceListView.as_view(), name="project-absence-list"),
    path(P + "absences/<id:pk>/", absences.TeamAbsenceDetailView.as_view(), name="project-absence-detail"),
    path(P + "quiet-periods/", absences.QuietPeriodListView.as_view(), name="quiet-period-list"),
    path(P + "quiet-periods/<id:pk>/", absences.QuietPeriodDetailView.as_view(), name="quiet-period-detail"),
    path("me/absences/", absences.MyAbsenceListView.as_view(), name="me-absence-list"),
    path("me/absences/<id:pk>/", absences.MyAbsenceDetailView.as_view(), name="me-absence-detail"),
    path(P + "health/", reads.HealthListView.as_view(), name="health-list"),
    path("digests/", reads.DigestListView.as_view(), name="digest-list"),
    path("digests/<id:pk>/", reads.DigestDetailView.as_view(), name="digest-detail"),
]
