"""The small safe text format of comments: Markdown (paragraphs, lists, links, bold, italic, code, quotes) rendered
by Python-Markdown and cleaned by nh3 (Ammonia) to a short allow-list. Raw HTML typed by a person is shown as text.

A mention is written `@` followed by the person's e-mail address (`@anna@example.com`), the form the autocomplete
inserts; it is shown as `@Name` and never inside code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# `@` + an e-mail address; not after a letter, digit or dot (so "a@b.c" alone is an address, not a mention).
MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
_MENTION_PATTERN = r"(?<![\w.@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)"

TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "code", "pre", "a", "blockquote", "span"}
ATTRIBUTES = {"a": {"href", "title"}, "span": {"data-person"}}
CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}


def mentioned_addresses(text: str) -> set[str]:
    """The e-mail addresses mentioned in `text`, lower-cased."""
    return {address.lower() for address in MENTION.findall(text or "")}


class _Mentions(InlineProcessor):
    def __init__(self, people: dict):
        super().__init__(_MENTION_PATTERN)
        self.people = people

    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's interface
        person = self.people.get(m.group(1).lower())
        if person is None:  # not someone who may be mentioned here: left as typed
            return None, None, None
        element = ET.Element("span")
        element.set("class", "mention")
        element.set("data-person", str(person.pk))
        element.text = AtomicString(f"@{person.display_name}")
        return element, m.start(0), m.end(0)


def render(text: str, people: dict | None = None) -> str:
    """`text` as safe HTML. `people` maps a lower-cased e-mail to the person a mention of it names."""
    md = markdown.Markdown(extensions=["sane_lists", "fenced_code"], output_format="html")
    md.inlinePatterns.register(_Mentions(people or {}), "mention", 185)
    # Raw HTML is text here: "<" never opens a tag (Markdown's autolinks `<https://…>` are written as plain URLs).
    html = md.convert((text or "").replace("&", "&amp;").replace("<", "&lt;"))
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def plain(text: str, people: dict | None = None) -> str:
    """`text` for a plain-text e-mail: mentions as `@Name`, the rest as typed."""
    people = people or {}

    def name(m):
        person = people.get(m.group(1).lower())
        return f"@{person.display_name}" if person is not None else m.group(0)

    return MENTION.sub(name, text or "")
