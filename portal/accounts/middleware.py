"""Activate the signed-in person's time zone and language for the request."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from portal.core.time import zone


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone(user.time_zone))
            # An explicit switch (cookie) wins over the stored preference only until it is saved.
            if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        return self.get_response(request)
