from engagement import urls_client, urls_email, urls_export, urls_health, urls_workspace

app_name = "engagement"
urlpatterns = [
    *urls_workspace.urlpatterns,
    *urls_client.urlpatterns,
    *urls_email.urlpatterns,
    *urls_health.urlpatterns,
    *urls_export.urlpatterns,
]
