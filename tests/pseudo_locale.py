"""A pseudo-locale: every translated string comes back marked ⟦…⟧ and 40 percent longer.

A page rendered in it shows at once which words never went through gettext (they have no
marks) and whether the layout survives the longer words of a real translation (Welsh runs
about a third longer than English). It stands in for the Welsh catalogue: Django looks a
language's translation up in trans_real._translations, so putting one there for "cy"
makes LocaleMiddleware activate it for anyone whose language cookie says Welsh.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import pytest
from django.utils.translation import trans_real

OPEN, CLOSE = "⟦", "⟧"
PSEUDO_LANGUAGE = "cy"
CONTEXT_SEPARATOR = "\x04"  # pgettext's "context\x04message"
# Short words, so a line can break between them as it can in real text.
FILLER = "ŵŵŵ "


def pseudo(message: str) -> str:
    """The message marked, with 40 percent more characters (at least one)."""
    extra = math.ceil(len(message) * 0.4)
    padding = (FILLER * (extra // len(FILLER) + 1))[:extra]
    return f"{OPEN}{message} {padding.strip()}{CLOSE}"


class PseudoTranslation:
    """What trans_real expects of an active translation: gettext, ngettext, to_language."""

    def gettext(self, message: str) -> str:
        return pseudo(message.split(CONTEXT_SEPARATOR)[-1])

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        chosen = singular if number == 1 else plural
        return pseudo(chosen.split(CONTEXT_SEPARATOR)[-1])

    def to_language(self) -> str:
        return PSEUDO_LANGUAGE


def use_pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Welsh, for the rest of the test, is the pseudo-locale (this process, live server too)."""
    monkeypatch.setitem(trans_real._translations, PSEUDO_LANGUAGE, PseudoTranslation())


# Elements whose text a person never reads as text.
UNSEEN = {"script", "style", "template", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Attributes a person reads or hears.
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


class _VisibleText(HTMLParser):
    """The text a person sees or hears, leaving out what is not ours to translate: an
    element with dir="auto" (a young person's own words) or its own lang (a language's
    name in itself)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        skip = (
            self.skipping
            or tag in UNSEEN
            or named.get("dir") == "auto"
            or (tag != "html" and "lang" in named)
        )
        if not skip:
            self.chunks.extend(str(named[a]) for a in READ_ATTRIBUTES if named.get(a))
            if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
                self.chunks.append(str(named["value"]))
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching tag: HTML lets <p> and <li> go unclosed.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(parser.chunks)


# Around a word, not part of it: "(K7M-4QP)" is a reference. Curly quotes by code point.
PUNCTUATION = ".,:;!?()\"'\u201c\u201d\u2018\u2019"
MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# What needs no translation: numbers, dates' digits, punctuation, references (K7M-4QP),
# tracking codes and addresses.
NEEDS_NONE = re.compile(
    r"[\W\d_]+"  # digits and punctuation only
    r"|[A-Z0-9]{3,4}(-[A-Z0-9]{3,4})+[.,]?"  # a reference or tracking code
    r"|\S+@\S+|https?://\S+|/\S*"  # an address or a path
)


def unmarked(html: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The words on the page outside every marker: each one an untranslated string.

    Markers nest (a translated sentence around a translated name), so the innermost are
    taken out first. `allowed` are words that are data, not interface (a person's name).
    """
    text = visible_text(html)
    while True:
        stripped = MARKED.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    words = [word.strip(PUNCTUATION) or word for word in text.split()]
    return [word for word in words if not NEEDS_NONE.fullmatch(word) and word not in allowed]
