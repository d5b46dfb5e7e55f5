"""Say which language a postcard is written in, when it is not English.

Pure Python, no Django. The form tells young people they can write in any
language, and a postcard nobody on the team can read must not wait in a queue:
the routing worker calls `detect`, and anything not in English goes for a
same-day read. Risk words in other languages are matched at submission by
feedback.triage; this module only names the language.

Two steps:

1. Script, from Unicode data (no library): a postcard mostly in Arabic, Ge'ez,
   Cyrillic or another non-Latin script is not English. Arabic script is told
   apart by the letters only some of its languages use (Pashto, Kurdish Sorani,
   Urdu, Persian); the rest is named Arabic.
2. Latin script: lingua-language-detector, with only English and the Latin-script
   languages we expect loaded (LATIN_LANGUAGES). Text of fewer than three words is
   taken as English: too short to tell ("hiya", "Sélf hárm").

Measured (python -m bench.languages) on the 368 English sentences of
tests/feedback/test_triage.py and the other languages' examples: lingua's
high-accuracy mode with these ten languages read no English sentence as another
language (none scores below ENGLISH_BELOW), costs 0.15 ms a postcard, and adds about
250 MB to the one process that uses it, the routing worker (built on its first
postcard, 1 to 2 s; six languages would be 160 MB). Its low-accuracy mode (22 MB)
read 14 of the English sentences as other languages, and langdetect (64 MB, 2.9 ms a
postcard) 69: each would send English postcards for a needless read. The web process
never loads it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Importing lingua costs 2 MB and no models; _detector loads them on first use.
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

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
# The English test sentences score 0.035 and more (lowest: "he hittt me").
ENGLISH_BELOW = 0.03
# Lingua's top language is named only when it is at least this sure.
NAME_FROM = 0.5
_MIN_WORDS = 3
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
    if len(_WORD.findall(text)) < _MIN_WORDS:
        return ENGLISH
    return _latin(text)


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
    detector = _detector()
    if detector.compute_language_confidence(text, Language.ENGLISH) >= ENGLISH_BELOW:
        return ENGLISH
    best = detector.compute_language_confidence_values(text)[0]
    if best.value < NAME_FROM or best.language == Language.ENGLISH:
        return UNKNOWN
    code = best.language.iso_code_639_1
    return str(code.name.lower()) if isinstance(code, IsoCode639_1) else UNKNOWN


@functools.cache
def _detector() -> LanguageDetector:
    """Built once per process, on first use: only the routing worker pays for the models."""
    codes = [getattr(IsoCode639_1, code.upper()) for code in LATIN_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
