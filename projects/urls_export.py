"""Exports for staff (CSV)."""

from django.urls import path

from projects.views import export

urlpatterns = [
    path("projects/<slug:slug>/tasks/export.csv", export.tasks_csv, name="tasks-csv"),
]
