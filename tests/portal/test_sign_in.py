import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.adapters import KNOWN_DEVICE_COOKIE
from portal.models import Invitation, Membership, User
from tests.conftest import PASSWORD, TOTP_SECRET, client_for, make_staff

# The middle of a 30-second window, so a frozen clock never sits on a boundary.
NOON = datetime(2026, 11, 30, 12, 0, 15, tzinfo=UTC)


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def code_at(moment: float) -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, int(moment) // 30))


def client_queue_heading(client) -> str:
    page = client.get("/staff/").content.decode()
    match = re.search(r"<h1[^>]*>\s*([^<]*?)\s*<", page)
    return match.group(1) if match else ""


def test_a_young_person_signs_in_with_their_username(young_person):
    client = client_for(None)
    response = sign_in(client, "jade")
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/postcards/"


def test_a_young_person_signs_in_with_their_email(young_person):
    client = client_for(None)
    response = sign_in(client, "jade@example.org")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == young_person.pk


def test_a_wrong_password_is_refused_with_a_message(young_person):
    response = sign_in(client_for(None), "jade", "wrong")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_staff_with_a_second_factor_are_asked_for_it_at_sign_in(caseworker):
    client = client_for(None)
    response = sign_in(client, "casey")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_a_caseworker_without_a_second_factor_is_sent_to_set_one_up(reference_data):
    user = make_staff("newbie", "fostering", mfa=False)
    client = client_for(user)
    for url in ("/staff/", "/staff/paper/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_a_caseworker_with_a_second_factor_reaches_the_queue(caseworker):
    assert client_for(caseworker).get("/staff/").status_code == 200


def test_a_young_person_is_not_forced_to_set_up_a_second_factor(young_person):
    assert client_for(young_person).get("/postcards/").status_code == 200


@pytest.fixture
def invitation(caseworker):
    return Invitation.issue(
        created_by=caseworker, kind="young_person", audience="care_leaver", year_of_birth=2007
    )


def accept(client, username="river", password="a long enough passphrase 42"):
    return client.post(
        reverse("invitation_accept"),
        {"username": username, "password1": password, "password2": password},
    )


def test_an_invitation_code_makes_an_account_and_signs_in(invitation):
    _invitation, _token, code = invitation
    client = client_for(None)
    response = client.post(reverse("invitation_code"), {"code": code.lower()})
    assert response["Location"] == reverse("invitation_accept")
    response = accept(client)
    assert response.status_code == 302
    user = User.objects.get(username="river")
    assert user.young_person.audience == "care_leaver"
    assert user.young_person.year_of_birth == 2007
    assert int(client.session["_auth_user_id"]) == user.pk


def test_an_invitation_link_works_too(invitation):
    _invitation, token, _code = invitation
    client = client_for(None)
    assert client.get(f"/invite/{token}/")["Location"] == reverse("invitation_accept")
    assert accept(client).status_code == 302
    assert User.objects.filter(username="river").exists()


def test_an_invitation_works_once(invitation):
    _invitation, _token, code = invitation
    first = client_for(None)
    first.post(reverse("invitation_code"), {"code": code})
    accept(first)
    second = client_for(None)
    response = second.post(reverse("invitation_code"), {"code": code})
    assert response.status_code == 200
    assert "already been used or has run out" in response.content.decode()


def test_an_expired_invitation_is_refused(invitation):
    record, _token, code = invitation
    Invitation.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client_for(None).post(reverse("invitation_code"), {"code": code})
    assert "already been used or has run out" in response.content.decode()


def test_a_wrong_code_is_refused_with_a_clear_message(invitation):
    response = client_for(None).post(reverse("invitation_code"), {"code": "WRONGCODE"})
    assert response.status_code == 200
    assert "We could not find that code" in response.content.decode()


def test_the_accept_page_needs_an_invitation_first(db):
    response = client_for(None).get(reverse("invitation_accept"))
    assert response["Location"] == reverse("invitation_code")


def test_a_taken_username_and_mismatched_passwords_get_messages(invitation, young_person):
    _invitation, _token, code = invitation
    client = client_for(None)
    client.post(reverse("invitation_code"), {"code": code})
    response = client.post(
        reverse("invitation_accept"), {"username": "jade", "password1": "abc", "password2": "abd"}
    )
    page = response.content.decode()
    # The same words whether or not someone has the name: nothing to learn by trying.
    assert "That username cannot be used. Try another one." in page
    assert "taken" not in page
    assert "The two passwords are different" in page


def test_trying_usernames_one_after_another_is_slowed_down(invitation, young_person):
    _invitation, _token, code = invitation
    client = client_for(None)
    client.post(reverse("invitation_code"), {"code": code})
    for n in range(20):
        client.post(
            reverse("invitation_accept"),
            {"username": f"guess{n}", "password1": "a", "password2": "b"},
        )
    response = client.post(
        reverse("invitation_accept"), {"username": "jade", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def test_once_slowed_down_the_answer_is_the_same_for_a_taken_and_a_free_username(
    invitation, young_person
):
    _invitation, _token, code = invitation
    client = client_for(None)
    client.post(reverse("invitation_code"), {"code": code})
    for n in range(20):
        client.post(reverse("invitation_accept"), {"username": f"guess{n}", "password1": "a"})

    def answer(username: str) -> str:
        response = client.post(
            reverse("invitation_accept"),
            {"username": username, "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 429
        page = response.content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)

    taken, free = answer("jade"), answer("nobody-has-this-name")
    assert "Too many tries" in taken
    assert "That username cannot be used" not in taken
    assert taken == free
    assert not User.objects.filter(username="nobody-has-this-name").exists()


def test_a_staff_invitation_makes_a_member_of_the_service(manager):
    from portal.models import Service

    _inv, _token, code = Invitation.issue(
        created_by=manager,
        kind="staff",
        service=Service.objects.get(slug="leaving-care"),
        role="caseworker",
    )
    client = client_for(None)
    client.post(reverse("invitation_code"), {"code": code})
    accept(client, username="newstaff")
    user = User.objects.get(username="newstaff")
    assert Membership.objects.filter(
        user=user, service__slug="leaving-care", role="caseworker"
    ).exists()
    assert user.young_person is None
    # A new member of staff must still set up a second factor before seeing items.
    assert client.get("/staff/")["Location"] == reverse("mfa_activate_totp")


def test_staff_make_an_invitation_and_see_its_code_once(caseworker):
    client = client_for(caseworker)
    response = client.post(
        reverse("invitation_new"),
        {"kind": "young_person", "audience": "in_care", "year_of_birth": "2012"},
    )
    assert response.status_code == 200
    issued = response.context["issued"]
    assert issued["code"] in response.content.decode()
    assert Invitation.objects.get().code_hash != issued["code"]


def test_a_caseworker_cannot_invite_staff_to_a_service_they_do_not_manage(caseworker):
    from portal.models import Service

    response = client_for(caseworker).post(
        reverse("invitation_new"),
        {
            "kind": "staff",
            "service": Service.objects.get(slug="leaving-care").pk,
            "role": "manager",
        },
    )
    assert "Only that service" in response.content.decode()
    assert not Invitation.objects.exists()


def test_young_people_cannot_open_the_invitation_page(young_person):
    assert client_for(young_person).get(reverse("invitation_new")).status_code == 404


def test_guessing_invitation_codes_is_rate_limited(db):
    client = client_for(None)
    for _ in range(10):
        client.post(reverse("invitation_code"), {"code": "AAAAAAAA"})
    response = client.post(reverse("invitation_code"), {"code": "AAAAAAAA"})
    assert "Too many tries" in response.content.decode()


def test_only_the_complaints_manager_invites_council_members(caseworker, complaints_manager):
    data = {"kind": "young_person", "audience": "in_care", "council_member": "on"}
    response = client_for(caseworker).post(reverse("invitation_new"), data)
    assert "Only the complaints manager can invite council members" in response.content.decode()
    assert not Invitation.objects.exists()
    client_for(complaints_manager).post(reverse("invitation_new"), data)
    assert Invitation.objects.get().council_member is True


def test_an_invitation_accepted_twice_makes_one_account(invitation):
    record, _token, _code = invitation
    user = record.accept(username="river", password="a long enough passphrase 42")
    assert user.young_person.audience == "care_leaver" and user.young_person.year_of_birth == 2007
    # A second tab, or a replayed form, finds it used and makes nobody.
    assert record.accept(username="rain", password="a long enough passphrase 42") is None
    assert not User.objects.filter(username="rain").exists()
    record.refresh_from_db()
    assert record.used_by == user and record.used_at is not None


def test_young_people_cannot_manage_email_addresses_through_allauth(young_person, caseworker):
    assert client_for(young_person).get("/accounts/email/").status_code == 404
    assert (
        client_for(young_person)
        .post("/accounts/email/", {"email": "new@example.org", "action_add": ""})
        .status_code
        == 404
    )
    assert client_for(caseworker).get("/accounts/email/").status_code == 200


def test_no_mail_goes_to_an_address_nobody_has_verified(young_person, mailoutbox):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=young_person, email="stranger@example.org", verified=False)
    client_for(None).post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    assert [m for m in mailoutbox if "stranger@example.org" in m.to] == []


# --- Failed sign-ins from a shared address ------------------------------------------


def test_many_failures_from_a_shared_address_slow_only_the_failing_pair(duty_worker, young_person):
    """A children's home or an office shares one address: a stranger's twenty-odd failures
    there must not keep anyone else out, least of all a known device with its code."""
    office = "198.51.100.10"
    with time_machine.travel(NOON, tick=False) as traveller:
        browser = Client(REMOTE_ADDR=office)  # the duty worker's own browser
        sign_in(browser, "dana")
        browser.post(reverse("mfa_authenticate"), {"code": code_at(time.time())})
        assert KNOWN_DEVICE_COOKIE in browser.cookies
        browser.post(reverse("account_logout"))

        traveller.shift(31)  # the next code
        stranger = Client(REMOTE_ADDR=office)
        for n in range(30):
            sign_in(stranger, f"guess{n % 6}", "not the password")
        assert (
            "Too many failed sign-in attempts"
            in sign_in(stranger, "guess0", "not the password").content.decode()
        )

        assert sign_in(browser, "dana")["Location"] == reverse("mfa_authenticate")
        done = browser.post(reverse("mfa_authenticate"), {"code": code_at(time.time())})
        assert done.status_code == 302 and done["Location"] != reverse("account_login")
        assert client_queue_heading(browser) == "Queue"

        # A young person on the home's shared laptop, with no cookie: in as well.
        jade = sign_in(Client(REMOTE_ADDR=office), "jade")
        assert jade.status_code == 302 and jade["Location"] != reverse("account_login")
