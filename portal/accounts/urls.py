from django.urls import path

from portal.accounts import views

app_name = "accounts"
urlpatterns: list = [
    path("accounts/calendar/", views.calendar, name="calendar"),
    path("accounts/tokens/<str:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
