"""Say which language a postcard is written in, when it is not English.

Pure Python, no Django. The form tells young people they can write in any
language, and a postcard nobody on the team can read must not wait in a queue:
the routing worker calls `detect`, and anything not in English goes for a
same-day read. Risk words in other languages are matched at submission by
feedback.triage; this module only names the language.

Three steps:

1. Script, from Unicode data (no library): a postcard mostly in Arabic, Ge'ez,
   Cyrillic or another non-Latin script is not English. Arabic script is told
   apart by the letters only some of its languages use (Pashto, Kurdish Sorani,
   Urdu, Persian); the rest is named Arabic.
2. Latin script, the English guard (no library): text of fewer than three words is
   taken as English, too short to tell ("hiya", "Sélf hárm"); so is text where at
   least two words, and a quarter of them, are common short English words ("he",
   "the", "wanna"), one of them not also a word of the other languages ("i", "to"
   and "on" are Polish too). That answers most English postcards for nothing.
3. The rest: lingua-language-detector in its low-accuracy mode, with only English
   and the Latin-script languages we expect loaded (LATIN_LANGUAGES).

Measured (python -m bench.languages) on the 368 English sentences of
tests/feedback/test_triage.py and the other languages' examples: the guard and
lingua's low-accuracy mode read no English sentence as another language, name the
other languages' test sentences, cost 0.01 to 0.02 ms a postcard (the guard answers
299 of the 368), and the detector adds 18 MB to the process that builds it, in
0.2 s. Lingua's high-accuracy mode alone (the first version) also misread none but
took 250 MB and 1 to 2 s to build; its low-accuracy mode alone misread 14, and
langdetect (64 MB, 2.9 ms a postcard) 69. Even 18 MB would take the routing
worker past its 100 MB (bench.routing: 99.6 MB before any detector), so lingua is
imported and the detector built only when a postcard gets past the guard, never
at start: the first such postcard waits 0.2 s, and the worker's pool grows from 99.8 to
117 MB for the rest of its life (bench/README.md). The web process never loads it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH = ""  # stored for English, and for text too short or bare to tell
UNKNOWN = "und"  # not English, but which language is not clear


def _(text: str) -> str:
    """Marks a name for makemessages; Item.language_name translates it where shown."""
    return text


# Names staff see, by the code stored on the item (ISO 639-1 where there is one).
NAMES: dict[str, str] = {
    UNKNOWN: _("another language"),
    "ar": _("Arabic"),
    "fa": _("Persian (Farsi or Dari)"),
    "ps": _("Pashto"),
    "ckb": _("Kurdish (Sorani)"),
    "ur": _("Urdu"),
    "ti": _("Tigrinya or Amharic"),
    "sq": _("Albanian"),
    "vi": _("Vietnamese"),
    "so": _("Somali"),
    "tr": _("Turkish"),
    "pl": _("Polish"),
    "ro": _("Romanian"),
    "pt": _("Portuguese"),
    "es": _("Spanish"),
    "fr": _("French"),
    "ru": _("Russian or another language in Cyrillic script"),
    "el": _("Greek"),
    "he": _("Hebrew"),
    "zh": _("Chinese"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "th": _("Thai"),
    "hi": _("Hindi or another language in Devanagari script"),
    "bn": _("Bengali"),
    "pa": _("Punjabi"),
    "gu": _("Gujarati"),
    "ta": _("Tamil"),
    "am": _("Amharic"),
}

# The first word of a letter's Unicode name, for the scripts we can name.
_SCRIPTS = {
    "CYRILLIC": "ru",
    "GREEK": "el",
    "HEBREW": "he",
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "THAI": "th",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "GURMUKHI": "pa",
    "GUJARATI": "gu",
    "TAMIL": "ta",
    "ETHIOPIC": "ti",
}
# Letters that only some languages in Arabic script use, checked in this order
# (Pashto and Sorani also use the Persian letters, so they go first).
_ARABIC_SCRIPT = (
    ("ps", frozenset("ټډړږښګڼۍځڅ")),
    ("ckb", frozenset("ڕڵێۆەڤ")),
    ("ur", frozenset("ٹڈڑںےھ")),
    ("fa", frozenset("پچژگکی")),
)
LATIN_LANGUAGES = ("en", "sq", "vi", "so", "tr", "pl", "ro", "pt", "es", "fr")
# Below this confidence that it is English (0 to 1), Latin text is not English.
# The English test sentences the guard leaves to the detector score 0.09 and more.
ENGLISH_BELOW = 0.03
# Lingua's top language is named only when it is at least this sure.
NAME_FROM = 0.5
_MIN_WORDS = 3
# Short words common in English and not words of the other languages we expect ("an",
# French for year, is rarely written); "m", "ll" and "ve" are what is left of "I'm",
# "I'll" and "I've". A list of words reads best as words (hence noqa: a list literal
# would be one word a line).
ENGLISH_WORDS = frozenset(
    """about all an any at be because been but can cant coz cos could did does dont for from
    gonna had has have he here him his how if im into is it its just like ll m more not
    of or our out over please pls she should some that the their them there these they
    this those too up ur us ve very wanna want was were what when where who why will with
    wont would you your""".split()  # noqa: SIM905
)
# English words that are words of those languages too: they count towards the guard
# only beside an English word ("i", "a", "na", "to", "do", "on", "my", "we", "u":
# Polish; "me": Albanian and Spanish; "are", "am", "mine": Romanian; "her": Turkish).
SHARED_WORDS = frozenset(
    "a am and are as by do her i in me mine my na no on so to u we".split()  # noqa: SIM905
)
# The guard says English when at least one word is in ENGLISH_WORDS, and at least two
# words, and a quarter of them, are in either list.
_ENGLISH_SHARE = 0.25
_WORD = re.compile(r"[^\W\d_]+")


def name(code: str) -> str:
    """The language's name for staff, or "" for English."""
    return NAMES.get(code, code) if code else ""


