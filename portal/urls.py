from django.contrib import admin
from django.urls import include, path

from portal.core.views import healthz
from projects.views.home import home

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", home, name="home"),
    # Django tries these in order. An include under a prefix that does not match is skipped at once, but one
    # mounted at "" that fails costs a pass over all its routes (bench: a tenth of a report POST went on resolving
    # its URL). So: prefixed includes first, then the "" includes busiest first. No route of one include matches
    # another's (tests/portal/test_urls.py), so the order changes nothing else.
    path("api/", include("portal.api_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("projects.urls")),
    path("", include("engagement.urls")),
    path("", include("portal.accounts.urls")),
]
