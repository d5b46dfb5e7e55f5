"""What in a young person's words could identify anyone: a pure module, no database.

`find(text, known=...)` returns the spans a moderator must look at before words are
shared: phone numbers (the maintained `phonenumbers` matcher, UK numbers), emails and
dates (patterns), schools, homes and places ("Oakfield School", "Elm House", "Mill
Road"), the portal's own names passed in as `known` (its services), and people's
names: a capitalised word that does not start a sentence. That last rule also marks
some ordinary words ("Monday", "English"); a moderator reads them and moves on, which
is cheaper than missing a teacher's name. Never log the text or the spans' words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext_lazy as _

KINDS = {
    "phone": _("phone number"),
    "email": _("email"),
    "date": _("date"),
    "school": _("school"),
    "home": _("home"),
    "place": _("place"),
    "service": _("service"),
    "name": _("name"),
}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})(?:\s+\d{{4}})?"
    rf"|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)\b",
    re.IGNORECASE,
)
_PROPER = r"(?:[A-Z][\w'-]*\s+){1,3}"
SCHOOL = re.compile(rf"\b{_PROPER}(?:School|Academy|College|Primary|High)\b")
HOME = re.compile(rf"\b{_PROPER}(?:House|Lodge|Court|Home|Hall)\b")
PLACE = re.compile(rf"\b{_PROPER}(?:Road|Street|Lane|Avenue|Close|Drive|Way|Park|Estate|Green)\b")
CAPITALISED = re.compile(r"\b[A-Z][a-z][\w'-]*")
SENTENCE_END = re.compile(r"[.!?]\s*$")
# Capitalised words that name nobody, even mid-sentence.
NOT_NAMES = frozenset({"I", "I'm", "I've", "I'll", "I'd", "Mr", "Mrs", "Ms", "Miss", "Dr"})


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


def _regex_marks(text: str) -> Iterable[Mark]:
    for pattern, kind in ((EMAIL, "email"), (DATE, "date"), (SCHOOL, "school")):
        for m in pattern.finditer(text):
            yield Mark(m.start(), m.end(), kind)
    for pattern, kind in ((HOME, "home"), (PLACE, "place")):
        for m in pattern.finditer(text):
            yield Mark(m.start(), m.end(), kind)
    for match in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        yield Mark(match.start, match.end, "phone")


def _known_marks(text: str, known: Iterable[tuple[str, str]]) -> Iterable[Mark]:
    for words, kind in known:
        if len(words) < 3:
            continue
        for m in re.finditer(rf"\b{re.escape(words)}\b", text, re.IGNORECASE):
            yield Mark(m.start(), m.end(), kind)


def _name_marks(text: str) -> Iterable[Mark]:
    for m in CAPITALISED.finditer(text):
        before = text[: m.start()]
        if not before.strip() or SENTENCE_END.search(before) or m.group() in NOT_NAMES:
            continue
        yield Mark(m.start(), m.end(), "name")


def find(text: str, *, known: Iterable[tuple[str, str]] = ()) -> list[Mark]:
    """Spans that could identify someone, in order, none overlapping (the first found,
    most specific kind wins: a school's name is marked once, as a school)."""
    found = [*_regex_marks(text), *_known_marks(text, known), *_name_marks(text)]
    found.sort(key=lambda mark: (mark.start, -(mark.end - mark.start)))
    kept: list[Mark] = []
    for mark in found:
        if kept and mark.start < kept[-1].end:
            continue
        kept.append(mark)
    return kept


def pieces(text: str, marks: list[Mark]) -> list[tuple[str, Mark | None]]:
    """The text cut into plain and marked pieces, for a template to highlight."""
    out: list[tuple[str, Mark | None]] = []
    at = 0
    for mark in marks:
        if mark.start > at:
            out.append((text[at : mark.start], None))
        out.append((text[mark.start : mark.end], mark))
        at = mark.end
    if at < len(text):
        out.append((text[at:], None))
    return out
