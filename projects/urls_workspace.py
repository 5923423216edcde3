"""The manager's and team's workspace: project pages and their actions."""

from django.urls import path

from projects.views import people, risks, search, tasks, workspace

urlpatterns = [
    path("search/", search.search_page, name="search"),
    path("projects/new/", workspace.project_new, name="create"),
    path("projects/<slug:slug>/", workspace.overview, name="overview"),
    path("projects/<slug:slug>/edit/", workspace.project_edit, name="edit"),
    path("projects/<slug:slug>/activity/", workspace.activity, name="activity"),
    path("projects/<slug:slug>/tasks/", tasks.task_list, name="tasks"),
    path("projects/<slug:slug>/tasks/new/", tasks.task_new, name="task-new"),
    path("projects/<slug:slug>/tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("projects/<slug:slug>/tasks/<int:pk>/edit/", tasks.task_edit, name="task-edit"),
    path("projects/<slug:slug>/tasks/<int:pk>/assign/", tasks.task_assign_view, name="task-assign"),
    path("projects/<slug:slug>/tasks/<int:pk>/complete/", tasks.task_close, {"action": "complete"}, name="task-complete"),
    path("projects/<slug:slug>/tasks/<int:pk>/cancel/", tasks.task_close, {"action": "cancel"}, name="task-cancel"),
    path("projects/<slug:slug>/risks/", risks.risk_list, name="risks"),
    path("projects/<slug:slug>/risks/<int:pk>/", risks.risk_edit, name="risk"),
    path("projects/<slug:slug>/risks/<int:pk>/close/", risks.risk_close_view, name="risk-close"),
    path("projects/<slug:slug>/people/", people.people, name="people"),
    path(
        "projects/<slug:slug>/people/invitations/<int:pk>/resend/",
        people.invitation_action,
        {"action": "resend"},
        name="invitation-resend",
    ),
    path(
        "projects/<slug:slug>/people/invitations/<int:pk>/revoke/",
        people.invitation_action,
        {"action": "revoke"},
        name="invitation-revoke",
    ),
    path("projects/<slug:slug>/people/<int:pk>/role/", people.membership_action, {"action": "role"}, name="member-role"),
    path("projects/<slug:slug>/people/<int:pk>/remove/", people.membership_action, {"action": "remove"}, name="member-remove"),
]
