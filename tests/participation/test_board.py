"""The public board: public actions only, no sign-in, filters by theme, service and status."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from participation import services
from portal.models import Service
from tests.participation.conftest import theme_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_action(participation_officer):
    action = services.propose_action(
        you_said="Fewer placement moves",
        themes=[theme_of("where-i-live")],
        by=participation_officer,
    )
    services.agree_action(
        action=action,
        by=participation_officer,
        service=Service.objects.get(slug="fostering"),
        we_will="Review moves",
        public=False,
    )
    return action


def test_a_signed_out_visitor_sees_public_actions_only(story, private_action):
    response = Client().get("/you-said-we-did/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Buses to school are late" in page
    assert "Talk to the bus company" in page
    assert "Leaving Care Team" in page
    assert "Fewer placement moves" not in page
    assert story["jade_item"].reference not in page


def test_a_proposed_public_action_is_not_shown(participation_officer):
    action = services.propose_action(you_said="Not agreed yet", by=participation_officer)
    action.public = True
    action.save()
    assert "Not agreed yet" not in Client().get("/you-said-we-did/").content.decode()


def test_the_board_filters_by_theme_service_and_status(story):
    client = Client()
    school = theme_of("school").pk
    fostering = Service.objects.get(slug="fostering").pk
    leaving = Service.objects.get(slug="leaving-care").pk
    assert "Buses to school" in client.get(f"/you-said-we-did/?theme={school}").content.decode()
    assert (
        "Buses to school"
        not in client.get(f"/you-said-we-did/?theme={theme_of('money').pk}").content.decode()
    )
    assert (
        "Buses to school"
        not in client.get(f"/you-said-we-did/?service={fostering}").content.decode()
    )
    assert (
        "Buses to school"
        in client.get(f"/you-said-we-did/?service={leaving}&status=agreed").content.decode()
    )
    assert "Buses to school" not in client.get("/you-said-we-did/?status=done").content.decode()
    assert client.get("/you-said-we-did/?theme=x&service=%00&status=zzz").status_code == 200


def test_the_board_is_light(story, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        Client().get("/you-said-we-did/")


@pytest.mark.travel("2026-11-20 12:00Z")
def test_the_board_pack_shows_a_step_back_as_such(story, manager, council_member):
    from participation.models import ActionStatus
    from tests.conftest import client_for

    action = story["action"]
    services.update_action(
        action=action, by=manager, text="Started", status=ActionStatus.IN_PROGRESS, progress=60
    )
    services.update_action(
        action=action,
        by=manager,
        text="Starting again",
        status=ActionStatus.AGREED,
        step_back_reason="The bus firm left",
    )
    board = services.create_meeting(
        kind="corporate_parenting", title="Board", on=date(2026, 12, 1), by=manager
    )
    client = client_for(council_member)
    page = client.get(f"/council/meetings/{board.pk}/pack/").content.decode()
    assert "Step back" in page and "The bus firm left" in page
    csv_text = client.get(f"/council/meetings/{board.pk}/pack.csv").content.decode()
    assert "Step back: The bus firm left. Starting again" in csv_text
