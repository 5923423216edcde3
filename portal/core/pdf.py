"""Documents as PDF: a template rendered for the reader (their language and zone), laid out by xhtml2pdf.

The fonts are the DejaVu files the project ships (`static/fonts/dejavu/`, with their licence): the PDF's
built-in fonts have no Cyrillic. A render reads those files and nothing else — no network, no other path —
so text a person typed can never make the server fetch anything.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

FONT_FILES = {"regular": "fonts/dejavu/DejaVuSans.ttf", "bold": "fonts/dejavu/DejaVuSans-Bold.ttf"}


class PdfRenderError(RuntimeError):
    """xhtml2pdf reported errors while laying the document out."""


@cache
def pdf_fonts() -> dict[str, str]:
    """The absolute paths of the shipped fonts, by weight (the templates' @font-face rules name them)."""
    found = {weight: finders.find(name) for weight, name in FONT_FILES.items()}
    missing = [FONT_FILES[weight] for weight, path in found.items() if not path]
    if missing:
        raise PdfRenderError(f"font files not found among the static files: {', '.join(missing)}")
    return found


def _policy() -> ResourceAccessPolicy:
    # Only the fonts' folder may be read; every limit of xhtml2pdf's server policy applies.
    return ResourceAccessPolicy.server(base_dir=Path(pdf_fonts()["regular"]).parent, allow_remote=False)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The template rendered to HTML with `context` (plus `pdf_fonts`), then to PDF bytes."""
    html = render_to_string(template_name, {**context, "pdf_fonts": pdf_fonts()}, request=request)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=_policy())
    if result.err:
        raise PdfRenderError(f"{template_name}: {result.err} error(s) while writing the PDF")
    return out.getvalue()


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A download of `content` named `filename`; private to the person who asked for it."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
