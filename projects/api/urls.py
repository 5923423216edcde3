from django.urls import path

from projects.api.views import projects, risks, tasks

P = "projects/<slug:slug>/"

urlpatterns = [
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path(P, projects.ProjectDetailView.as_view(), name="project-detail"),
    path(P + "archive/", projects.ProjectArchiveView.as_view(), name="project-archive"),
    path(P + "memberships/", projects.MembershipListView.as_view(), name="membership-list"),
    path(P + "memberships/<int:pk>/", projects.MembershipDetailView.as_view(), name="membership-detail"),
    path(P + "invitations/", projects.InvitationListView.as_view(), name="invitation-list"),
    path(P + "invitations/<int:pk>/resend/", projects.InvitationResendView.as_view(), name="invitation-resend"),
    path(P + "invitations/<int:pk>/revoke/", projects.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path(P + "tasks/", tasks.TaskListView.as_view(), name="task-list"),
    path(P + "tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task-detail"),
    path(P + "tasks/<int:pk>/assign/", tasks.TaskAssignView.as_view(), name="task-assign"),
    path(P + "tasks/<int:pk>/complete/", tasks.TaskCompleteView.as_view(), name="task-complete"),
    path(P + "tasks/<int:pk>/cancel/", tasks.TaskCancelView.as_view(), name="task-cancel"),
    path(P + "tasks/<int:pk>/reports/", tasks.ReportListView.as_view(), name="report-list"),
    path(P + "risks/", risks.RiskListView.as_view(), name="risk-list"),
    path(P + "risks/<int:pk>/", risks.RiskDetailView.as_view(), name="risk-detail"),
    path(P + "risks/<int:pk>/close/", risks.RiskCloseView.as_view(), name="risk-close"),
    path(P + "audit/", risks.AuditEventListView.as_view(), name="audit-list"),
]
