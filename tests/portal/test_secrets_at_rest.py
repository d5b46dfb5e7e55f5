import importlib
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.django_db


def test_the_totp_secret_is_not_stored_in_the_clear(caseworker):
    stored = Authenticator.objects.get(user=caseworker, type=Authenticator.Type.TOTP)
    assert TOTP_SECRET not in str(stored.data)


def test_secrets_stored_in_the_clear_before_are_encrypted_by_the_migration(caseworker):
    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0003_encrypt_second_factor_secrets")
    stored = Authenticator.objects.get(user=caseworker, type=Authenticator.Type.TOTP)
    Authenticator.objects.filter(pk=stored.pk).update(data={"secret": TOTP_SECRET})
    assert TOTP(Authenticator.objects.get(pk=stored.pk)).validate_code(current_code())

    migration.encrypt_stored_secrets(apps, None)
    stored.refresh_from_db()
    assert TOTP_SECRET not in str(stored.data)
    assert decrypt(stored.data["secret"]) == TOTP_SECRET  # still readable by allauth


def current_code() -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def test_staff_still_sign_in_with_their_authenticator(caseworker):
    client = Client()
    client.post(reverse("account_login"), {"login": "casey", "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == caseworker.pk
