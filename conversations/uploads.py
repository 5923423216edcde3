"""What an uploaded file really is: its type read from its bytes (puremagic), never from its name.

A file is accepted when its bytes are one of the allowed types below and its name's extension is one that type is
written with; a program (Windows, Linux or macOS executable, or a script with a `#!` line) is refused whatever its
name, and a file whose bytes disagree with its extension (a `.pdf` that is really something else) is refused too.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEAD_BYTES = 8192

# Allowed types: the content type read from the bytes -> the extensions a file of that type may carry.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "text/plain": (".txt", ".text", ".md", ".csv", ".log"),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
}
# Shown in the page instead of a download link (served inline by the access-checked view).
PREVIEWABLE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# Programs, refused whatever the name says: Windows (MZ), Linux (ELF), macOS (Mach-O, fat binaries), scripts.
PROGRAM_SIGNATURES = (
    b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe", b"#!",
)
# Old Office files share one container (OLE2); the extension says which program wrote it.
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Zip containers: Office Open XML names its main part's folder; OpenDocument stores its type in `mimetype`.
OOXML_FOLDERS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head or b""


def _zip_type(upload) -> str | None:
    """The Office or OpenDocument type of a zip container, read from its members; None for any other zip."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in ALLOWED_TYPES else None
            if "[Content_Types].xml" in names:
                for folder, content_type in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


# Bytes that no text file carries (everything below a space but tab, line feed, form feed and carriage return).
CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


def _is_text(head: bytes) -> bool:
    """Plain text in any 8-bit or UTF-8 encoding (a CSV saved as Windows-1251 too): no control bytes."""
    return not CONTROL_BYTES.intersection(head)


def detect(upload) -> str | None:
    """The content type of `upload` read from its bytes, or None when it is none of the allowed types.

    Raises ValidationError for a program, whatever its name."""
    head = _read_head(upload)
    if head.startswith(PROGRAM_SIGNATURES):
        raise ValidationError(
            _("“%(name)s” is a program or a script; those cannot be attached."), code="program", params={"name": upload.name}
        )
    if head.startswith(OLE_SIGNATURE):
        return OLE_TYPES.get(_extension(upload.name))
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    try:
        candidates = [match.mime_type for match in puremagic.magic_string(head)]
    except puremagic.PureError:
        candidates = []
    if not candidates:
        return "text/plain" if head and _is_text(head) else None
    if any(content_type.endswith("portable-executable") for content_type in candidates):
        raise ValidationError(
            _("“%(name)s” is a program or a script; those cannot be attached."), code="program", params={"name": upload.name}
        )
    extension = _extension(upload.name)
    allowed = [c for c in candidates if c in ALLOWED_TYPES]
    # Several types may share a signature (JPEG's variants): prefer the one the name's extension belongs to.
    for content_type in allowed:
        if extension in ALLOWED_TYPES[content_type]:
            return content_type
    return allowed[0] if allowed else None


def upload_check(upload) -> Checked:
    """Check one upload: its size against ATTACHMENT_MAX_BYTES, its type from its bytes against the allow-list, and
    that its name's extension matches its bytes. Raises ValidationError with a message naming the file."""
    name = upload.name or ""
    size = upload.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files can be at most %(limit)s."), code="too_big",
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    content_type = detect(upload)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a kind of file that can be attached: PDF, images, text and office documents can."),
            code="type", params={"name": name},
        )
    if not _extension(name):
        raise ValidationError(
            _("“%(name)s” has no extension such as .pdf: rename it and try again."), code="mismatch", params={"name": name}
        )
    if _extension(name) not in ALLOWED_TYPES[content_type]:
        raise ValidationError(
            _("The contents of “%(name)s” do not match its name: it is not a %(extension)s file."), code="mismatch",
            params={"name": name, "extension": _extension(name)},
        )
    return Checked(content_type=content_type, size=size)


def allowed_extensions() -> list[str]:
    return sorted({ext for exts in ALLOWED_TYPES.values() for ext in exts})
