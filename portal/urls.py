from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from engagement.views import absences
from engagement.views.home import home
from engagement.views.preferences import language_switch, preferences
from portal.accounts import urls as accounts_urls
from portal.accounts.forms import ChangePasswordForm, NewPasswordForm
from portal.outbox.health import healthz
from portal.outbox.views import PasswordResetRequestView
from projects.views.invitations import invite_accept

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Django's auth pages; a new password revokes the API tokens, and the reset mail goes through the outbox.
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm), name="password_change"),
    path("accounts/password_reset/", PasswordResetRequestView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
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
                    path("accounts/preferences/absences/", absences.absence_add, name="absence-add"),
                    path("accounts/preferences/absences/<int:pk>/remove/", absences.absence_remove, name="absence-remove"),
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

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # Mail providers' webhooks (django-anymail), authenticated by the secret: inbound replies by e-mail at
    # /anymail/<provider>/inbound/ (docs/conversations.md).
    urlpatterns.append(path("anymail/", include("anymail.urls")))
