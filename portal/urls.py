from django.contrib import admin
from django.urls import include, path

from portal.core.views import healthz
from projects.views.home import home

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", home, name="home"),
    # The busiest pages first: Django tries the includes in order, and every include mounted at "" that fails to
    # match costs a pass over its routes (bench: a tenth of a report POST went on resolving its URL). No route of
    # one include matches another's (tests/portal/test_urls.py), so the order changes nothing else.
    path("", include("projects.urls")),
    path("", include("engagement.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("portal.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("portal.api_urls")),
]
