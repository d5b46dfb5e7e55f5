"""Apps' tokens: one person's, expiring, revocable by them and the complaints manager;
the second factor is the token's own sign-in, never the browser's that sends it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from feedback.models import Item
from portal.models import ApiToken, AuditEntry, AuditKind, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"


def bearer(raw: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def make_token(client: Client, name: str = "My phone", **extra: object) -> dict[str, object]:
    response = client.post(TOKENS, {"name": name, **extra}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def stale_second_factor(user: User) -> Client:
    """Signed in with the second factor this morning, not in the last few minutes."""
    client = client_for(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "mfa", "at": time.time() - 3600, "type": "totp"}
    ]
    session.save()
    return client


def test_a_young_person_makes_a_token_and_their_app_reads_their_items(
    care_leaver: User, other_young_person: User, item: Item
) -> None:
    made = make_token(client_for(care_leaver))
    raw = str(made["token"])
    assert made["person"] == care_leaver.username
    stored = ApiToken.objects.get(pk=made["id"])
    assert raw not in {stored.key_hash, stored.name} and len(stored.key_hash) == 64
    assert stored.expires_at - timezone.now() > timedelta(days=29)

    app = bearer(raw)
    mine = app.get("/api/v1/items/").json()["results"]
    assert [row["reference"] for row in mine] == [item.reference]
    # No session and no CSRF token: an app replies with the token alone.
    reply = app.post(
        f"/api/v1/items/{item.reference}/reply/", {"text": "Thanks"}, "application/json"
    )
    assert reply.status_code == 200
    # The list never shows the token again.
    listed = client_for(care_leaver).get(TOKENS).json()["results"]
    assert [row["id"] for row in listed] == [made["id"]] and "token" not in listed[0]


def test_a_token_cannot_make_tokens(care_leaver: User) -> None:
    app = bearer(str(make_token(client_for(care_leaver))["token"]))
    response = app.post(TOKENS, {"name": "Another"}, content_type="application/json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"revoked_at": timezone.now()},
    ],
    ids=["expired", "revoked"],
)
def test_an_expired_or_revoked_token_is_refused_not_treated_as_signed_out(
    care_leaver: User, change: dict[str, object]
) -> None:
    token, raw = ApiToken.issue(user=care_leaver, name="App", with_second_factor=False)
    ApiToken.objects.filter(pk=token.pk).update(**change)
    response = bearer(raw).get("/api/v1/topics/")
    assert response.status_code == 403
    assert response.json() == {
        "message": "That token has expired or been revoked. Make a new one.",
        "field": None,
    }


def test_an_unknown_token_is_refused(reference_data: None) -> None:
    assert bearer("yv_not-a-token").get("/api/v1/topics/").status_code == 403


def test_a_token_lasts_as_long_as_asked_and_never_past_the_longest(care_leaver: User) -> None:
    client = client_for(care_leaver)
    made = make_token(client, days=7)
    expires = ApiToken.objects.get(pk=made["id"]).expires_at
    assert timedelta(days=6) < expires - timezone.now() <= timedelta(days=7)
    too_long = client.post(TOKENS, {"name": "App", "days": 365}, content_type="application/json")
    assert too_long.status_code == 400 and too_long.json()["field"] == "days"


# persona:            owner  other young person  caseworker  complaints manager
REVOKERS = {"owner": 204, "other_young_person": 404, "caseworker": 404, "complaints_manager": 204}


@pytest.mark.parametrize("who", REVOKERS)
def test_a_token_is_revoked_by_its_owner_or_the_complaints_manager_only(
    who: str,
    care_leaver: User,
    other_young_person: User,
    caseworker: User,
    complaints_manager: User,
) -> None:
    people = {
        "owner": care_leaver,
        "other_young_person": other_young_person,
        "caseworker": caseworker,
        "complaints_manager": complaints_manager,
    }
    token, raw = ApiToken.issue(user=care_leaver, name="App", with_second_factor=False)
    response = client_for(people[who]).delete(f"{TOKENS}{token.pk}/")
    assert response.status_code == REVOKERS[who]
    token.refresh_from_db()
    revoked = REVOKERS[who] == 204
    assert (token.revoked_at is not None) is revoked
    assert token.revoked_by == (people[who] if revoked else None)
    assert bearer(raw).get("/api/v1/items/").status_code == (403 if revoked else 200)


def test_making_and_revoking_a_token_is_in_the_audit_log_without_its_name(
    care_leaver: User, complaints_manager: User
) -> None:
    made = make_token(client_for(care_leaver), name="Jade's secret phone", days=7)
    client_for(complaints_manager).delete(f"{TOKENS}{made['id']}/")
    client_for(complaints_manager).delete(f"{TOKENS}{made['id']}/")  # again: nothing new
    entries = AuditEntry.objects.named().filter(kind=AuditKind.CONFIGURATION).order_by("id")
    assert [(e.user_id, e.who, e.detail) for e in entries] == [
        (care_leaver.pk, None, f"API token {made['id']} made, for 7 days"),
        (
            complaints_manager.pk,
            complaints_manager.username,
            f"API token {made['id']} of user {care_leaver.pk} revoked",
        ),
    ]


def test_an_app_revokes_its_own_token(care_leaver: User) -> None:
    token, raw = ApiToken.issue(user=care_leaver, name="App", with_second_factor=False)
    app = bearer(raw)
    assert app.delete(f"{TOKENS}{token.pk}/").status_code == 204
    assert app.get("/api/v1/items/").status_code == 403


def test_the_complaints_manager_sees_everyones_tokens(
    care_leaver: User, caseworker: User, complaints_manager: User
) -> None:
    ApiToken.issue(user=care_leaver, name="Phone", with_second_factor=False)
    ApiToken.issue(user=caseworker, name="Case system", with_second_factor=True)
    listed = client_for(complaints_manager).get(TOKENS).json()["results"]
    assert {row["person"] for row in listed} == {care_leaver.username, caseworker.username}
    assert client_for(care_leaver).get(TOKENS).json()["results"][0]["name"] == "Phone"
    assert len(client_for(care_leaver).get(TOKENS).json()["results"]) == 1


# --- Staff: the second factor -----------------------------------------------------------


def test_staff_make_a_token_only_just_after_confirming_their_second_factor(
    caseworker: User, item: Item
) -> None:
    refused = stale_second_factor(caseworker).post(
        TOKENS, {"name": "Case system"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "authenticator" in refused.json()["message"]
    assert not ApiToken.objects.exists()

    made = make_token(client_for(caseworker), "Case system")  # confirmed just now
    assert made["with_second_factor"] is True
    queue = bearer(str(made["token"])).get("/api/v1/staff/items/")
    assert [row["reference"] for row in queue.json()["results"]] == [item.reference]


def test_the_second_factor_is_the_tokens_not_the_browsers(caseworker: User, item: Item) -> None:
    """A token made without the second factor stays without it, even sent from a browser
    whose session passed it; and a token made with it needs no session at all."""
    _weak, weak_raw = ApiToken.issue(user=caseworker, name="Old", with_second_factor=False)
    browser = bearer(weak_raw, client_for(caseworker))  # a session that passed the factor
    assert browser.get("/api/v1/staff/items/").status_code == 404
    assert browser.get(f"/api/v1/staff/items/{item.reference}/").status_code == 404

    _strong, strong_raw = ApiToken.issue(user=caseworker, name="App", with_second_factor=True)
    assert bearer(strong_raw).get(f"/api/v1/staff/items/{item.reference}/").status_code == 200


def test_a_staff_token_stops_opening_items_when_the_authenticator_goes(
    caseworker: User, item: Item
) -> None:
    _token, raw = ApiToken.issue(user=caseworker, name="App", with_second_factor=True)
    Authenticator.objects.filter(user=caseworker).delete()
    assert bearer(raw).get(f"/api/v1/staff/items/{item.reference}/").status_code == 404


def test_a_session_without_the_token_still_needs_csrf(care_leaver: User, item: Item) -> None:
    browser = client_for(care_leaver)
    browser.handler.enforce_csrf_checks = True
    response = browser.post(
        f"/api/v1/items/{item.reference}/reply/", {"text": "Hi"}, "application/json"
    )
    assert response.status_code == 403
