from engagement import urls_client, urls_email, urls_health, urls_workspace

app_name = "engagement"
urlpatterns = [
    *urls_workspace.urlpatterns,
    *urls_client.urlpatterns,
    *urls_email.urlpatterns,
    *urls_health.urlpatterns,
]
