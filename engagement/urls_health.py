"""Health pages: the project's Health tab and the Attention list (staff only)."""

from django.urls import path

from engagement.views import health

P = "projects/<slug:slug>/health/"

urlpatterns = [
    path(P, health.project_health, name="health"),
    path(P + "override/", health.override_set, name="health-override"),
    path(P + "override/clear/", health.override_clear, name="health-override-clear"),
    path(P + "warnings/<int:pk>/acknowledge/", health.warning_acknowledge, name="health-warning-ack"),
    path("attention/", health.attention, name="attention"),
]
