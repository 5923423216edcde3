"""Client-facing project routes; combined in the app's urls.py."""

from django.urls import path

from projects.views import report

urlpatterns: list = [
    path("projects/<slug:slug>/tasks/<int:pk>/report/", report.task_report, name="task-report"),
]
