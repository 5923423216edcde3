"""The REST API: /api/v1/."""

app_name = "api"
urlpatterns: list = []
