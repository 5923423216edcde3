"""The Russian catalogue is complete, compiled, and keeps every placeholder and tag of its source."""

from __future__ import annotations

import re

import polib

from tests.i18n.catalogue import MO, PLACEHOLDER, PO, catalogue, placeholders, tags

PLURAL_FORMS = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"


def _live():
    return [e for e in catalogue() if not e.obsolete]


def test_header_declares_russian_with_three_plural_forms():
    po = catalogue()
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _live()
    assert len(entries) > 1000
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    empty = [e.msgid for e in entries if (not e.msgid_plural and not e.msgstr.strip())]
    empty += [
        e.msgid
        for e in entries
        if e.msgid_plural
        and (sorted(e.msgstr_plural) != [0, 1, 2] or not all(v.strip() for v in e.msgstr_plural.values()))
    ]
    assert empty == []


def test_placeholders_and_tags_are_kept():
    wrong = []
    for e in _live():
        if e.msgid_plural:
            expected = placeholders(e.msgid_plural)
            pairs = [(expected, placeholders(s)) for s in e.msgstr_plural.values()]
            pairs.append((tags(e.msgid), tags(e.msgstr_plural[0])))
        else:
            pairs = [(placeholders(e.msgid), placeholders(e.msgstr)), (tags(e.msgid), tags(e.msgstr))]
        wrong += [(e.msgid, want, got) for want, got in pairs if want != got]
    assert wrong == []


def test_translations_are_russian_and_not_copies():
    # Brand names, codes and the language's own name stay as they are; everything else is in Cyrillic.
    same = {"Rapport", "RACI", "HTML", "Message-ID", "ID", "English", "e-mail", "E-mail", "UTC"}
    words = [e for e in _live() if e.msgid not in same and re.search(r"[A-Za-z]{2}", PLACEHOLDER.sub("", e.msgid))]
    not_russian = [e.msgid for e in words if not re.search(r"[А-Яа-яЁё]", e.msgstr or e.msgstr_plural.get(0, ""))]
    assert len(words) > 1000
    assert not_russian == []


def test_compiled_catalogue_matches_the_source():
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO))}
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in _live()}
    source.pop((None, ""), None)
    compiled.pop((None, ""), None)
    stale = sorted(k[1] for k in source.keys() ^ compiled.keys())
    assert stale == [], "run manage.py compilemessages"
    assert source == compiled


def test_po_file_has_no_obsolete_entries():
    assert [e.msgid for e in catalogue().obsolete_entries()] == [] and PO.exists()
