"""Nobody can lock another person out: failed sign-ins count per (address, username),
never per address or per username alone, and a known device signs in regardless."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from portal.adapters import KNOWN_DEVICE_COOKIE
from tests.conftest import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.66"
OFFICE = "198.51.100.10"


def sign_in(client: Client, login: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def lock_attempts(login: str, address: str = STRANGER, times: int = 8) -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        sign_in(client, login, "not the password")


def test_a_strangers_wrong_passwords_do_not_lock_the_person_out(young_person):
    lock_attempts("jade")
    response = sign_in(Client(REMOTE_ADDR=OFFICE), "jade")
    assert response.status_code == 302
    assert response["Location"] != reverse("account_login")


def test_wrong_passwords_slow_down_that_address_for_that_username(young_person):
    lock_attempts("jade")
    page = sign_in(Client(REMOTE_ADDR=STRANGER), "jade").content.decode()
    assert "Too many failed sign-in attempts" in page


def test_the_duty_worker_signs_in_from_a_known_device_even_from_the_strangers_address(
    duty_worker,
):
    # The worker signed in on this browser before (password and second factor).
    browser = Client(REMOTE_ADDR=STRANGER)
    sign_in(browser, "dana")
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    browser.post(reverse("mfa_authenticate"), {"code": code})
    assert KNOWN_DEVICE_COOKIE in browser.cookies
    browser.post(reverse("account_logout"))

    lock_attempts("dana", address=STRANGER)  # a stranger behind the same address
    response = sign_in(browser, "dana")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
