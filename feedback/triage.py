"""Spot words that suggest a young person may be at risk now.

Pure Python, no Django. The words live in ``triage_rules.toml`` (its header
explains the format and the normalising) so they can grow without code changes.
It errs on the side of flagging and does not read negation: "I don't want to
die" flags, because a worker reading a false alarm costs minutes.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre  # stdlib internals, used only to speed matching up
from re import _parser as sre_parse
from typing import Any

RULES_PATH = Path(__file__).with_name("triage_rules.toml")


@dataclass(frozen=True)
class Assessment:
    urgent: bool
    reasons: list[str]


@dataclass(frozen=True)
class _Reason:
    label: str
    pattern: re.Pattern[str]  # anchored at a word by the caller


@dataclass(frozen=True)
class _Rules:
    expansions: dict[str, str]
    reasons: tuple[_Reason, ...]
    # Matches, zero-width, at every word where any reason's pattern matches.
    anywhere: re.Pattern[str]


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
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_WINDOW = 200


def assess(text: str) -> Assessment:
    """Say whether ``text`` needs the duty team now, and which worries it names."""
    if not text or text.isspace():
        return Assessment(urgent=False, reasons=[])
    rules = _rules()
    normal = _normalise(text, rules.expansions)
    found: set[int] = set()
    seen: set[str] = set()
    for match in rules.anywhere.finditer(normal):
        at = match.start()
        # A postcard that repeats "i want to die" hundreds of times would
        # otherwise be checked reason by reason at each one. No rule reads
        # anywhere near this far ahead, so the same window gives the same answer.
        window = normal[at : at + _WINDOW]
        if window in seen:
            continue
        seen.add(window)
        for i, reason in enumerate(rules.reasons):
            if i not in found and reason.pattern.match(normal, at):
                found.add(i)
        if len(found) == len(rules.reasons):
            break
    # The rules file's order, so staff always read the same worry first.
    reasons = list(dict.fromkeys(rules.reasons[i].label for i in sorted(found)))
    return Assessment(urgent=bool(reasons), reasons=reasons)


def normalise(text: str) -> str:
    """The text as the rules see it: useful when writing or checking a rule."""
    return _normalise(text, _rules().expansions)


def _normalise(text: str, expansions: dict[str, str]) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = text.casefold().translate(_APOSTROPHES)
    # Cheap checks first: most postcards hold neither.
    if "!" in text:
        text = _BANG_AS_I.sub("i", text)
    if _LEET_HINT.search(text):
        # "b4" and "no1" are text-speak, not leetspeak: look them up first.
        text = _LEET_WORD.sub(lambda m: expansions.get(w := m.group()) or w.translate(_LEET), text)
    text = _REPEATED_LETTER.sub(r"\1", text)
    return " ".join([expansions.get(word, word) for word in _WORD.findall(text)])


def _canonical_word(word: str) -> str:
    return _REPEATED_LETTER.sub(r"\1", word.casefold().translate(_APOSTROPHES))


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
        # The raw key too, so "b4" is found before leetspeak turns it into "ba".
        expansions[key.casefold()] = replacement
        expansions[_canonical_word(key)] = replacement

    reasons: list[_Reason] = []
    branches: list[tuple[str, frozenset[str] | None]] = []
    for key, table in data.get("reasons", {}).items():
        label = table.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{path}: reason {key!r} needs a label")
        parts: list[tuple[str, frozenset[str] | None]] = []
        for phrase in table.get("phrases", []):
            normal = _normalise(phrase, expansions)
            if not normal:
                raise ValueError(f"{path}: reason {key!r} has an empty phrase {phrase!r}")
            parts.append((re.escape(normal) + r"\b", frozenset(normal[0])))
        for source in table.get("regexes", []):
            collapsed = "(?:" + _REPEATED_LETTER_IN_REGEX.sub(r"\1", source) + ")"
            try:
                parsed = sre_parse.parse(collapsed)
            except re.error as exc:
                raise ValueError(f"{path}: reason {key!r} regex {source!r}: {exc}") from exc
            parts.append((collapsed, _first_chars(parsed)))
        if not parts:
            raise ValueError(f"{path}: reason {key!r} has no phrases or regexes")
        pattern = re.compile(r"\b(?:" + "|".join(p for p, _ in parts) + ")")
        reasons.append(_Reason(label.strip(), pattern))
        branches.extend(parts)
    if not reasons:
        raise ValueError(f"{path}: no [reasons.*] tables")
    return _Rules(expansions, tuple(reasons), _dispatcher(branches))


def _dispatcher(branches: list[tuple[str, frozenset[str] | None]]) -> re.Pattern[str]:
    """A zero-width pattern for "some branch matches here", trying at each word
    only the branches that can begin with its first letter.

    Trying all ~300 branches at every word takes milliseconds on a long postcard.
    ``c(?<=(?=...)c)`` lets one cheap literal pick the group, then checks that
    group from the start of the word.
    """
    by_char: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for source, chars in branches:
        for char in chars or ():
            by_char.setdefault(char, []).append(source)
        if chars is None:
            anywhere.append(source)
    alternatives = [
        f"{re.escape(c)}(?<=(?=(?:{'|'.join(group)})){re.escape(c)})"
        for c, group in sorted(by_char.items())
    ]
    return re.compile(r"\b(?=" + "|".join(alternatives + anywhere) + ")")


def _first_chars(items: Any) -> frozenset[str] | None:
    """The characters a match of parsed regex ``items`` can begin with, or None
    when that is not plain (the branch is then tried at every word)."""
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        if op is sre.LITERAL:
            return frozenset(chr(arg))
        if op is sre.IN:
            chars: set[str] = set()
            for kind, value in arg:
                if kind is sre.LITERAL:
                    chars.add(chr(value))
                elif kind is sre.RANGE:
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                else:
                    return None
            return frozenset(chars)
        if op is sre.SUBPATTERN:
            return _first_chars(arg[3])
        if op is sre.BRANCH:
            union: set[str] = set()
            for alternative in arg[1]:
                first = _first_chars(alternative)
                if first is None:
                    return None
                union |= first
            return frozenset(union)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] > 0:
            return _first_chars(arg[2])
        return None
    return None
