"""The new text of a reply: quoted history, signatures and disclaimers taken off by mail-parser-reply.

mail-parser-reply knows the headers mail programs put above quoted history ("On … wrote:", Outlook's "From: / Sent:"
block) in many languages, but not Russian: `MAIL_LANGUAGES` is its table of languages, and a Russian entry is added
to it here with the headers of Gmail, Yandex, Mail.ru, Apple Mail, Thunderbird and Outlook in Russian.
"""

from __future__ import annotations

import re

from mailparser_reply import constants
from mailparser_reply.parser import EmailMessage

QUOTED = constants.QUOTED_MATCH_INCLUDE
DAYS_RU = "пн|вт|ср|чт|пт|сб|вс"

RUSSIAN = {
    # "7 декабря 2026 г., в 10:00, Rapport <…> написал(а):" (Apple Mail, Mail.ru), "07.12.2026 10:00, Анна пишет:"
    # (Thunderbird), "пн, 7 дек. 2026 г. в 10:00, Rapport <…>:" (Gmail), "07.12.2026, 10:00, "Rapport" <…>:" (Yandex).
    "wrote_header": (
        r"^(" + QUOTED + r"(?:.{0,200}?\s(?:написал\(а\)|написала|написал|пишет)\s?:"
        r"|(?:" + DAYS_RU + r"),\s.{4,80}?\sв\s\d{1,2}:\d{2},?\s.{0,200}?<[^<>\s]+@[^<>\s]+>\s?:"
        r"|\d{1,2}\.\d{1,2}\.\d{2,4},?\s\d{1,2}:\d{2},?\s.{0,200}?<[^<>\s]+@[^<>\s]+>\s?:))$"
    ),
    # Outlook: "От: … / Отправлено: … / Кому: … / Тема: …"
    "from_header": (
        r"((?:(?:^|\n|\n" + QUOTED + r")[* ]*(?:От|Отправлено|Дата|Кому|Копия|Тема):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})"
    ),
    "disclaimers": ["Конфиденциально:", "Внимание:"],
    "signatures": [
        "С уважением",
        "С наилучшими пожеланиями",
        "Всего доброго",
        "Всего наилучшего",
        "Спасибо,",
        "Благодарю,",
    ],
    "sent_from": "Отправлено с|Отправлено из",
}
constants.MAIL_LANGUAGES.setdefault("ru", RUSSIAN)

LANGUAGES = ["en", "ru"]
TRAILING_QUOTE = re.compile(r"(?:\n>[^\n]*)+\s*\Z")


def new_text(text: str) -> str:
    """The reply's own words: the first part before any quoted history, without its signature. Markdown-style
    lists ("- item") are kept."""
    parsed = EmailMessage(text=text or "", languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    body = parsed.replies[0].body if parsed.replies else ""
    return TRAILING_QUOTE.sub("", "\n" + body).strip()
