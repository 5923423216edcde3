from django.urls import path

from conversations.api import views
from conversations.models import TARGET_FIELDS
from portal.core.api import fields  # noqa: F401  (registers the <id:...> converter)

P = "projects/<slug:slug>/"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read/", views.InboxReadView.as_view(), name="inbox-read"),
    path(P + "mentionable/", views.MentionableListView.as_view(), name="mentionable-list"),
    path(P + "comments/<id:pk>/", views.CommentDetailView.as_view(), name="comment-detail"),
    *[
        path(f"{P}{kind}/<id:pk>/comments/", views.CommentListView.as_view(), {"kind": kind}, name=f"{field}-comment-list")
        for kind, field in TARGET_FIELDS.items()
    ],
    *[
        route
        for kind, field in TARGET_FIELDS.items()
        for route in (
            path(f"{P}{kind}/<id:pk>/files/", views.AttachmentListView.as_view(), {"kind": kind}, name=f"{field}-file-list"),
            path(f"{P}{kind}/<id:pk>/files/<id:file_id>/", views.AttachmentDetailView.as_view(), {"kind": kind},
                 name=f"{field}-file-detail"),
            path(f"{P}{kind}/<id:pk>/files/<id:file_id>/download/", views.AttachmentDownloadView.as_view(), {"kind": kind},
                 name=f"{field}-file-download"),
        )
    ],
]
