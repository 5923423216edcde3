from django.urls import path

from portal.core.api import fields  # noqa: F401  (registers the <id:...> converter)
from projects.api.views import my_tasks, projects, risks, search, tasks

P = "projects/<slug:slug>/"

urlpatterns = [
    path("projects/", projects.ProjectListView.as_view(), name="project-list"),
    path(P, projects.ProjectDetailView.as_view(), name="project-detail"),
    path(P + "archive/", projects.ProjectArchiveView.as_view(), name="project-archive"),
    path(P + "memberships/", projects.MembershipListView.as_view(), name="membership-list"),
    path(P + "memberships/<id:pk>/", projects.MembershipDetailView.as_view(), name="membership-detail"),
    path(P + "invitations/", projects.InvitationListView.as_view(), name="invitation-list"),
    path(P + "invitations/<id:pk>/resend/", projects.InvitationResendView.as_view(), name="invitation-resend"),
    path(P + "invitations/<id:pk>/revoke/", projects.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path("tasks/", tasks.MyTaskListView.as_view(), name="my-task-list"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("me/tasks/", my_tasks.MeTaskListView.as_view(), name="me-task-list"),
    path("me/task-filters/", my_tasks.SavedTaskFilterListView.as_view(), name="me-task-filter-list"),
    path("me/task-filters/<id:pk>/", my_tasks.SavedTaskFilterDetailView.as_view(), name="me-task-filter-detail"),
    path(P + "tasks/", tasks.TaskListView.as_view(), name="task-list"),
    path(P + "tasks/<id:pk>/", tasks.TaskDetailView.as_view(), name="task-detail"),
    path(P + "tasks/<id:pk>/assign/", tasks.TaskAssignView.as_view(), name="task-assign"),
    path(P + "tasks/<id:pk>/complete/", tasks.TaskCompleteView.as_view(), name="task-complete"),
    path(P + "tasks/<id:pk>/cancel/", tasks.TaskCancelView.as_view(), name="task-cancel"),
    path(P + "tasks/<id:pk>/reports/", tasks.ReportListView.as_view(), name="report-list"),
    path(P + "risks/", risks.RiskListView.as_view(), name="risk-list"),
    path(P + "risks/<id:pk>/", risks.RiskDetailView.as_view(), name="risk-detail"),
    path(P + "risks/<id:pk>/close/", risks.RiskCloseView.as_view(), name="risk-close"),
    path(P + "audit/", risks.AuditEventListView.as_view(), name="audit-list"),
]
