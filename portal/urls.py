from django.contrib import admin
from django.urls import include, path

from engagement.views.home import home
from engagement.views.preferences import language_switch, preferences
from portal.accounts import urls as accounts_urls
from portal.core.views import healthz
from projects.views.invitations import invite_accept

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The `accounts` namespace: the account pages of `portal.accounts`, the preferences page and language switch that
    # `engagement` owns (they need what the person owes) and the invitation page that `projects` owns (it signs people
    # up into a project); both sit above `portal.accounts` in the import graph.
    path(
        "",
        include(
            (
                [
                    path("accounts/preferences/", preferences, name="preferences"),
                    path("accounts/language/", language_switch, name="language"),
                    *accounts_urls.urlpatterns,
                    path("invite/<str:token>/", invite_accept, name="invite-accept"),
                ],
                accounts_urls.app_name,
            )
        ),
    ),
    path("", include("projects.urls")),
    path("", include("engagement.urls")),
    path("", include("conversations.urls")),
    path("api/", include("portal.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
