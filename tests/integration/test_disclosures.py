"""A disclosure sent from a busy shared address, past every flood limit, reaches the duty
team through a real worker (PostgreSQL, Redis and the rate-limit counts in Redis)."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from feedback.models import Item, Status
from tests.feedback.test_submit import answers, send
from tests.integration.conftest import Worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

RISK = "my foster carer hits me and i am scared to go home"
SHARED_ADDRESS = "198.51.100.20"


def test_disclosures_past_every_limit_reach_the_duty_team_and_nothing_is_lost(
    reference_data: None, worker: Worker, settings: Settings
) -> None:
    settings.SUBMISSION_RATE = "10/h"
    settings.SUBMISSION_ADDRESS_RATE = "10/h"
    sent = 0
    disclosures = []
    flood = Client(REMOTE_ADDR=SHARED_ADDRESS)  # one session sending a flood
    for n in range(1, 201):
        risky = n in (11, 50, 200)
        client = Client(REMOTE_ADDR=SHARED_ADDRESS) if risky else flood
        words = f"{RISK} ({n})" if risky else f"An idea, number {n}"
        data = answers(identity="anonymous", audience="in_care", words=words)
        if risky:
            data["kind"] = "worry"
        response, _key = send(client, data)
        assert response.status_code == 302
        sent += 1
        if risky:
            disclosures.append(words)

    wait_for(
        lambda: not Item.objects.filter(status=Status.SUBMITTED).exists(),
        timeout=60,
        what="the worker to route every item",
        describe=worker.log,
    )
    assert Item.objects.count() == sent  # nothing lost at any limit
    for words in disclosures:
        item = Item.objects.select_related("service").get(words=words)
        assert item.service.is_duty_team and not item.held, words
    held = Item.objects.filter(held=True)
    assert held.count() == 200 - 3 - 10  # the flood past its 10, held for a person
    assert all(item.service.is_triage for item in held.select_related("service"))
