"""The one way a stored file leaves the portal: streamed by the portal itself after the access check (pages and API
alike), never from a public or pre-signed address, on the local store and on S3 the same way."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from conversations.models import Attachment
from conversations.uploads import ALLOWED_TYPES

# A file shown in the page is an image and nothing else; the response may run nothing, embed nothing.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def file_response(attachment: Attachment, *, inline: bool = False) -> FileResponse:
    """Stream `attachment` (already obtained through `attachment_access`): as a download, or in the page when it is
    a previewable image. The Content-Type is the type read from the bytes at upload (an allow-listed one)."""
    inline = inline and attachment.is_image
    content_type = attachment.content_type if attachment.content_type in ALLOWED_TYPES else "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.name, content_type=content_type)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Only the reader's own browser may keep it (shared caches never: the answer depends on who asks).
    patch_cache_control(response, private=True, max_age=300 if inline else 0)
    return response
