"""The portal's URLs plus the ceiling view, which exists only under the benchmark settings."""

from django.http import JsonResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def ceiling(request):
    """The framework's ceiling: a bare JsonResponse, no auth, no database."""
    return JsonResponse({"ok": True, "items": list(range(20))})


urlpatterns = [path("bench/ceiling", ceiling, name="bench-ceiling"), *portal_urlpatterns]
