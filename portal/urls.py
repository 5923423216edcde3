from django.contrib import admin
from django.urls import include, path

from portal.core.views import healthz
from projects.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("portal.accounts.urls")),
    path("", include("projects.urls")),
    path("", include("engagement.urls")),
    path("api/", include("portal.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