def detect(text: str) -> str:
    """The code of the language ``text`` is mostly written in, or ENGLISH ("")."""
    latin, others = _letters_by_script(text)
    if not latin and not others:
        return ENGLISH
    if sum(others.values()) > latin:
        script = max(others, key=others.__getitem__)
        return _arabic_script(text) if script == "ARABIC" else _SCRIPTS.get(script, UNKNOWN)
    words = _WORD.findall(text)
    if len(words) < _MIN_WORDS or looks_english(words):
        return ENGLISH
    return _latin(text)


def looks_english(words: list[str]) -> bool:
    """Whether enough of these words are common English words to call the text English
    without asking the detector ("he hittt me": "he", then "me" beside it)."""
    folded = [word.casefold() for word in words]
    english = sum(word in ENGLISH_WORDS for word in folded)
    either = english + sum(word in SHARED_WORDS for word in folded)
    return english >= 1 and either >= 2 and either >= _ENGLISH_SHARE * len(words)


def _letters_by_script(text: str) -> tuple[int, dict[str, int]]:
    """How many Latin letters, and how many in each other script."""
    latin = 0
    others: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        if char.isascii():
            latin += 1
            continue
        script = unicodedata.name(char, "").partition(" ")[0]
        if script == "LATIN":
            latin += 1
        elif script:
            others[script] = others.get(script, 0) + 1
    return latin, others


def _arabic_script(text: str) -> str:
    letters = set(text)
    return next((code for code, marks in _ARABIC_SCRIPT if letters & marks), "ar")


def _latin(text: str) -> str:
    # Highest confidence first; each code is one of LATIN_LANGUAGES.
    values = [
        (value.language.iso_code_639_1.name.lower(), value.value)
        for value in _detector().compute_language_confidence_values(text)
    ]
    if dict(values)["en"] >= ENGLISH_BELOW:
        return ENGLISH
    code, confidence = values[0]
    return code if confidence >= NAME_FROM and code != "en" else UNKNOWN


@functools.cache
def _detector() -> LanguageDetector:
    """Built once per process, when the first postcard gets past the English guard.

    lingua is imported here, not at the top: importing it costs 2 MB in every process
    that imports this module (the worker's main process and pool), which the 100 MB
    target (bench.routing) has no room for until a postcard needs it."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LATIN_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
