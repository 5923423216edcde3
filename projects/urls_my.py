"""The signed-in team member's own pages across projects: "my tasks" and its saved filters."""

from django.urls import path

from projects.views import my_tasks

urlpatterns = [
    path("my/tasks/", my_tasks.my_task_list, name="my-tasks"),
    path("my/tasks/export.csv", my_tasks.my_tasks_csv, name="my-tasks-csv"),
    path("my/tasks/filters/", my_tasks.saved_filter_new, name="my-task-filter-new"),
    path("my/tasks/filters/<int:pk>/", my_tasks.saved_filter_edit, name="my-task-filter"),
    path("my/tasks/filters/<int:pk>/delete/", my_tasks.saved_filter_remove, name="my-task-filter-delete"),
]
