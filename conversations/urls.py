from django.urls import path

from conversations import views
from conversations.models import TARGET_FIELDS

app_name = "conversations"

P = "projects/<slug:slug>/"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox-read-all"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox-open"),
    path(P + "comments/<int:pk>/edit/", views.comment_edit_view, name="comment-edit"),
    path(P + "comments/<int:pk>/remove/", views.comment_remove_view, name="comment-remove"),
    path(P + "files/<int:pk>/", views.file_download, name="file-download"),
    path(P + "files/<int:pk>/preview/", views.file_preview, name="file-preview"),
    path(P + "files/<int:pk>/remove/", views.file_remove_view, name="file-remove"),
]
for kind, field in TARGET_FIELDS.items():
    urlpatterns += [
        path(f"{P}{kind}/<int:pk>/comments/", views.thread_view, {"kind": kind}, name=f"{field}-comments"),
        path(f"{P}{kind}/<int:pk>/comments/follow/", views.follow_view, {"kind": kind}, name=f"{field}-follow"),
        path(f"{P}{kind}/<int:pk>/files/", views.files_view, {"kind": kind}, name=f"{field}-files"),
    ]
