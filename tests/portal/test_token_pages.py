"""API tokens on a staff page: made (shown once), listed, revoked after a confirmation;
the same rules and audit record as the API's."""

from __future__ import annotations

import html
import re

import pytest

from portal.models import ApiToken, AuditEntry, AuditKind, User, hash_code
from tests.conftest import client_for
from tests.portal.test_tokens import stale_second_factor

pytestmark = pytest.mark.django_db

PAGE = "/staff/tokens/"


def revoke_page(token: ApiToken) -> str:
    return f"/staff/tokens/{token.pk}/revoke/"


def test_staff_make_a_token_and_see_it_once(caseworker: User) -> None:
    client = client_for(caseworker)
    response = client.post(PAGE, {"name": "Case system", "days": "7"})
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r'value="(yv_[^"]+)"', page)
    assert raw, "the new token is on the page"
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (
        caseworker,
        "Case system",
        hash_code(raw[1]),
    )
    assert token.with_second_factor
    assert "It is shown this once and never again." in page
    entry = AuditEntry.objects.named().get(kind=AuditKind.CONFIGURATION)
    assert entry.detail == f"API token {token.pk} made, for 7 days"
    # Listed from now on, never with its value.
    listed = client.get(PAGE).content.decode()
    assert "Case system" in listed and raw[1] not in listed
    assert "Last used: never" in " ".join(re.sub(r"<[^>]+>", " ", listed).split())


def test_a_token_is_made_only_just_after_confirming_the_code_and_the_form_keeps_its_answers(
    caseworker: User,
) -> None:
    client = stale_second_factor(caseworker)
    page = client.get(PAGE).content.decode()
    assert 'href="/accounts/2fa/reauthenticate/?next=%2Fstaff%2Ftokens%2F"' in page
    response = client.post(PAGE, {"name": "Case system", "days": "7"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Confirm it is you with your authenticator app, then make it." in page
    assert 'value="Case system"' in page and 'value="7"' in page
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"name": "  ", "days": "7"}, "Say what the token is for."),
        ({"name": "App", "days": "365"}, "It lasts at most 90 days."),
        ({"name": "App", "days": "soon"}, "Give the number of days as a whole number, like 30."),
    ],
)
def test_a_wrong_answer_is_said_beside_its_field(
    caseworker: User, answers: dict[str, str], message: str
) -> None:
    response = client_for(caseworker).post(PAGE, answers)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_refuses_the_token(caseworker: User) -> None:
    token, raw = ApiToken.issue(user=caseworker, name="Old app", with_second_factor=True)
    client = client_for(caseworker)
    confirm = client.get(revoke_page(token))
    assert confirm.status_code == 200
    assert "Revoke “Old app”?" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking
    response = client.post(revoke_page(token), follow=True)
    assert "Token revoked. Apps using it are now refused." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == caseworker
    entry = AuditEntry.objects.named().get(kind=AuditKind.CONFIGURATION)
    assert entry.detail == f"API token {token.pk} of user {caseworker.pk} revoked"
    app = client_for(None)
    app.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    assert app.get("/api/v1/staff/items/").status_code == 403


def test_someone_elses_token_is_not_found_but_the_complaints_manager_revokes_any(
    caseworker: User, manager: User, complaints_manager: User
) -> None:
    token, _raw = ApiToken.issue(user=caseworker, name="Case system", with_second_factor=True)
    other = client_for(manager)
    assert "Case system" not in other.get(PAGE).content.decode()
    assert other.get(revoke_page(token)).status_code == 404
    assert other.post(revoke_page(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

    cm = client_for(complaints_manager)
    listed = cm.get(PAGE).content.decode()
    assert "Everyone's tokens" in html.unescape(listed) and "Case system" in listed
    cm.post(revoke_page(token))
    token.refresh_from_db()
    assert token.revoked_by == complaints_manager


def test_young_people_and_staff_without_the_second_factor_do_not_reach_the_page(
    care_leaver: User, caseworker: User
) -> None:
    assert client_for(care_leaver).get(PAGE).status_code == 404
    unconfirmed = client_for(caseworker, second_factor=False).get(PAGE)
    assert unconfirmed.status_code == 302 and "/accounts/login/" in unconfirmed["Location"]
    assert client_for(None).get(PAGE)["Location"].startswith("/accounts/login/")


def test_the_api_has_no_generic_browsable_page_any_more(caseworker: User) -> None:
    response = client_for(caseworker).get("/api/v1/tokens/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"
    assert b"<html" not in response.content
