from django.contrib import admin
from django.urls import include, path

from portal.accounts import urls as accounts_urls
from portal.core.views import healthz
from projects.views.home import home
from projects.views.invitations import invite_accept

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The `accounts` namespace: the account pages, and the invitation page that `projects` owns (it signs people up
    # into a project, so it sits above `portal.accounts` in the import graph).
    path(
        "",
        include(
            (
                [*accounts_urls.urlpatterns, path("invite/<str:token>/", invite_accept, name="invite-accept")],
                accounts_urls.app_name,
            )
        ),
    ),
    path("", include("projects.urls")),
    path("", include("engagement.urls")),
    path("api/", include("portal.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
