"""One-click e-mail links, RFC 8058 unsubscribe and the personal calendar feed; combined in the app's urls.py."""

from django.urls import path

from engagement.views.calendar import calendar_feed
from engagement.views.email_links import ActionLinkView, UnsubscribeView

urlpatterns: list = [
    path("e/a/<str:token>/", ActionLinkView.as_view(), name="action-link"),
    path("e/u/<str:token>/", UnsubscribeView.as_view(), name="unsubscribe"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
