"""Health pages: the project's Health tab and the Attention list (staff only)."""

from django.urls import path

from engagement.views import health

urlpatterns = [
    path("projects/<slug:slug>/health/", health.project_health, name="health"),
    path("attention/", health.attention, name="attention"),
]
