import pytest
from django.urls import reverse

from tests.conftest import client_for


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [
        ("young_person", "/postcards/"),
        ("care_leaver", "/postcards/"),
        ("council_member", "/council/"),
        ("participation_officer", "/council/"),
        ("caseworker", "/staff/"),
        ("manager", "/staff/"),
        ("complaints_manager", "/staff/"),
        ("duty_worker", "/staff/"),
    ],
)
def test_each_persona_lands_on_their_own_home_page(request, persona, lands_on):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/")
    assert response.status_code == 302
    assert response["Location"] == lands_on
    assert client_for(user).get(lands_on).status_code == 200


def test_signed_out_home_page_offers_sign_in_anonymous_postcard_and_tracking(db):
    response = client_for(None).get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("account_login") in page
    assert reverse("feedback:submit") in page
    assert reverse("feedback:track") in page
    assert "Exit this page" in page


def test_exit_this_page_ends_the_session_and_goes_somewhere_neutral(young_person):
    client = client_for(young_person)
    assert client.get("/postcards/").status_code == 200
    response = client.get(reverse("exit"))
    assert response.status_code == 302
    assert response["Location"].startswith("https://www.bbc.co.uk/")
    assert "_auth_user_id" not in client.session
    assert client.get("/postcards/").status_code == 302  # back to sign-in


def test_young_people_see_the_exit_button_and_staff_do_not(young_person, caseworker):
    assert "Exit this page" in client_for(young_person).get("/postcards/").content.decode()
    assert "Exit this page" not in client_for(caseworker).get("/staff/").content.decode()


def test_there_is_no_public_sign_up_page(db):
    response = client_for(None).get("/accounts/signup/")
    assert response.status_code == 302
    assert response["Location"] == reverse("invitation_code")


def test_pages_are_served_with_a_content_security_policy(db):
    response = client_for(None).get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_no_page_may_use_the_camera_microphone_or_location(db):
    response = client_for(None).get("/")
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    assert response["Cache-Control"] == "no-store"


def test_the_council_link_shows_for_those_the_council_pages_admit(
    young_person, council_member, participation_officer
):
    from django.test import RequestFactory

    from portal.context_processors import portal

    for user, shown in (
        (young_person, False),
        (council_member, True),
        (participation_officer, True),
    ):
        request = RequestFactory().get("/")
        request.user = user
        assert portal(request)["show_council_link"] is shown, user.username
