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


def test_invitation_codes_are_stored_as_a_keyed_hash(db):
    import hashlib

    from portal.models import Invitation

    invitation, token, code = Invitation.issue(created_by=None, audience="in_care")
    assert invitation.code_hash != hashlib.sha256(code.encode()).hexdigest()
    assert invitation.token_hash != hashlib.sha256(token.encode()).hexdigest()
    response = Client().post(reverse("invitation_code"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("invitation_accept")


def test_an_invitation_stored_before_codes_were_keyed_still_works(db):
    from portal.models import Invitation, legacy_hash_code

    invitation, _token, code = Invitation.issue(created_by=None, audience="in_care")
    Invitation.objects.filter(pk=invitation.pk).update(code_hash=legacy_hash_code(code))
    response = Client().post(reverse("invitation_code"), {"code": code})
    assert response["Location"] == reverse("invitation_accept")


def test_a_tracking_code_stored_unkeyed_still_works_and_is_rekeyed(reference_data):
    from feedback import access
    from feedback.models import Item
    from portal.models import hash_code, legacy_hash_code
    from tests.conftest import submit

    result = submit(None, identity="anonymous", audience="in_care")
    reference, code = result.item.reference, result.tracking_code
    plain = f"{reference}:{code.replace('-', '')}"
    Item.objects.filter(pk=result.item.pk).update(tracking_code_hash=legacy_hash_code(plain))
    assert access.item_for_tracking(reference, code) == result.item
    assert Item.objects.get(pk=result.item.pk).tracking_code_hash == hash_code(plain)
