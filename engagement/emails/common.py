"""Pieces shared by the engagement e-mail kinds: senders, portal URLs, headers."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from portal.outbox.email import absolute, base_headers, list_id, unsubscribe_headers


def portal_url(name: str, *args) -> str:
    """Absolute URL of a portal page; the site root while the page's view is not wired yet."""
    try:
        return absolute(reverse(name, args=args))
    except NoReverseMatch:
        return absolute("/")


def notify_from(sender_name: str | None = None) -> str:
    display = f"{sender_name} via Rapport" if sender_name else "Rapport"
    return formataddr((display, settings.RAPPORT_NOTIFY_EMAIL))


def calendar_from(organiser_name: str) -> str:
    return formataddr((f"{organiser_name} (Rapport)", settings.RAPPORT_CALENDAR_EMAIL))


def project_manager(project):
    return project.manager


def automated_headers(*, kind: str, language: str, sender_name: str | None = None, reply_to: str | None = None,
                      list_label: str | None = None, list_sub: str | None = None, unsubscribe: str | None = None) -> dict:
    headers = base_headers(kind=kind, language=language)
    headers["From"] = notify_from(sender_name)
    if reply_to:
        headers["Reply-To"] = reply_to
    if list_label and list_sub:
        headers["List-Id"] = list_id(list_label, list_sub)
    if unsubscribe:
        headers.update(unsubscribe_headers(unsubscribe))
    return headers
