from django.urls import path

from portal.accounts import views

app_name = "accounts"
urlpatterns: list = [
    path("accounts/preferences/", views.preferences, name="preferences"),
    path("accounts/language/", views.language_switch, name="language"),
    path("accounts/calendar/", views.calendar, name="calendar"),
]
