"""The Russian catalogue as the i18n tests read it, and the page text they search for English leftovers."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.mo"

PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|%%|\{[A-Za-z_][A-Za-z0-9_]*\}"
)
TAG = re.compile(r"</?[A-Za-z][^>]*>")
# Words that are the same in both languages or are names: a leftover made only of these is not English.
NEUTRAL = {
    "Rapport",
    "RACI",
    "RSVP",
    "HTML",
    "ISO",
    "ID",
    "Message-ID",
    "UID",
    "RRULE",
    "E-mail",
    "e-mail",
    "ETag",
    "English",
}


@cache
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def tags(text: str) -> list[str]:
    return sorted(re.sub(r"\s.*", ">", t) for t in TAG.findall(text))


@cache
def english_phrases() -> tuple[str, ...]:
    """Pieces of English source text (two words or more) that a Russian page must not show.

    A msgid with placeholders or tags is cut at them; every piece of two or more words counts.
    """
    phrases = set()
    for entry in catalogue():
        if entry.obsolete or entry.msgctxt == "time zone":  # city names are also in the IANA zone list
            continue
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(PLACEHOLDER.pattern + "|" + TAG.pattern + r"|[\n“”\"'«»]", source):
                piece = piece.strip(" .,:;—–-()·/…?!")
                words = piece.split()
                if len(words) >= 2 and not set(words) <= NEUTRAL and re.search(r"[A-Za-z]{2}", piece):
                    phrases.add(piece)
    return tuple(sorted(phrases, key=len, reverse=True))


def visible_text(page: str) -> str:
    """Text a person sees or hears: the body without scripts and styles, plus labels held in attributes."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    attributes = re.findall(r'\b(?:placeholder|title|aria-label|alt|data-confirm)="([^"]*)"', body)
    submits = re.findall(r'<input[^>]*type="submit"[^>]*value="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *attributes, *submits]))


def english_left(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [p for p in english_phrases() if re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", flat)]
