"""Spot words that suggest a young person may be at risk now.

Pure Python, no Django. The words live in ``triage_rules.toml`` (its header
explains the format and the normalising) so they can grow without code changes.
It errs on the side of flagging and does not read negation: "I don't want to
die" flags, because a worker reading a false alarm costs minutes.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedback import phrases


def _quick_parser() -> tuple[Any, Any] | None:
    """CPython's regex parser, if it is as this module reads it; else None.

    The quick matcher reads private standard-library modules (re._parser and
    re._constants, not in typeshed) to learn which two letters each of ~500 phrases
    and rules can start with, and how many words an anchored rule reads before its
    anchor, so it tries at each word only what can match there. Measured
    (`.venv/bin/python -m bench.triage`, on a busy 2-core machine): 0.04 ms against
    0.21 ms for an 80-character idea, 1.7 ms against 11.6 ms for a 5,000-character
    postcard. Where the parser is missing or not as expected (another Python), every
    branch is tried at every word and anchored rules from _LOOKBACK words back: the
    same answers, more slowly (the tests run both).
    """
    try:
        from re import _constants as constants  # type: ignore[attr-defined]
        from re import _parser as parser  # type: ignore[attr-defined]

    except ImportError:
        return None
    # The constants the helpers below read; how the parser reads a pattern is checked once
    # the helpers exist (the end of this module).
    names = "AT ASSERT ASSERT_NOT LITERAL IN RANGE CATEGORY CATEGORY_WORD SUBPATTERN BRANCH"
    if not all(hasattr(constants, n) for n in (*names.split(), "MAX_REPEAT", "MIN_REPEAT")):
        return None
    return constants, parser


_QUICK = _quick_parser()
# Module names the helpers below read; unused when _QUICK is None.
sre: Any
sre_parse: Any
sre, sre_parse = _QUICK or (None, None)

RULES_PATH = Path(__file__).with_name("triage_rules.toml")
# Risk words in other languages, and emoji: one file each (feedback.phrases reads them).
PHRASES_DIR = Path(__file__).with_name("triage_phrases")


@dataclass(frozen=True)
class Assessment:
    urgent: bool
    reasons: list[str]


@dataclass(frozen=True)
class _Reason:
    key: str  # its [reasons.<key>] table, which the other languages' files name
    label: str
    pattern: re.Pattern[str] | None  # anchored at a word by the caller
    branches: tuple[str, ...]  # the regex source of every phrase and rule, for checking


@dataclass(frozen=True)
class _Anchored:
    """Rules found by the same anchor: a rarer word inside them (see load_rules)."""

    anchor: re.Pattern[str]  # anchored at a word by the caller
    # (reason index, rule, most words the rule reads before its anchor)
    rules: tuple[tuple[int, re.Pattern[str], int], ...]
    reasons: frozenset[int]  # the reasons of those rules


@dataclass(frozen=True)
class _Rules:
    expansions: dict[str, str]
    reasons: tuple[_Reason, ...]
    # Matches, zero-width, at every word where the anchor of an anchored rule
    # matches (its group "anchor" then matches too), or else a phrase or a
    # rule without an anchor does.
    anywhere: re.Pattern[str]
    anchored: tuple[_Anchored, ...]
    anchored_reasons: frozenset[int]  # the reasons with anchored rules
    # The reasons with a phrase or rule (not anchored) that can start with
    # these two characters, or this one when no pair is listed.
    reasons_at: dict[str, tuple[int, ...]]


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
# "{weapon}" in a regex names a [fragments] entry; "{0,2}" stays a repeat.
_FRAGMENT = re.compile(r"\{([a-z_]+)\}")
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT) if sre else ()
_WINDOW = 200
# "(?#here)" in a rule marks where its anchor starts; "(?#end)" where it ends.
_HERE, _END = "(?#here)", "(?#end)"
# The most words a rule may read before its anchor.
_LOOKBACK = 8


def assess(text: str) -> Assessment:
    """Say whether ``text`` needs the duty team now, and which worries it names."""
    if not text or text.isspace():
        return Assessment(urgent=False, reasons=[])
    rules = _rules()
    normal = _normalise(text, rules.expansions)
    found: set[int] = set()
    seen: set[object] = set()
    word_starts: list[int] = []  # filled in once an anchor needs them
    for match in rules.anywhere.finditer(normal):
        at = match.start()
        anchored = match.lastgroup == "anchor" and not rules.anchored_reasons <= found
        # A postcard that repeats "i want to die" hundreds of times would
        # otherwise be checked reason by reason at each one. No rule reads
        # anywhere near this far ahead, so the same window gives the same answer.
        window: object = normal[at : at + _WINDOW]
        if anchored:
            # An anchored rule starts up to _LOOKBACK words before its anchor.
            word_starts = word_starts or _word_starts(normal)
            here = bisect.bisect_right(word_starts, at)  # just after ``at``
            starts = word_starts[max(0, here - 1 - _LOOKBACK) : here]
            window = (normal[starts[0] : at], window)
        if window in seen:
            continue
        seen.add(window)
        # Only the reasons with a phrase or rule that can start like this word.
        maybe = rules.reasons_at.get(normal[at : at + 2])
        if maybe is None:
            maybe = rules.reasons_at.get(normal[at], rules.reasons_at[""])
        for i in maybe:
            pattern = rules.reasons[i].pattern
            if i not in found and pattern is not None and pattern.match(normal, at):
                found.add(i)
        if anchored:
            for group in rules.anchored:
                if group.reasons <= found or not group.anchor.match(normal, at):
                    continue
                for i, rule, before in group.rules:
                    if i not in found and any(rule.match(normal, s) for s in starts[-1 - before :]):
                        found.add(i)
        if len(found) == len(rules.reasons):
            break
    found |= _other_languages().find(text)  # their own plain matcher (feedback.phrases)
    # The rules file's order, so staff always read the same worry first.
    reasons = list(dict.fromkeys(rules.reasons[i].label for i in sorted(found)))
    return Assessment(urgent=bool(reasons), reasons=reasons)


def _word_starts(normal: str) -> list[int]:
    """Where each word of normalised text starts (words are one space apart)."""
    lengths = map(len, normal.split(" "))
    return list(map(operator.add, itertools.accumulate(lengths, initial=0), itertools.count()))[:-1]


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


@functools.cache
def _other_languages() -> phrases.Phrases:
    return phrases.load(PHRASES_DIR, [reason.key for reason in _rules().reasons])


def warm_up() -> None:
    """Compile the rules now (a quarter of a second), not in the first young person's
    request. Assessing an empty text would not: it returns before reading them."""
    _rules()
    _other_languages()


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

    fragments = {str(k): str(v) for k, v in data.get("fragments", {}).items()}

    def expand(source: str, seen: tuple[str, ...] = ()) -> str:
        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in fragments or name in seen:
                raise ValueError(f"{path}: unknown or looping fragment {{{name}}} in {source!r}")
            return "(?:" + expand(fragments[name], (*seen, name)) + ")"

        return _FRAGMENT.sub(one, source)

    def compile_part(key: str, source: str) -> tuple[str, frozenset[str] | None]:
        collapsed = "(?:" + _REPEATED_LETTER_IN_REGEX.sub(r"\1", source) + ")"
        try:
            if sre_parse is None:  # the plain path: tried at every word
                re.compile(collapsed)
                return collapsed, None
            parsed = sre_parse.parse(collapsed)
        except re.error as exc:
            raise ValueError(f"{path}: reason {key!r} regex {source!r}: {exc}") from exc
        return collapsed, _starts(parsed)

    reasons: list[_Reason] = []
    branches: list[tuple[str, frozenset[str] | None]] = []  # what the dispatcher looks for
    reasons_at: dict[str, set[int]] = {}
    everywhere: set[int] = set()  # reasons with a branch of no plain start
    anchors: dict[str, tuple[frozenset[str] | None, list[tuple[int, re.Pattern[str], int]]]] = {}
    for key, table in data.get("reasons", {}).items():
        label = table.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{path}: reason {key!r} needs a label")
        parts: list[tuple[str, frozenset[str] | None]] = []
        anchored: list[str] = []
        index = len(reasons)
        for phrase in table.get("phrases", []):
            normal = _normalise(phrase, expansions)
            if not normal:
                raise ValueError(f"{path}: reason {key!r} has an empty phrase {phrase!r}")
            parts.append((re.escape(normal) + r"\b", frozenset([normal[:2]])))
        for source in table.get("regexes", []):
            full = expand(source)
            if _HERE not in full:
                parts.append(compile_part(key, full))
                continue
            head, _, rest = full.partition(_HERE)
            anchor = rest.partition(_END)[0]
            words = _words_before(head, anchor)
            if isinstance(words, str):
                raise ValueError(f"{path}: reason {key!r} regex {source!r}: {words}")
            rule = compile_part(key, full)[0]
            anchored.append(rule)
            anchor_source, starts = compile_part(key, anchor)
            group = anchors.setdefault(anchor_source, (starts, []))[1]
            group.append((index, re.compile(r"\b" + rule), words))
        if not parts and not anchored:
            raise ValueError(f"{path}: reason {key!r} has no phrases or regexes")
        sources = [p for p, _ in parts]
        pattern = re.compile(r"\b(?:" + "|".join(sources) + ")") if sources else None
        reasons.append(_Reason(key, label.strip(), pattern, tuple(sources + anchored)))
        branches.extend(parts)
        for _, starts in parts:
            if starts is None:
                everywhere.add(index)
            for start in starts or ():
                reasons_at.setdefault(start, set()).add(index)
    if not reasons:
        raise ValueError(f"{path}: no [reasons.*] tables")
    anchor_parts = [(source, starts) for source, (starts, _) in anchors.items()]
    groups = tuple(
        _Anchored(re.compile(r"\b" + source), tuple(rules), frozenset(i for i, _, _ in rules))
        for source, (_, rules) in anchors.items()
    )
    plain, anchor = _dispatch(branches), _dispatch(anchor_parts)
    return _Rules(
        expansions=expansions,
        reasons=tuple(reasons),
        anywhere=re.compile(rf"\b(?={anchor}(?P<anchor>)|{plain})"),
        anchored=groups,
        anchored_reasons=frozenset().union(*(group.reasons for group in groups)),
        reasons_at=_reasons_at(reasons_at, everywhere),
    )


def _reasons_at(by_start: dict[str, set[int]], everywhere: set[int]) -> dict[str, tuple[int, ...]]:
    """Fold the reasons keyed by one character into those keyed by two that
    begin with it, and add the reasons to try at every word."""
    folded = {
        start: reasons | everywhere | by_start.get(start[0], set())
        if len(start) == 2
        else reasons | everywhere
        for start, reasons in by_start.items()
    }
    folded[""] = everywhere  # any other word
    return {start: tuple(sorted(reasons)) for start, reasons in folded.items()}


def _words_before(head: str, anchor: str) -> int | str:
    """How many words a rule reads before its (?#here) anchor, or why the
    anchor cannot be used.

    The anchor is looked for at the start of a word, and the rule is then tried
    at that word and up to _LOOKBACK words before it. So what comes before the
    anchor must end with a space (or be empty) and hold at most _LOOKBACK
    spaces, and the mark must not sit inside a group or an alternative.
    """
    if not (_plain_sequence(head) and _plain_sequence(anchor)):
        return "(?#here) and (?#end) must sit outside any group or | alternative"
    if not anchor:
        return "nothing between (?#here) and (?#end)"
    try:
        if sre_parse is None:  # the plain path: try the rule from the furthest it may start
            re.compile(_REPEATED_LETTER_IN_REGEX.sub(r"\1", head) or "(?:)")
            return _LOOKBACK
        parsed = sre_parse.parse(_REPEATED_LETTER_IN_REGEX.sub(r"\1", head) or "(?:)")
    except re.error as exc:
        return f"before (?#here): {exc}"
    words = _spaces(parsed)
    if words > _LOOKBACK:
        return f"at most {_LOOKBACK} words may come before (?#here)"
    if not {p for p, _ in _sequence(parsed, 1, reverse=True)} <= {"", " "}:
        return "what comes before (?#here) must end with a space"
    return int(words)


def _plain_sequence(source: str) -> bool:
    """Whether ``source`` closes every group it opens and has no | outside one."""
    depth, i, in_class = 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
        elif char == "|" and depth == 0:
            return False
        i += 1
    return depth == 0


def _spaces(items: Any) -> float:
    """The most spaces a match of parsed regex ``items`` can hold."""
    total = 0.0
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        if op is sre.LITERAL:
            total += arg == ord(" ")
        elif op is sre.IN:
            plain = all(kind in (sre.LITERAL, sre.RANGE) for kind, _ in arg)
            words = all(kind is sre.CATEGORY and value is sre.CATEGORY_WORD for kind, value in arg)
            if plain:
                total += any(
                    (kind is sre.LITERAL and value == 32)
                    or (kind is sre.RANGE and value[0] <= 32 <= value[1])
                    for kind, value in arg
                )
            elif not words:
                return float("inf")
        elif op is sre.SUBPATTERN:
            total += _spaces(arg[3])
        elif op is sre.BRANCH:
            total += max(_spaces(alternative) for alternative in arg[1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            inner = _spaces(arg[2])
            total += inner * arg[1] if inner else 0
        else:
            return float("inf")
    return total


def _dispatch(branches: list[tuple[str, frozenset[str] | None]]) -> str:
    """Regex source for "some branch matches here", to sit in a lookahead at
    the start of a word, trying there only the branches that can begin with
    its first two characters.

    Trying all ~500 branches at every word takes milliseconds on a long postcard.
    ``c(?:d(?<=(?=...)cd)|...)`` lets two cheap literals pick the group, then
    checks that group from the start of the word. A branch that may be only
    one character long here ("i" then anything) is keyed by that one.
    """
    by_two: dict[str, dict[str, list[str]]] = {}
    by_one: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for source, starts in branches:
        if starts is None:
            anywhere.append(source)
            continue
        for start in starts:
            if len(start) == 1:
                by_one.setdefault(start, []).append(source)
            else:
                by_two.setdefault(start[0], {}).setdefault(start[1], []).append(source)
    alternatives = []
    for c in sorted(by_one.keys() | by_two.keys()):
        inner = [
            f"{re.escape(d)}(?<=(?=(?:{'|'.join(dict.fromkeys(group))})){re.escape(c + d)})"
            for d, group in sorted(by_two.get(c, {}).items())
        ]
        if c in by_one:
            inner.append(f"(?<=(?=(?:{'|'.join(dict.fromkeys(by_one[c]))})){re.escape(c)})")
        alternatives.append(f"{re.escape(c)}(?:{'|'.join(inner)})")
    # "(?!)" never matches: a rules file with no anchors, or only anchors.
    return "(?:" + "|".join(alternatives + anywhere or ["(?!)"]) + ")"


# More than this many two-character starts and a branch is keyed by one.
_MAX_STARTS = 400


def _starts(items: Any) -> frozenset[str] | None:
    """The first one or two characters a match of parsed regex ``items`` can
    begin with, or None when even the first is not plain (the branch is then
    tried at every word)."""
    two = {p for p, _ in _sequence(items, 2)}
    if "" in two:
        return None
    if len(two) > _MAX_STARTS:
        return frozenset(p[0] for p in two)
    return frozenset(two)


# A start is (prefix, exact): exact when the regex may have matched just the
# prefix so far, so what follows may lengthen it; otherwise it is all we know.
_Start = tuple[str, bool]


def _sequence(items: Any, n: int, reverse: bool = False) -> set[_Start]:
    """The starts of a match of ``items`` (with ``reverse``, its last characters)."""
    starts: set[_Start] = {("", True)}
    for item in reversed(list(items)) if reverse else items:
        if not any(exact and len(p) < n for p, exact in starts):
            break
        grown: set[_Start] = set()
        for prefix, exact in starts:
            if not exact or len(prefix) >= n:
                grown.add((prefix, False))
                continue
            more = _item(item, n - len(prefix), reverse)
            if more is None:
                grown.add((prefix, False))
            else:
                grown.update((prefix + p, e) for p, e in more)
        starts = grown
    return {(p[:n], exact and len(p) < n) for p, exact in starts}


def _item(item: Any, n: int, reverse: bool) -> set[_Start] | None:
    op, arg = item
    if op in _ZERO_WIDTH:
        return {("", True)}
    if op is sre.LITERAL:
        return {(chr(arg), True)}
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in arg:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return None
        return {(c, True) for c in chars}
    if op is sre.SUBPATTERN:
        return _sequence(arg[3], n, reverse)
    if op is sre.BRANCH:
        union: set[_Start] = set()
        for alternative in arg[1]:
            union |= _sequence(alternative, n, reverse)
        return union
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, sub = arg
        once = _sequence(sub, n, reverse)
        if high != 1:  # a second repeat could follow: stop reading there
            once = {(p, False) for p, _ in once}
        return once | {("", True)} if low == 0 else once
    return None


def _parser_reads_as_expected() -> bool:
    try:
        return _starts(sre_parse.parse("(?:ab|c[de])x")) == frozenset({"ab", "cd", "ce"})
    except Exception:  # any surprise from a private module means: not as expected
        return False


# The quick path's assumption, checked once at start-up: the parser reads a known pattern as
# this module expects. If not, the plain path runs.
if sre_parse is not None and not _parser_reads_as_expected():
    sre, sre_parse = None, None
