"""URL patterns; combined in the app's urls.py."""

urlpatterns: list = []
