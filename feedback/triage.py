"""Spot words that suggest a young person may be at risk now.

Pure Python: no Django, no database. The words live in ``triage_rules.toml``
next to this file, so a safeguarding lead can extend them without touching
code; the file's header explains the pattern format and how text is normalised.

It errs on the side of flagging: a duty worker reading a film plot by mistake
costs minutes, a missed disclosure costs far more. It does not try to read
negation ("I don't want to die" flags).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

RULES_PATH = Path(__file__).with_name("triage_rules.toml")


@dataclass(frozen=True)
class Assessment:
    urgent: bool
    reasons: list[str]


@dataclass(frozen=True)
class _Reason:
    label: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Rules:
    expansions: dict[str, str]
    reasons: tuple[_Reason, ...]


_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018`\u00b4\u02bc\u2032"), None)
_LEET = str.maketrans("310457@$", "eioastas")
# Only words where a letter touches a look-alike digit, so "2", "4" and "100"
# stay numbers and can be read as words by the text-speak table.
_LEET_HINT = re.compile(r"[a-z][013457@$]|[013457@$][a-z]")
_LEET_WORD = re.compile(r"[\w@$]*(?:[a-z][013457@$]|[013457@$][a-z])[\w@$]*")
_BANG_AS_I = re.compile(r"(?<=[a-z])!(?=[a-z])")
_REPEATED_LETTER = re.compile(r"([a-z])\1+")
# The same collapse for regex source, but never the letter of an escape such
# as the second "b" in "\bbeat".
_REPEATED_LETTER_IN_REGEX = re.compile(r"(?<!\\)([a-z])\1+")
_WORD = re.compile(r"[^\W_]+")


def assess(text: str) -> Assessment:
    """Say whether ``text`` needs the duty team now, and which worries it names."""
    if not text or text.isspace():
        return Assessment(urgent=False, reasons=[])
    rules = _rules()
    normal = _normalise(text, rules)
    # Reasons come out in the rules file's order so staff always read them alike.
    labels = [reason.label for reason in rules.reasons if reason.pattern.search(normal)]
    reasons = list(dict.fromkeys(labels))
    return Assessment(urgent=bool(reasons), reasons=reasons)


def normalise(text: str) -> str:
    """The text as the rules see it: useful when writing or checking a rule."""
    return _normalise(text, _rules())


def _normalise(text: str, rules: _Rules) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = text.casefold().translate(_APOSTROPHES)
    # The cheap checks first: most postcards hold neither, and assess must stay fast.
    if "!" in text:
        text = _BANG_AS_I.sub("i", text)
    if _LEET_HINT.search(text):
        text = _LEET_WORD.sub(lambda m: _unleet(m.group(), rules.expansions), text)
    text = _REPEATED_LETTER.sub(r"\1", text)
    expansions = rules.expansions
    return " ".join([expansions.get(word, word) for word in _WORD.findall(text)])


def _unleet(word: str, expansions: dict[str, str]) -> str:
    # "b4" and "no1" are text-speak, not leetspeak: look them up first.
    return expansions.get(word) or word.translate(_LEET)


def _canonical_word(word: str) -> str:
    word = word.casefold().translate(_APOSTROPHES)
    return _REPEATED_LETTER.sub(r"\1", word)


@functools.cache
def _rules() -> _Rules:
    return load_rules(RULES_PATH)


def load_rules(path: Path) -> _Rules:
    """Read and compile a rules file; raise ValueError naming what is wrong."""
    with path.open("rb") as f:
        data = tomllib.load(f)

    expansions: dict[str, str] = {}
    for key, value in data.get("textspeak", {}).items():
        replacement = " ".join(_canonical_word(w) for w in str(value).split())
        # Keep the raw key too, so "b4" is found before leetspeak turns it to "ba".
        expansions[key.casefold()] = replacement
        expansions[_canonical_word(key)] = replacement
    partial = _Rules(expansions, ())

    reasons = []
    for key, table in data.get("reasons", {}).items():
        label = table.get("label")
        phrases = table.get("phrases", [])
        regexes = table.get("regexes", [])
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{path}: reason {key!r} needs a label")
        if not phrases and not regexes:
            raise ValueError(f"{path}: reason {key!r} has no phrases or regexes")
        parts = []
        for phrase in phrases:
            normal = _normalise(phrase, partial)
            if not normal:
                raise ValueError(f"{path}: reason {key!r} has an empty phrase {phrase!r}")
            parts.append(re.escape(normal) + r"\b")
        for source in regexes:
            collapsed = _REPEATED_LETTER_IN_REGEX.sub(r"\1", source)
            try:
                re.compile(collapsed)
            except re.error as exc:
                raise ValueError(f"{path}: reason {key!r} regex {source!r}: {exc}") from exc
            parts.append(f"(?:{collapsed})")
        # One leading \b lets the engine skip every position inside a word
        # before trying the alternatives: most of the time spent here.
        reasons.append(_Reason(label.strip(), re.compile(r"\b(?:" + "|".join(parts) + ")")))
    if not reasons:
        raise ValueError(f"{path}: no [reasons.*] tables")
    return _Rules(expansions, tuple(reasons))
