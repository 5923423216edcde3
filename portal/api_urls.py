"""The REST API: /api/v1/, its OpenAPI schema at /api/schema/ and Swagger UI at /api/docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from conversations.api import urls as conversations_urls
from engagement.api import urls as engagement_urls
from engagement.api.views.me import MeView
from portal.accounts.api import urls as accounts_urls
from portal.core.api.common import ApiNotFoundView
from projects.api import urls as projects_urls

app_name = "api"

# `me/` is filed after the account endpoints: it belongs to `engagement` (the preferences rule needs what the person
# owes), the rest of them to `portal.accounts`.
v1 = [
    *accounts_urls.urlpatterns,
    path("me/", MeView.as_view(), name="me"),
    *projects_urls.urlpatterns,
    *engagement_urls.urlpatterns,
    *conversations_urls.urlpatterns,
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"^v1/", ApiNotFoundView.as_view(), name="not-found"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
