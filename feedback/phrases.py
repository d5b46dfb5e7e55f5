"""Risk words in languages other than English, and risky emoji: a plain matcher.

Pure Python, no Django. feedback.triage.assess runs it beside the English rules,
so a child writing "I want to die" in Arabic is sent to the duty team at once,
like one writing it in English. One TOML file per language in triage_phrases/
(the README there says how to write one; a native speaker must review each).

Words are matched whole, in order, after folding away what young people often
leave out or type differently: accents and tone marks (Vietnamese "chết" and
"chet", Albanian "të" and "te"), Arabic short vowels and hamza, the two forms of
Arabic and Persian yeh and kaf, taa marbuta. Arabic script joins "and" (و) and
"so" (ف) to the next word: a file's `prefixes` may be dropped from a phrase's
first word. Word boundaries are plain: any run of letters and digits in any
script (Ge'ez word and sentence marks are not letters).

Emoji never flag alone: "💀" is mostly laughing, "🔪" cooking, "🔫" a water
pistol, "😢" and "❤️‍🩹" everyday feelings. A rule flags only when the postcard
holds an emoji from each of its groups (a blade and blood; a coffin and tears).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans(
    {
        "\u0111": "d",  # Vietnamese d with stroke: not a combining mark, so kept by NFKD
        "\u06cc": "\u064a",  # Persian yeh, typed as Arabic yeh on Arabic keyboards
        "\u0649": "\u064a",  # alef maksura, often written for yeh
        "\u06a9": "\u0643",  # Persian kaf and Arabic kaf
        "\u0629": "\u0647",  # taa marbuta, often written as heh
        "\u06c0": "\u0647",  # heh with yeh above (Persian ezafe)
        "\u0640": None,  # tatweel: stretches a word, means nothing
    }
)
# Emoji presentation and skin tones change how an emoji looks, not what it is.
_EMOJI_STYLE = dict.fromkeys([0xFE0F, 0xFE0E, *range(0x1F3FB, 0x1F400)], None)


def normalise(text: str) -> list[str]:
    """The words of ``text`` as phrases are matched against them."""
    text = text.casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
    return _WORD.findall(text)


@dataclass(frozen=True)
class Phrases:
    """Every language's phrases, by their first word, and the emoji rules."""

    # first word -> (the words that must follow it, the reason's index)
    by_first: dict[str, tuple[tuple[tuple[str, ...], int], ...]]
    prefixes: tuple[str, ...]
    # (groups, reason index): flags when each group has one of its emoji in the text
    emoji: tuple[tuple[tuple[frozenset[str], ...], int], ...]

    def find(self, text: str) -> set[int]:
        """The indexes of the reasons whose phrases or emoji are in ``text``."""
        found: set[int] = set()
        words = normalise(text)
        for i, word in enumerate(words):
            firsts = [word]
            firsts += [word[len(p) :] for p in self.prefixes if word.startswith(p) and word != p]
            for first in firsts:
                for rest, reason in self.by_first.get(first, ()):
                    if tuple(words[i + 1 : i + 1 + len(rest)]) == rest:
                        found.add(reason)
        if self.emoji and not text.isascii():
            present = set(text.translate(_EMOJI_STYLE))
            for groups, reason in self.emoji:
                if all(group & present for group in groups):
                    found.add(reason)
        return found


def load(directory: Path, reasons: Sequence[str]) -> Phrases:
    """Read every *.toml in ``directory``; ``reasons`` are the English rules' reason keys,
    in order. Raise ValueError naming the file and what is wrong."""
    by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    prefixes: set[str] = set()
    emoji: list[tuple[tuple[frozenset[str], ...], int]] = []
    for path in sorted(directory.glob("*.toml")):
        data = read(path)

        def index(key: object, path: Path = path) -> int:
            if key not in reasons:
                raise ValueError(f"{path}: unknown reason {key!r} (one of {', '.join(reasons)})")
            return reasons.index(str(key))

        prefixes.update(str(p) for p in data.get("prefixes", []))
        for key, phrases in data.get("reasons", {}).items():
            reason = index(key)
            for phrase in phrases:
                words = normalise(phrase)
                if not words:
                    raise ValueError(f"{path}: reason {key!r} has an empty phrase {phrase!r}")
                by_first.setdefault(words[0], []).append((tuple(words[1:]), reason))
        for rule in data.get("emoji", []):
            groups = tuple(frozenset(str(g).translate(_EMOJI_STYLE)) for g in rule["all_of"])
            if len(groups) < 2 or not all(groups):
                raise ValueError(f"{path}: an emoji rule needs two or more groups: {rule!r}")
            emoji.append((groups, index(rule.get("reason"))))
    return Phrases(
        by_first={first: tuple(rest) for first, rest in by_first.items()},
        prefixes=tuple(sorted(prefixes)),
        emoji=tuple(emoji),
    )


def read(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)
