"""Figures survive retention: anonymising old items changes no council figure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import dispatch
from feedback.models import Item
from participation import figures
from tests.participation.conftest import make_items

pytestmark = pytest.mark.django_db


def test_council_figures_for_a_past_period_are_the_same_after_anonymising(settings):
    settings.RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=400)
    specs = [
        {
            "topic": topic,
            "kind": kind,
            "mood": mood,
            "created_at": long_ago + timedelta(days=day),
            "status": "closed",
            "closed_at": long_ago + timedelta(days=day + 3),
            "identity": "named",
        }
        for day, (topic, kind, mood) in enumerate(
            [("housing", "idea", 2)] * 7 + [("money", "worry", 1)] * 6 + [("health", "idea", 5)] * 2
        )
    ]
    make_items(specs)
    before = {
        p: {a: figures.figures(period=p, audience=a) for a in figures.AUDIENCES}
        for p in figures.PERIODS
    }
    assert dispatch.anonymise_expired() == 15
    assert not Item.objects.exclude(words="").exists()
    assert Item.objects.filter(mood__isnull=False).count() == 15
    after = {
        p: {a: figures.figures(period=p, audience=a) for a in figures.AUDIENCES}
        for p in figures.PERIODS
    }
    assert after == before
    moods = before["24"][""].table("moods")
    assert [row.total.value for row in moods.rows][:2] == [5, 5]


def test_the_board_pack_and_its_quotes_are_the_same_after_anonymising(
    settings, young_person, participation_officer, council_member
):
    from datetime import date

    from participation import services
    from tests.conftest import client_for

    settings.RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=200)
    items = make_items(
        [
            {
                "topic": "school",
                "kind": "idea",
                "mood": 4,
                "created_at": long_ago,
                "status": "closed",
                "closed_at": long_ago + timedelta(days=2),
                "identity": "named",
                "author": young_person,
                "consent_to_share": True,
                "words": "Jade wants a homework club at Oakfield",
            }
        ]
        * 6
    )
    services.approve_excerpt(
        item=items[0], text="We want a homework club", by=participation_officer
    )
    meeting = services.create_meeting(
        kind="corporate_parenting", title="Board", on=date.today(), by=participation_officer
    )
    client = client_for(council_member)
    before = client.get(f"/council/meetings/{meeting.pk}/pack.csv").content
    assert dispatch.anonymise_expired() == 6
    assert client.get(f"/council/meetings/{meeting.pk}/pack.csv").content == before
    assert b"We want a homework club" in before
    assert b"Oakfield" not in before
