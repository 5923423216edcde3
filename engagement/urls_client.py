"""Client-facing engagement routes; combined in the app's urls.py."""

from django.urls import path

from engagement.views import client

urlpatterns: list = [
    path("projects/<slug:slug>/decisions/<int:pk>/respond/", client.decision_respond, name="decision-respond"),
    path("projects/<slug:slug>/meetings/<int:pk>/rsvp/", client.meeting_rsvp, name="meeting-rsvp"),
    path("projects/<slug:slug>/meetings/<int:pk>/invite.ics", client.meeting_ics, name="meeting-ics"),
    path("projects/<slug:slug>/plan/sign-off/", client.plan_signoff, name="plan-signoff"),
    path("digests/", client.digest_list, name="digests"),
    path("digests/<int:pk>/", client.digest_detail, name="digest"),
]
