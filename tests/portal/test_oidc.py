"""Staff sign in with the council's own accounts (portal/oidc.py), walked end to end against
a fake OpenID Connect server (tests/fake_oidc.py): the portal's own client posts the
button, the test follows the browser's way through the fake's /authorize, and the portal
fetches the token, keys and userinfo from the fake over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from portal.models import AuditEntry, AuditKind, Invitation, Membership, Service, User
from portal.oidc import names_a_second_factor
from tests.conftest import TOTP_SECRET, client_for, make_staff
from tests.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOIDC

# The middle of a 30-second window, so a code typed in the test is still the app's.
pytestmark = pytest.mark.travel("2026-11-30 12:00:10Z", tick=True)

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "Your council account is not invited to this portal. Ask your manager for an invitation."
LOGIN_URL = "/accounts/oidc/council/login/"
CALLBACK_URL = "/accounts/oidc/council/login/callback/"


@pytest.fixture
def fake() -> Iterator[FakeOIDC]:
    server = FakeOIDC().start()
    yield server
    server.stop()


def configure(settings: Any, fake: FakeOIDC, *, trust_mfa: bool = True) -> None:
    """As portal/settings.py builds it from OIDC_SERVER_URL, OIDC_CLIENT_ID, ... (see
    test_the_environment_switches_the_council_sign_in_on)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "council",
                    "name": "your council account",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": fake.url, "oauth_pkce_enabled": True},
                }
            ]
        }
    }
    settings.OIDC_TRUST_MFA = trust_mfa
    settings.OIDC_TRUST_EMAIL = False


@pytest.fixture
def council(settings: Any, fake: FakeOIDC) -> FakeOIDC:
    configure(settings, fake)
    return fake


def person(sub: str, email: str, *, verified: Any = True, amr: list[str] | None = None) -> dict:
    claims: dict[str, Any] = {"sub": sub, "email": email, "name": "Somebody"}
    if verified is not None:
        claims["email_verified"] = verified
    if amr is not None:
        claims["amr"] = amr
    return claims


def sign_in_with_council(client: Client, fake: FakeOIDC, **start: str) -> HttpResponse:
    """Press the button; go, as a browser would, to the fake's /authorize; come back."""
    response = client.post(f"{LOGIN_URL}?process=login", start)
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == fake.url
    assert "code_challenge=" in authorize.query  # PKCE
    connection = http.client.HTTPConnection(authorize.netloc, timeout=5)
    connection.request("GET", f"{authorize.path}?{authorize.query}")
    answer = connection.getresponse()
    assert answer.status == 302
    back = urlsplit(answer.getheader("Location") or "")
    connection.close()
    assert back.path == CALLBACK_URL
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def current_code() -> str:
    import time

    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


# --- the login page ---------------------------------------------------------------------


def test_without_the_settings_there_is_no_button_and_no_council_pages(db, settings):
    assert not settings.SOCIALACCOUNT_PROVIDERS
    page = Client().get(reverse("account_login")).content.decode()
    assert "Sign in with" not in page
    assert "Council staff" not in page
    for url in (
        LOGIN_URL,
        CALLBACK_URL + "?code=x&state=y",
        "/accounts/3rdparty/login/error/",
        "/accounts/3rdparty/login/cancelled/",
    ):
        assert Client().get(url).status_code == 404, url
        assert Client().post(url).status_code == 404, url
    # allauth's pages for signing up through, or linking, another account are not there.
    for url in ("/accounts/3rdparty/", "/accounts/3rdparty/signup/", "/accounts/social/signup/"):
        assert Client().get(url).status_code == 404, url


def test_a_server_added_in_the_database_configures_nothing(fake, caseworker):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="council",
        name="a server added by hand",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": fake.url},
    )
    assert "Sign in with" not in Client().get(reverse("account_login")).content.decode()
    assert Client().post(f"{LOGIN_URL}?process=login").status_code == 404
    assert not admin.site.is_registered(SocialApp)  # nor can one be added there
    assert not admin.site.is_registered(SocialToken)


def test_configured_the_login_page_offers_the_council_button(db, council):
    page = Client().get(reverse("account_login") + "?next=/staff/").content.decode()
    assert "Sign in with your council account" in page
    assert f'action="{LOGIN_URL}?process=login&amp;next=%2Fstaff%2F"' in page
    assert 'class="govuk-button govuk-button--secondary"' in page


