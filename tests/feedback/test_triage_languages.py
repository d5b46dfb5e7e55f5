"""Risk words in other languages and emoji (feedback.phrases), and naming a postcard's
language (feedback.languages).

The must-flag and must-not-flag tables live in each language's file under
feedback/triage_phrases/, beside the phrases, so a native speaker reviews both together.
The judgement calls are the English table's (tests/feedback/test_triage.py): err on
flagging, negation is not read. No emoji flags alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback import languages, phrases
from feedback.triage import PHRASES_DIR, RULES_PATH, assess, load_rules
from tests.feedback.test_triage import ACCEPTED_FALSE_ALARMS, MUST_FLAG, MUST_NOT_FLAG

LABELS = {reason.key: reason.label for reason in load_rules(RULES_PATH).reasons}
FILES = sorted(PHRASES_DIR.glob("*.toml"))
ENGLISH = [text for text, _ in MUST_FLAG + ACCEPTED_FALSE_ALARMS] + MUST_NOT_FLAG


def _examples(kind: str) -> list[object]:
    cases: list[object] = []
    for path in FILES:
        for example in phrases.read(path)["examples"][kind]:
            cases.append(pytest.param(example, id=f"{path.stem}: {example}"))
    return cases


def test_every_language_asked_for_has_a_phrase_file() -> None:
    # The languages most spoken by unaccompanied asylum-seeking children in England,
    # and emoji.
    assert {path.stem for path in FILES} == {"ar", "ps", "fa", "ckb", "ti", "sq", "vi", "emoji"}


@pytest.mark.parametrize("example", _examples("must_flag"))
def test_it_flags_risk_words_in_other_languages_and_emoji(example: list[str]) -> None:
    text, key = example

    assert LABELS[key] in assess(text).reasons, phrases.normalise(text)


@pytest.mark.parametrize("example", _examples("must_not_flag"))
def test_it_leaves_ordinary_words_in_other_languages_and_emoji_alone(example: str) -> None:
    assert assess(example).reasons == [], phrases.normalise(example)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_phrase_in_a_language_file_flags_its_own_reason(path: Path) -> None:
    for key, listed in phrases.read(path).get("reasons", {}).items():
        for phrase in listed:
            assert LABELS[key] in assess(phrase).reasons, phrase
            assert LABELS[key] in assess(f"... {phrase}!!").reasons, phrase


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # The issue's sentences, in the three languages it names.
        ("أريد أن أموت", "suicidal thoughts"),
        ("هو يضربني، أنا خائف من العودة إلى البيت", "abuse"),
        ("Dua të vdes", "suicidal thoughts"),
        ("Ai më rreh, kam frikë të shkoj në shtëpi", "unsafe at home"),
        ("Tôi muốn chết", "suicidal thoughts"),
        ("Anh ấy đánh tôi, tôi sợ về nhà", "abuse"),
    ],
)
def test_the_issues_sentences_reach_the_duty_team(text: str, label: str) -> None:
    result = assess(text)

    assert result.urgent
    assert label in result.reasons


def test_no_english_sentence_of_the_triage_tables_matches_another_languages_words() -> None:
    # The English answers stay exactly the English rules' (test_triage.py checks those).
    matcher = phrases.load(PHRASES_DIR, list(LABELS))

    assert [text for text in ENGLISH if matcher.find(text)] == []


def test_reasons_from_two_languages_come_in_the_rules_files_order() -> None:
    assert assess("I ran away. أريد أن أموت").reasons == ["suicidal thoughts", "going missing"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Tôi MUỐN chết", ["toi", "muon", "chet"]),
        ("Đánh", ["danh"]),
        ("Dua të vdes", ["dua", "te", "vdes"]),
        ("أُرِيدُ أَنْ أَمُوتَ", ["اريد", "ان", "اموت"]),
        ("مدرسة جديدة", ["مدرسه", "جديده"]),
        ("می‌خواهم", ["مي", "خواهم"]),
        ("ንሱ፡ይወቕዓኒ።", ["ንሱ", "ይወቕዓኒ"]),
    ],
)
def test_it_folds_accents_tone_marks_and_arabic_vowels_away(text: str, words: list[str]) -> None:
    assert phrases.normalise(text) == words


def test_a_language_file_naming_an_unknown_reason_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text("[reasons]\nsuicide = ['abc']\n", encoding="utf-8")

    with pytest.raises(ValueError, match="unknown reason 'suicide'"):
        phrases.load(tmp_path, list(LABELS))


def test_a_single_emoji_rule_group_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "emoji.toml").write_text(
        "[[emoji]]\nreason = 'suicidal'\nall_of = ['\U0001f480']\n", encoding="utf-8"
    )

    with pytest.raises(ValueError, match="two or more groups"):
        phrases.load(tmp_path, list(LABELS))



# --- Naming the language (feedback.languages) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("أريد أن أموت", "ar"),
        ("ما غواړم چې مړ شم", "ps"),
        ("دەمەوێت بمرم", "ckb"),
        ("می‌خواهم بمیرم", "fa"),
        ("ክሞት እደሊ እየ", "ti"),
        ("Хочу домой", "ru"),
        ("Dua të vdes", "sq"),
        ("Ai më rreh, kam frikë të shkoj në shtëpi", "sq"),
        ("Tôi muốn chết", "vi"),
        ("Anh ấy đánh tôi, tôi sợ về nhà", "vi"),
        ("Chcę więcej kieszonkowego i wycieczkę nad morze", "pl"),
        # Mostly Arabic, with an English word or two.
        ("thank you شكرا جزيلا للعاملة الاجتماعية", "ar"),
    ],
)
def test_it_names_the_language_of_a_postcard_not_in_english(text: str, code: str) -> None:
    assert languages.detect(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\U0001f622\U0001f622",
        "hiya",
        "Sélf hárm",  # too short to tell: English
        "thx 4 sortin my bus pass ur the best",
        "my sw is gr8",
        "The food at my placement is rubbish and I want more say in what we eat",
        # Mostly English, with a word of another language.
        "My carer says شكرا when I help with dinner and I like that",
    ],
)
def test_it_reads_english_and_text_too_short_to_tell_as_english(text: str) -> None:
    assert languages.detect(text) == languages.ENGLISH


def test_no_english_sentence_of_the_triage_tables_is_read_as_another_language() -> None:
    assert [text for text in ENGLISH if languages.detect(text)] == []


def test_a_sentence_full_of_english_words_is_english_without_asking_the_detector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_detector() -> None:
        raise AssertionError("the detector was asked")

    monkeypatch.setattr(languages, "_detector", no_detector)

    # Lingua's low-accuracy mode alone reads both as another language.
    assert languages.detect("he hittt me") == languages.ENGLISH
    assert languages.detect("I'm in danger") == languages.ENGLISH
    assert languages.detect("my foster carer shook the duvet") == languages.ENGLISH


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Words English shares with Polish ("do", "on", "i", "to") are not enough alone.
        ("Chce do domu, on mnie bije i to boli", "pl"),
        ("Quiero ir a casa, no me gusta", "es"),
        ("Nuk jam i sigurt për datën e takimit", "sq"),
    ],
)
def test_the_english_guard_leaves_other_languages_to_the_detector(text: str, code: str) -> None:
    assert not languages.looks_english(languages._WORD.findall(text))
    assert languages.detect(text) == code


@pytest.mark.parametrize("code", ["sq", "vi"])
def test_every_latin_script_example_written_with_its_letters_is_named(code: str) -> None:
    # The examples typed without accents ("AI ME RREH") may read as English or another
    # language: the first detector (high accuracy, 250 MB) named none of those either.
    examples = phrases.read(PHRASES_DIR / f"{code}.toml")["examples"]
    texts = [e[0] if isinstance(e, list) else e for e in examples["must_flag"]]
    texts += examples["must_not_flag"]

    assert {text: languages.detect(text) for text in texts if not text.isascii()} == {
        text: code for text in texts if not text.isascii()
    }


def test_it_names_languages_for_staff() -> None:
    assert languages.name("ar") == "Arabic"
    assert languages.name("ti") == "Tigrinya or Amharic"
    assert languages.name(languages.UNKNOWN) == "another language"
    assert languages.name("") == ""
