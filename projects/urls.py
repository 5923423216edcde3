from projects import urls_client, urls_workspace

app_name = "projects"
urlpatterns = [*urls_workspace.urlpatterns, *urls_client.urlpatterns]
