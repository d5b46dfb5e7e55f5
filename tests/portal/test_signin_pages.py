"""Signing in, the second factor and passwords, as staff and young people see them: plain
words, a code field a phone fills in, an error summary, and every step leading on.

First-time setup asks for the password once (when the invitation is accepted), then
the authenticator app, then the recovery codes, then the queue.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.models import Invitation, Membership, Service, User
from tests.conftest import PASSWORD, TOTP_SECRET, client_for, make_staff

# The middle of a 30-second window, so a frozen clock never sits on a boundary.
NOON = datetime(2026, 11, 30, 12, 0, 15, tzinfo=UTC)
CODE_FIELD = re.compile(r"<input[^>]*\bname=\"code\"[^>]*>")


def code_at(moment: float, secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(moment) // 30))


def current_code(secret: str = TOTP_SECRET) -> str:
    return code_at(time.time(), secret)


def text(response) -> str:
    return response.content.decode()


def heading(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert match, "the page has no heading"
    return match.group(1).strip()


def assert_code_field(page: str) -> None:
    """One field for the code: the number keypad, the phone's one-time-code offer, and
    nothing capitalised or spell-checked."""
    [field] = CODE_FIELD.findall(page)
    for attribute in (
        'inputmode="numeric"',
        'autocomplete="one-time-code"',
        'autocapitalize="none"',
        'spellcheck="false"',
    ):
        assert attribute in field, f"{attribute} missing from {field}"


def signed_in_with_password(login: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    return client


# --- The code at sign-in --------------------------------------------------------------


def test_the_code_page_asks_for_the_apps_code_in_plain_words(caseworker):
    page = text(signed_in_with_password("casey").get(reverse("mfa_authenticate")))
    assert heading(page) == "Enter the code from your authenticator app"
    assert_code_field(page)
    assert "A recovery code also works" in page
    assert "Two-Factor" not in page


def test_the_right_code_goes_on_to_the_queue(caseworker):
    client = signed_in_with_password("casey")
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response["Location"] == "/"
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("feedback:queue")


def test_a_wrong_code_is_refused_with_an_error_summary(caseworker):
    response = signed_in_with_password("casey").post(
        reverse("mfa_authenticate"), {"code": "000000"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_code">That code did not work.' in page
    assert "Error:" in page.split("<title>")[1].split("</title>")[0]
    assert_code_field(page)


def test_a_code_just_used_says_to_wait_for_the_next_one(caseworker):
    with time_machine.travel(NOON, tick=False):
        code = code_at(NOON.timestamp())
        first = signed_in_with_password("casey")
        assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        # Someone watching over the shoulder, or the same person on a second device.
        second = signed_in_with_password("casey")
        response = second.post(reverse("mfa_authenticate"), {"code": code})
    page = text(response)
    assert "That code has just been used. Wait for the next one." in page
    assert "That code did not work" not in page
    assert "_auth_user_id" not in second.session


def test_a_recovery_code_also_signs_in(caseworker):
    [recovery_code, *_others] = RecoveryCodes.activate(caseworker).get_unused_codes()
    client = signed_in_with_password("casey")
    response = client.post(reverse("mfa_authenticate"), {"code": recovery_code})
    assert response.status_code == 302
    assert client.get(reverse("feedback:queue")).status_code == 200


# --- First-time setup -----------------------------------------------------------------


@pytest.fixture
def staff_invitation(manager: User) -> str:
    _invitation, _token, code = Invitation.issue(
        created_by=manager,
        kind=Invitation.Kind.STAFF,
        service=Service.objects.get(slug="leaving-care"),
        role=Membership.Role.CASEWORKER,
    )
    return code


def accept_invitation(client: Client, code: str) -> None:
    client.post(reverse("invitation_code"), {"code": code})
    page = text(client.get(reverse("invitation_accept")))
    assert "Next, you will set up an authenticator app on your phone" in page
    password = "a long enough passphrase 42"
    response = client.post(
        reverse("invitation_accept"),
        {"username": "newbie", "password1": password, "password2": password},
    )
    assert response.status_code == 302


# Transactional: allauth records the new app after commit, inside the request, as in
# production; a test wrapped in one transaction would run that after the response.
@pytest.mark.django_db(transaction=True)
def test_first_time_setup_goes_from_invitation_to_the_queue_without_asking_again(
    staff_invitation,
):
    client = Client()
    accept_invitation(client, staff_invitation)

    # Signed in by choosing the password: straight on to the app, no "confirm it is you".
    response = client.get("/", follow=True)
    assert [url for url, _status in response.redirect_chain] == [
        reverse("feedback:queue"),
        reverse("mfa_activate_totp"),
    ]
    setup = text(response)
    assert heading(setup) == "Set up your authenticator app"
    assert 'src="data:image/svg+xml;base64,' in setup  # the QR code
    secret = client.session[SECRET_SESSION_KEY]
    assert " ".join(re.findall(".{1,4}", secret)) in setup  # the key, in groups of four
    assert_code_field(setup)
    assert 'type="password"' not in setup

    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")

    codes = client.get(reverse("mfa_view_recovery_codes"))
    page = text(codes)
    assert heading(page) == "Save your recovery codes"
    user = User.objects.get(username="newbie")
    unused = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    assert all(code in page for code in unused)
    assert re.search(r'href="/staff/"[^>]*>Continue to your queue</a>', page)

    # The code typed at setup was the second factor: the queue opens, no sign-in again.
    queue = client.get(reverse("feedback:queue"))
    assert queue.status_code == 200
    assert heading(text(queue)) == "Queue"


def test_recovery_codes_are_shown_only_once(caseworker):
    client = client_for(caseworker)
    unused = RecoveryCodes.activate(caseworker).get_unused_codes()
    assert unused[0] in text(client.get(reverse("mfa_view_recovery_codes")))
    again = text(client.get(reverse("mfa_view_recovery_codes")))
    assert unused[0] not in again
    assert "Make new recovery codes" in again
    assert "Continue to your queue" in again


def test_a_sign_in_some_time_ago_is_asked_to_confirm_it_is_you(reference_data):
    make_staff("newbie", "leaving-care", mfa=False)
    client = signed_in_with_password("newbie")
    with time_machine.travel(time.time() + 11 * 60, tick=False):
        response = client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate") + "?next=")
        page = text(client.get(response["Location"]))
    assert heading(page) == "Confirm it is you"
    assert 'autocomplete="current-password"' in page
    assert "Your password" in page


def test_with_an_app_set_up_only_a_recent_code_turns_it_off(caseworker):
    """A password typed a minute ago is not enough to turn the second factor off."""
    client = client_for(caseworker, second_factor=False)
    session = client.session
    session["account_authentication_methods_user"] = str(caseworker.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session.save()
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert client_for(caseworker).get(reverse("mfa_deactivate_totp")).status_code == 200


def test_confirming_with_a_code_uses_the_same_code_field(caseworker):
    client = client_for(caseworker)
    with time_machine.travel(time.time() + 11 * 60, tick=False):
        page = text(client.get(reverse("mfa_reauthenticate")))
    assert heading(page) == "Confirm it is you"
    assert_code_field(page)
    assert "A recovery code also works" in page


def test_the_authenticator_page_says_what_is_on_and_leads_back_to_the_queue(caseworker):
    RecoveryCodes.activate(caseworker)
    page = text(client_for(caseworker).get(reverse("mfa_index")))
    assert heading(page) == "Your authenticator app"
    assert "On: you sign in with a code from the app" in page
    assert "10 codes left" in page
    assert "Continue to your queue" in page


def test_turning_the_app_off_is_said_plainly(caseworker):
    page = text(client_for(caseworker).get(reverse("mfa_deactivate_totp")))
    assert heading(page) == "Turn off your authenticator app"
    assert "Keep it on" in page


# --- Passwords ------------------------------------------------------------------------


def test_the_reset_page_tells_someone_without_an_email_who_to_ask(db):
    page = text(Client().get(reverse("account_reset_password")))
    assert heading(page) == "Reset your password"
    assert "No email address on your account?" in page
    assert "Ask your worker or the participation team to reset your password" in page


def test_a_reset_says_the_same_whether_or_not_the_address_has_an_account(young_person):
    known = Client().post(reverse("account_reset_password"), {"email": "jade@example.org"})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    done = text(Client().get(reverse("account_reset_password_done")))
    assert heading(done) == "Check your email"
    assert "If an account has that email address" in done
    assert "Ask your worker or the participation team" in done
    assert [m.to for m in mail.outbox if "jade" in m.body] == [["jade@example.org"]]


def test_a_reset_link_that_no_longer_works_says_so(db):
    response = Client().get("/accounts/password/reset/key/x-y/", follow=True)
    page = text(response)
    assert heading(page) == "This link does not work any more"
    assert "Ask for a new link" in page


def test_a_reset_link_leads_to_a_new_password_and_back_to_sign_in(young_person):
    Client().post(reverse("account_reset_password"), {"email": "jade@example.org"})
    [link] = re.findall(
        r"http://testserver(/accounts/password/reset/key/\S+/)", str(mail.outbox[0].body)
    )
    client = Client()
    form = client.get(link, follow=True)
    assert heading(text(form)) == "Choose a new password"
    assert text(form).count('autocomplete="new-password"') == 2
    new = "a brand new passphrase 7"
    done = client.post(
        form.redirect_chain[-1][0], {"password1": new, "password2": new}, follow=True
    )
    page = text(done)
    assert heading(page) == "Your password has been changed"
    assert f'href="{reverse("account_login")}"' in page


def test_changing_a_password_shows_an_error_summary(young_person):
    client = client_for(young_person)
    page = text(client.get(reverse("account_change_password")))
    assert heading(page) == "Change your password"
    assert "Your current password" in page
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "x y z w q r", "password2": "x y z w q r"},
    )
    page = text(response)
    assert "There is a problem" in page
    assert '<a href="#id_oldpassword">' in page


def test_an_unconfirmed_added_address_does_not_block_setting_up_the_app(reference_data):
    make_staff("newbie", "leaving-care", mfa=False)
    client = signed_in_with_password("newbie")
    user = User.objects.get(username="newbie")
    EmailAddress.objects.create(user=user, email="newbie@example.org", verified=False)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert heading(text(response)) == "Set up your authenticator app"


def test_the_email_page_is_in_plain_words(caseworker):
    page = text(client_for(caseworker).get(reverse("account_email")))
    assert heading(page) == "Your email addresses"
    assert "casey@council.example.org" in page
    assert "Make it the main address" in page
    assert "Not confirmed" not in page  # addresses are never confirmed here


# --- The idle sign-out, as a staff page's script sees it ------------------------------

REFRESH = {"X-Queue-Refresh": "1"}
DASH = "\N{EN DASH}"


def test_the_queues_refresh_after_the_idle_limit_is_told_signed_out_not_sent_to_sign_in(
    caseworker, item
):
    with time_machine.travel(NOON, tick=False) as traveller:
        client = client_for(caseworker)
        assert client.get("/staff/").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/staff/", headers=REFRESH)
        assert response.status_code == 401 and "Location" not in response
        assert text(response) == "You have been signed out."
        assert item.words not in text(response)
        # Signed out for real: the next page is the sign-in page.
        assert client.get("/staff/")["Location"].startswith("/accounts/login/")


def test_a_refresh_with_no_session_at_all_is_told_signed_out(reference_data):
    assert Client().get("/staff/", headers=REFRESH).status_code == 401
    assert Client().get("/staff/").status_code == 302  # a person gets the sign-in page


def test_the_idle_page_says_urgent_items_wait_and_signs_in_back_to_the_same_page(caseworker, item):
    page_address = reverse("feedback:staff_item", args=[item.reference])
    with time_machine.travel(NOON, tick=False) as traveller:
        client = client_for(caseworker)
        client.get(page_address)
        traveller.shift(31 * 60)
        page = text(client.get(page_address))
    assert heading(page) == "You have been signed out"
    assert "Urgent items may be waiting." in page and 'role="alert"' in page
    assert f'href="/accounts/login/?next={page_address}">Sign in</a>' in page
    assert f"<title>Signed out {DASH} Your Voice</title>" in page
    assert item.words not in page


def test_the_page_can_ask_how_long_is_left_without_restarting_the_clock(caseworker):
    with time_machine.travel(NOON, tick=False) as traveller:
        client = client_for(caseworker)
        page = text(client.get("/staff/"))
        assert 'data-seconds-left="1800"' in page
        traveller.shift(10 * 60)
        left = client.get(reverse("feedback:staff_session"), headers=REFRESH)
        assert left.json() == {"seconds_left": 1200}
        traveller.shift(21 * 60)  # 31 minutes since the queue, 21 since the last question
        assert client.get(reverse("feedback:staff_session"), headers=REFRESH).status_code == 401


def test_stay_signed_in_starts_the_idle_clock_again(caseworker):
    with time_machine.travel(NOON, tick=False) as traveller:
        client = client_for(caseworker)
        client.get("/staff/")
        traveller.shift(29 * 60)
        stayed = client.post(reverse("feedback:staff_stay_signed_in"))
        assert stayed.json() == {"seconds_left": 1800}
        traveller.shift(29 * 60)
        assert client.get("/staff/").status_code == 200


def test_stay_signed_in_needs_the_pages_csrf_token(caseworker):
    with time_machine.travel(NOON, tick=False) as traveller:
        client = client_for(caseworker)
        client.handler.enforce_csrf_checks = True
        page = text(client.get("/staff/"))
        traveller.shift(29 * 60)
        assert client.post(reverse("feedback:staff_stay_signed_in")).status_code == 403
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        stayed = client.post(
            reverse("feedback:staff_stay_signed_in"), {"csrfmiddlewaretoken": token.group(1)}
        )
        assert stayed.json() == {"seconds_left": 1800}


def test_the_session_pages_are_not_there_for_a_young_person(care_leaver):
    client = client_for(care_leaver)
    assert client.get(reverse("feedback:staff_session"), headers=REFRESH).status_code == 404
    assert client.post(reverse("feedback:staff_stay_signed_in")).status_code == 404


@pytest.mark.parametrize("minutes", [1, 30])
def test_the_participation_officer_is_signed_out_when_idle_like_every_member_of_staff(
    participation_officer, caseworker, settings, minutes
):
    settings.STAFF_IDLE_MINUTES = minutes
    with time_machine.travel(NOON, tick=False) as traveller:
        officer, worker = client_for(participation_officer), client_for(caseworker)
        assert officer.get(reverse("participation:council")).status_code == 200
        assert worker.get("/staff/").status_code == 200
        traveller.shift(minutes * 60 + 1)
        assert heading(text(officer.get(reverse("participation:council")))) == (
            "You have been signed out"
        )
        assert heading(text(worker.get("/staff/"))) == "You have been signed out"
        assert officer.get(reverse("participation:council"))["Location"].startswith(
            "/accounts/login/"
        )
