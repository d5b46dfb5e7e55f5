"""A channel the portal offers but cannot send through stops start-up with DEBUG off;
UK mobile numbers are checked and stored in one form."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import phones
from portal.checks import channels_can_send
from portal.phones import normalise_uk_mobile
from tests.fake_notify import API_KEY

ROOT = Path(__file__).resolve().parents[2]
TEXT_IDS = {"item-urgent": "a", "urgent-escalation": "b", "update": "c"}


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.EMAIL_TRANSPORT = "smtp"
    settings.NOTIFY_API_KEY = ""
    settings.TEXT_ALERTS = False
    return settings


def ids(problems) -> list[tuple[str, str]]:
    return [(type(p).__name__, p.id) for p in problems]


def test_no_notify_and_no_text_alerts_is_fine(production):
    assert channels_can_send() == []


def test_text_alerts_on_without_a_key_is_an_error(production):
    production.TEXT_ALERTS = True
    [problem] = channels_can_send()
    assert ids([problem]) == [("Error", "portal.E102")]
    assert "NOTIFY_API_KEY" in problem.hint


def test_a_key_without_a_text_template_id_is_an_error(production):
    production.NOTIFY_API_KEY = API_KEY
    production.NOTIFY_TEXT_TEMPLATES = {**TEXT_IDS, "urgent-escalation": ""}
    [problem] = channels_can_send()
    assert problem.id == "portal.E102"
    assert "templates/texts/urgent-escalation.txt" in problem.hint


def test_a_key_of_the_wrong_shape_is_an_error(production):
    production.TEXT_ALERTS = True
    production.NOTIFY_API_KEY = "not-a-notify-key"
    production.NOTIFY_TEXT_TEMPLATES = TEXT_IDS
    assert ids(channels_can_send()) == [("Error", "portal.E102")]


def test_a_whole_configuration_passes(production):
    production.TEXT_ALERTS = True
    production.EMAIL_TRANSPORT = "notify"
    production.NOTIFY_API_KEY = API_KEY
    production.NOTIFY_TEXT_TEMPLATES = TEXT_IDS
    production.NOTIFY_TEMPLATE_EMAIL = "e"
    assert channels_can_send() == []


def test_email_through_notify_without_its_template_is_an_error(production):
    production.EMAIL_TRANSPORT = "notify"
    production.NOTIFY_API_KEY = API_KEY
    production.NOTIFY_TEXT_TEMPLATES = TEXT_IDS
    production.NOTIFY_TEMPLATE_EMAIL = ""
    [problem] = channels_can_send()
    assert problem.id == "portal.E101" and "NOTIFY_TEMPLATE_EMAIL" in problem.hint


def test_with_debug_on_it_is_a_warning(production):
    production.DEBUG = True
    production.TEXT_ALERTS = True
    assert ids(channels_can_send()) == [("Warning", "portal.E102")]


def check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PORTAL_", "EMAIL_", "DEBUG", "NOTIFY_", "TEXT_ALERTS"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_stops_when_text_alerts_cannot_be_sent_and_make_run_still_starts():
    refused = check(SECRET_KEY="k" * 50, TEXT_ALERTS="1")
    assert refused.returncode != 0
    assert "portal.E102" in refused.stderr
    # make run: the embedded demo, DEBUG off, no Notify: texts simply not offered.
    assert check(PORTAL_EMBEDDED="1").returncode == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07400 123456", "+447400123456"),
        ("+44 7400-123456", "+447400123456"),
        ("447400123456", "+447400123456"),
        ("07911 123456", "+447911123456"),  # Guernsey: +44, takes UK texts
    ],
)
def test_a_uk_mobile_is_stored_in_one_form(typed, stored):
    assert normalise_uk_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed", ["020 7946 0000", "0300 123 4567", "07400 12345", "+33 6 12 34 56 78", "call me", ""]
)
def test_anything_but_a_uk_mobile_is_refused(typed):
    with pytest.raises(ValueError):
        normalise_uk_mobile(typed)


@settings(max_examples=300, deadline=None)
@given(number=st.from_regex(phones.MOBILE_PATTERN, fullmatch=True))
def test_every_mobile_the_api_schema_allows_is_taken_for_texts(number):
    # The schema's pattern is narrower than what a person may type, never wider.
    assert normalise_uk_mobile(number).startswith("+447")


@settings(max_examples=300, deadline=None)
@given(number=st.from_regex(phones.PHONE_PATTERN, fullmatch=True))
def test_every_number_the_api_schema_allows_is_taken_for_calls(number):
    assert phones.normalise_uk_phone(number).startswith("+44")


def test_a_landline_may_be_rung_but_not_texted():
    assert phones.normalise_uk_phone("020 7946 0000") == "+442079460000"
    with pytest.raises(ValueError):
        normalise_uk_mobile("020 7946 0000")


def test_production_refuses_keys_derived_from_the_secret_key():
    def deploy_check(**env: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy"],
            cwd=ROOT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DEBUG"))},
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "SECRET_KEY": "k" * 50,
                **env,
            },
            capture_output=True,
            text=True,
            timeout=120,
        ).stderr

    derived = deploy_check()
    assert "portal.E103" in derived
    assert "MFA_ENCRYPTION_KEY, CODE_HASH_KEY" in derived
    own = deploy_check(
        MFA_ENCRYPTION_KEY="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=",
        CODE_HASH_KEY="c" * 64,
        SECRET_KEY_FALLBACKS="old-key-one,old-key-two",
    )
    assert "portal.E103" not in own and "System check identified" in own  # it ran
