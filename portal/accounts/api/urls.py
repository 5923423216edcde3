from django.urls import path

from portal.accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="auth-token"),
    path("auth/tokens/", views.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>/", views.TokenDetailView.as_view(), name="auth-token-detail"),
]
