"""A progress line at the top of a reply: "75%", "blocked: waiting for legal", "at risk", "on track 60%", and in
Russian "заблокировано: ждём юристов", "под угрозой", "в графике 80%"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from projects.models import ReportState

STATE_WORDS = {
    "on track": ReportState.ON_TRACK,
    "on-track": ReportState.ON_TRACK,
    "в графике": ReportState.ON_TRACK,
    "по плану": ReportState.ON_TRACK,
    "at risk": ReportState.AT_RISK,
    "at-risk": ReportState.AT_RISK,
    "под угрозой": ReportState.AT_RISK,
    "есть риск": ReportState.AT_RISK,
    "blocked": ReportState.BLOCKED,
    "заблокировано": ReportState.BLOCKED,
    "заблокирована": ReportState.BLOCKED,
    "заблокирован": ReportState.BLOCKED,
    "блокер": ReportState.BLOCKED,
    "done": ReportState.DONE,
    "готово": ReportState.DONE,
    "сделано": ReportState.DONE,
    "выполнено": ReportState.DONE,
}
_WORDS = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in STATE_WORDS), key=len, reverse=True))
LINE = re.compile(
    rf"^\s*(?:(?P<state>{_WORDS})(?![\w-]))?\s*(?:(?P<percent>\d{{1,3}})\s*%)?\s*(?:[:;,.\-–—]\s*(?P<rest>.*?))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ProgressLine:
    state: str
    percent: int | None
    remark: str


def progress_line(text: str) -> tuple[ProgressLine | None, str]:
    """The progress line that opens `text` (or None) and the text after it."""
    first, _newline, rest = (text or "").strip().partition("\n")
    match = LINE.match(first)
    if match is None or not (match["state"] or match["percent"]):
        return None, text
    percent = int(match["percent"]) if match["percent"] else None
    if percent is not None and percent > 100:
        return None, text
    if match["state"]:
        state = STATE_WORDS[" ".join(match["state"].lower().split())]
    else:
        state = ReportState.DONE if percent == 100 else ReportState.ON_TRACK
    return ProgressLine(state=state, percent=percent, remark=(match["rest"] or "").strip()), rest.strip()
