from projects import urls_client, urls_export, urls_my, urls_workspace

app_name = "projects"
urlpatterns = [*urls_workspace.urlpatterns, *urls_client.urlpatterns, *urls_export.urlpatterns, *urls_my.urlpatterns]
