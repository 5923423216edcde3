"""Turning an outbox row into a MIME message, and the pieces every e-mail kind shares.

The MIME shape for calendar mail (emails.md §4.1): multipart/mixed [ multipart/alternative
[text/plain, text/html, text/calendar; method=X (base64)], application/ics attachment ].
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from email import encoders
from email.charset import BASE64, Charset
from email.mime.base import MIMEBase
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from portal.core.time import zone

SUBJECT_MAX = 150
TEXT_ENGINE = "text"  # settings.TEMPLATES: the Django engine without autoescaping


def msgid(dedupe_key: str) -> str:
    """Deterministic per dedupe key (retries collapse) but unguessable without SECRET_KEY."""
    digest = salted_hmac("rapport.email.msgid", dedupe_key, algorithm="sha256").hexdigest()[:32]
    return f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def thread_root(kind: str, obj_key: str, person_id: int) -> str:
    digest = salted_hmac("rapport.email.thread", f"{kind}:{obj_key}:{person_id}", algorithm="sha256").hexdigest()[:32]
    return f"<t.{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Collapse whitespace (CR/LF in user titles would make Django raise BadHeaderError) and cut."""
    collapsed = " ".join(str(text).split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1].rstrip() + "…"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@functools.cache
def _inliner():
    """One css-inline inliner for the process, configured once (it holds no per-message state)."""
    try:
        import css_inline
    except ImportError:  # the stylesheet stays in <style>; every client we target reads it
        return None
    return css_inline.CSSInliner(load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    inliner = _inliner()
    return html if inliner is None else inliner.inline(html)


@dataclass
class Rendered:
    subject: str
    body_text: str
    body_html: str
    headers: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """A part of an e-mail rendered once for many readers (one language and zone) and included by each reader's
    templates as `{{ <name>.text }}` / `{{ <name>.html }}`: both are whole renderings, never edited afterwards."""

    text: str
    html: str


def render_part(template: str, context: dict, *, language: str, time_zone: str) -> Part:
    """Render `templates/emails/<template>.{txt,html}` as `render_email` renders a whole e-mail."""
    with translation.override(language), timezone.override(zone(time_zone)):
        ctx = {"site_url": settings.SITE_URL, "language": language, **context}
        return Part(text=render_to_string(f"emails/{template}.txt", ctx, using=TEXT_ENGINE),
                    html=render_to_string(f"emails/{template}.html", ctx))


def render_email(kind: str, context: dict, *, language: str, time_zone: str) -> Rendered:
    """Render `templates/emails/<kind>/{subject.txt,body.txt,body.html}` in the person's language and zone."""
    with translation.override(language), timezone.override(zone(time_zone)):
        ctx = {"site_url": settings.SITE_URL, "language": language, **context}
        # Subject and text part are plain text: the "text" engine does not HTML-escape (no &#x27; in a subject).
        subject = one_line(render_to_string(f"emails/{kind}/subject.txt", ctx, using=TEXT_ENGINE))
        ctx["subject"] = subject
        text = render_to_string(f"emails/{kind}/body.txt", ctx, using=TEXT_ENGINE)
        html = inline_css(render_to_string(f"emails/{kind}/body.html", ctx))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"
    return Rendered(subject=subject, body_text=_squeeze_blank_lines(text), body_html=html)


def _squeeze_blank_lines(text: str) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out)


def base_headers(*, kind: str, language: str, automated: bool = True) -> dict:
    headers = {
        "Content-Language": language,
        "X-Auto-Response-Suppress": "OOF, AutoReply",
        "X-Rapport-Kind": kind,
    }
    if automated:
        headers["Auto-Submitted"] = "auto-generated"
    return headers


def unsubscribe_headers(url: str) -> dict:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def list_id(label: str, sub: str) -> str:
    return f"{label} <{sub}.{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class CalendarEmail(EmailMultiAlternatives):
    """Google-shaped iMIP mail: the calendar as the last alternative and again as an attachment."""

    def __init__(self, *args, ics: bytes, method: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._ics = ics
        self._method = method.upper()
        att = MIMEBase("application", "ics", name="invite.ics")
        att.set_payload(ics)
        encoders.encode_base64(att)
        att.add_header("Content-Disposition", "attachment", filename="invite.ics")
        self.attach(att)

    def message(self, *args, **kwargs):
        """Django's MIME tree, with the calendar added as the last part of its multipart/alternative (base64, so
        its CRLF line endings survive every relay)."""
        msg = super().message(*args, **kwargs)
        alternative = next(part for part in msg.walk() if part.get_content_type() == "multipart/alternative")
        charset = Charset("utf-8")
        charset.body_encoding = BASE64
        part = MIMEText(self._ics.decode("utf-8"), "calendar", charset)
        part.set_param("method", self._method, requote=False)
        alternative.attach(part)
        return msg


def build_message(row, *, connection=None) -> EmailMessage:
    """The EmailMessage for one outbox row; the row holds everything (rendered bodies, headers, calendar)."""
    headers = dict(row.headers or {})
    # The From header is the row's; the envelope sender (Return-Path), where delivery reports go, is the bounce
    # address at the reply receiver's domain, so bounces reach `receive_mail` (portal/outbox/bounces.py).
    headers["From"] = headers.get("From") or settings.DEFAULT_FROM_EMAIL
    from_email = settings.EMAIL_RETURN_PATH or headers["From"]
    reply_to = headers.pop("Reply-To", None)
    headers["Message-ID"] = row.message_id
    headers.setdefault("Date", _format_date(timezone.now()))
    if row.kind in ("digest", "manager_digest"):
        headers.setdefault("X-Entity-Ref-ID", row.message_id.strip("<>").split("@")[0])
    kwargs = {
        "subject": one_line(row.subject, 300),
        "body": row.body_text,
        "from_email": from_email,
        "to": [row.to_email],
        "reply_to": [reply_to] if reply_to else None,
        "headers": headers,
        "connection": connection,
    }
    calendar = next((a for a in row.attachments or [] if a.get("calendar")), None)
    if calendar is not None:
        message = CalendarEmail(ics=calendar["content"].encode("utf-8"), method=calendar["method"], **kwargs)
    else:
        message = EmailMultiAlternatives(**kwargs)
    message.attach_alternative(row.body_html or f"<pre>{escape(row.body_text)}</pre>", "text/html")
    return message


def _format_date(value: dt.datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(value.astimezone(dt.UTC))