def test_opening_the_council_sign_in_address_asks_to_continue_without_leaving(db, council):
    response = Client().get(LOGIN_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sign in with your council account" in page
    assert '<form method="post">' in page


def test_a_made_up_return_from_the_council_signs_nobody_in(council, caseworker):
    client = Client()
    response = client.get(f"{CALLBACK_URL}?code=guessed&state=guessed")
    assert "did not work" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_socialaccount_connections_and_signup_stay_unreachable_when_configured(council, caseworker):
    client = client_for(caseworker)
    for url in (
        "/accounts/3rdparty/",
        "/accounts/3rdparty/signup/",
        "/accounts/social/connections/",
    ):
        assert client.get(url).status_code == 404, url


# --- signing in -------------------------------------------------------------------------


def test_an_invited_member_of_staff_signs_in_and_lands_on_the_staff_queue(council, caseworker):
    council.person = person("casey-sub", "Casey@Council.Example.org", amr=["pwd", "mfa"])
    client = Client()
    response = sign_in_with_council(client, council)
    assert response.status_code == 302
    assert signed_in_user(client) == caseworker.pk
    home = client.get(response["Location"])
    assert home["Location"] == "/staff/"
    queue = client.get("/staff/")
    assert queue.status_code == 200
    link = SocialAccount.objects.get()
    assert (link.user, link.provider, link.uid) == (caseworker, "council", "casey-sub")
    entry = AuditEntry.objects.filter(kind=AuditKind.SIGN_IN).get()
    assert (entry.user_id, entry.detail) == (
        caseworker.pk,
        "council account, council's second factor",
    )


def test_the_page_asked_for_before_signing_in_is_where_they_land(council, caseworker):
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    client = Client()
    response = sign_in_with_council(client, council, next="/staff/settings/")
    assert response["Location"] == "/staff/settings/"
    assert client.get("/staff/settings/").status_code == 200


def test_signing_in_again_uses_the_same_link(council, caseworker):
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    sign_in_with_council(Client(), council)
    client = Client()
    sign_in_with_council(client, council)
    assert signed_in_user(client) == caseworker.pk
    assert SocialAccount.objects.count() == 1


def test_the_council_second_factor_means_no_code_here(council, caseworker):
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    client = Client()
    response = sign_in_with_council(client, council)
    assert response["Location"] != reverse("mfa_authenticate")
    assert client.get("/staff/").status_code == 200


def test_a_password_alone_at_the_council_still_asks_for_the_code_here(council, caseworker):
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd"])
    client = Client()
    response = sign_in_with_council(client, council)
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert signed_in_user(client) == caseworker.pk
    assert client.get("/staff/").status_code == 200
    entry = AuditEntry.objects.filter(kind=AuditKind.SIGN_IN).get()
    assert entry.detail == "council account"


def test_with_trust_off_the_councils_second_factor_does_not_count(settings, fake, caseworker):
    configure(settings, fake, trust_mfa=False)
    fake.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    client = Client()
    response = sign_in_with_council(client, fake)
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None


def test_staff_without_an_app_and_without_the_councils_second_factor_set_one_up(
    council, reference_data
):
    newbie = make_staff("newbie", "fostering", mfa=False)
    council.person = person("newbie-sub", "newbie@council.example.org", amr=["pwd"])
    client = Client()
    sign_in_with_council(client, council)
    assert signed_in_user(client) == newbie.pk
    response = client.get("/staff/")
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_pending_staff_invitation_is_accepted_by_the_council_account(council, manager):
    service = Service.objects.get(slug="leaving-care")
    invitation, _token, _code = Invitation.issue(
        created_by=manager,
        kind=Invitation.Kind.STAFF,
        service=service,
        role=Membership.Role.CASEWORKER,
        email="robin@council.example.org",
    )
    council.person = person("robin-sub", "ROBIN@council.example.org", amr=["pwd", "mfa"])
    client = Client()
    sign_in_with_council(client, council)
    robin = User.objects.get(email__iexact="robin@council.example.org")
    assert signed_in_user(client) == robin.pk
    assert not robin.has_usable_password()  # signs in with the council's account only
    assert list(robin.memberships.values_list("service__slug", "role")) == [
        ("leaving-care", Membership.Role.CASEWORKER)
    ]
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.used_by == robin
    assert SocialAccount.objects.get().user == robin
    assert client.get("/staff/").status_code == 200


def test_an_invitation_for_a_young_person_is_never_accepted_this_way(council, manager):
    Invitation.issue(created_by=manager, kind=Invitation.Kind.YOUNG_PERSON, email="kid@example.org")
    council.person = person("kid-sub", "kid@example.org", amr=["pwd", "mfa"])
    users = User.objects.count()
    response = sign_in_with_council(Client(), council)
    assert response.status_code == 403
    assert User.objects.count() == users


# --- refusals: nothing made, nothing linked ---------------------------------------------


def assert_refused(response: HttpResponse, client: Client, users_before: int) -> None:
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()


def test_an_unknown_email_is_refused_and_nothing_is_made(council, caseworker):
    council.person = person("stranger-sub", "stranger@council.example.org", amr=["pwd", "mfa"])
    users, client = User.objects.count(), Client()
    assert_refused(sign_in_with_council(client, council), client, users)
    entry = AuditEntry.objects.get(kind=AuditKind.SIGN_IN_FAILED)
    assert (entry.user_id, entry.detail) == (None, "council account: not invited")
    assert "stranger" not in entry.detail


def test_a_young_persons_email_is_refused_even_with_a_staff_invitation_for_it(
    council, young_person, manager
):
    """A staff invitation made (by mistake or malice) for a young person's email would
    otherwise make a staff account with it: the young person's email wins, refused."""
    Invitation.issue(
        created_by=manager,
        kind=Invitation.Kind.STAFF,
        service=Service.objects.get(slug="leaving-care"),
        role=Membership.Role.CASEWORKER,
        email="jade@example.org",
    )
    council.person = person("jade-sub", "jade@example.org", amr=["pwd", "mfa"])
    users, client = User.objects.count(), Client()
    assert_refused(sign_in_with_council(client, council), client, users)
    assert Invitation.objects.usable().filter(email="jade@example.org").exists()


def test_an_unverified_email_is_refused(council, caseworker):
    council.person = person(
        "casey-sub", "casey@council.example.org", verified=False, amr=["pwd", "mfa"]
    )
    users, client = User.objects.count(), Client()
    assert_refused(sign_in_with_council(client, council), client, users)
    entry = AuditEntry.objects.get(kind=AuditKind.SIGN_IN_FAILED)
    assert entry.detail == "council account: email not verified"


def test_a_server_trusted_for_email_needs_no_email_verified_claim(settings, council, caseworker):
    settings.OIDC_TRUST_EMAIL = True  # Entra ID sends no email_verified
    council.person = person("casey-sub", "casey@council.example.org", verified=None, amr=["mfa"])
    client = Client()
    sign_in_with_council(client, council)
    assert signed_in_user(client) == caseworker.pk


def test_a_switched_off_account_is_refused_even_when_linked_before(council, caseworker):
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    sign_in_with_council(Client(), council)
    User.objects.filter(pk=caseworker.pk).update(is_active=False)
    client = Client()
    response = sign_in_with_council(client, council)
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert signed_in_user(client) is None


def test_a_signed_in_person_cannot_link_a_council_account(council, young_person, caseworker):
    council.person = person("casey-sub", "casey@council.example.org", amr=["pwd", "mfa"])
    client = client_for(young_person)
    response = client.post(f"{LOGIN_URL}?process=connect")
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    connection = http.client.HTTPConnection(authorize.netloc, timeout=5)
    connection.request("GET", f"{authorize.path}?{authorize.query}")
    back = urlsplit(connection.getresponse().getheader("Location") or "")
    connection.close()
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 403
    assert not SocialAccount.objects.exists()


# --- the invitation form and the settings -----------------------------------------------


def test_the_invitation_form_asks_for_a_council_email_only_when_configured(settings, fake, manager):
    client = client_for(manager)
    assert 'name="email"' not in client.get(reverse("invitation_new")).content.decode()
    configure(settings, fake)
    assert 'name="email"' in client.get(reverse("invitation_new")).content.decode()
    service = Service.objects.get(slug="leaving-care")
    client.post(
        reverse("invitation_new"),
        {
            "kind": "staff",
            "service": service.pk,
            "role": "caseworker",
            "email": "a@council.example.org",
        },
    )
    assert Invitation.objects.get().email == "a@council.example.org"


@pytest.mark.parametrize(
    ("amr", "second_factor"),
    [
        (["pwd", "mfa"], True),
        (["mfa"], True),
        (["pwd", "otp"], True),
        (["hwk", "pin"], True),
        (["ngcmfa"], True),
        (["pwd"], False),
        (["otp"], False),  # an emailed code alone: one factor
        (["pwd", "kba"], False),  # two things known are one kind
        ([], False),
        (None, False),
        ("mfa", False),  # not a list, as RFC 8176 says it is
    ],
)
def test_which_amr_values_mean_a_second_factor(amr, second_factor):
    assert names_a_second_factor(amr) is second_factor


def _settings_in_a_fresh_interpreter(**env: str) -> subprocess.CompletedProcess[str]:
    script = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.SOCIALACCOUNT_PROVIDERS,"
        " settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_EMBEDDED": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_environment_switches_the_council_sign_in_on():
    done = _settings_in_a_fresh_interpreter(
        OIDC_SERVER_URL="https://login.microsoftonline.com/tenant-id/v2.0/",
        OIDC_CLIENT_ID="client",
        OIDC_CLIENT_SECRET="secret",
        OIDC_PROVIDER_NAME="your Camden account",
    )
    assert done.returncode == 0, done.stderr
    providers, form_action = json.loads(done.stdout)
    (app,) = providers["openid_connect"]["APPS"]
    assert app["provider_id"] == "council"
    assert app["name"] == "your Camden account"
    assert app["settings"]["server_url"] == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert form_action == ["'self'", "https://login.microsoftonline.com"]


def test_half_the_settings_stop_start_up_naming_them():
    done = _settings_in_a_fresh_interpreter(OIDC_SERVER_URL="https://login.example.org")
    assert done.returncode != 0
    assert "OIDC_CLIENT_ID" in done.stderr
