"""Participation's helpers: every topic is a theme, and a quick way to make items in bulk."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from feedback.models import Item, Topic
from participation import figures, services
from participation.models import Theme


@pytest.fixture(autouse=True)
def topic_themes(request: pytest.FixtureRequest) -> None:
    """Topics are made after migrations in tests, so their themes are made here."""
    uses_db = request.node.get_closest_marker("django_db") is not None
    if uses_db or "reference_data" in request.fixturenames or "db" in request.fixturenames:
        request.getfixturevalue("reference_data")
        services.ensure_topic_themes()


@pytest.fixture
def small_cells_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every figure cell from 1 to 4 draws "down" and shows 0 (a sum of only such cells
    shows "fewer than 5"), so a test can say exactly what each figure shows. The real,
    keyed draw is tested in test_suppression.py."""
    monkeypatch.setattr(figures, "draw", lambda key: 0.999999)


def theme_of(slug: str) -> Theme:
    return Theme.objects.get(topic__slug=slug)


def make_items(specs: list[dict], prefix: str = "Z") -> list[Item]:
    """Items straight into the database (no routing, no events), for figures only."""
    topics = {t.slug: t for t in Topic.objects.all()}
    rows = []
    for n, spec in enumerate(specs):
        spec = dict(spec)
        created = spec.pop("created_at", None) or timezone.now()
        if not isinstance(created, datetime):
            created = timezone.make_aware(datetime(created.year, created.month, created.day, 12))
        rows.append(
            Item(
                reference=f"{prefix}{n // 1000 % 10}{n // 100 % 10}-{n // 10 % 10}{n % 10}Q",
                submission_key=uuid.uuid4(),
                kind=spec.pop("kind", "idea"),
                topic=topics[spec.pop("topic", "housing")],
                words=spec.pop("words", "Some words"),
                identity=spec.pop("identity", "anonymous"),
                audience=spec.pop("audience", "in_care"),
                created_at=created,
                **spec,
            )
        )
    return Item.objects.bulk_create(rows)


JADE_WORDS = "Jade here, my bus to Oakfield School is always late"
KAI_WORDS = "Kai wants more pocket money for trips"


@pytest.fixture
def story(
    young_person, other_young_person, care_leaver, item, participation_officer, manager
) -> dict[str, object]:
    """Jade and Kai sent postcards they agreed to share; Sam's housing idea (the `item`
    fixture) did not. Pat approved an excerpt of Jade's words and an action answers both."""
    from feedback import dispatch
    from portal.models import Service
    from tests.conftest import submit

    jade_item = submit(
        young_person, topic="school", words=JADE_WORDS, consent_to_share=True, kind="worry"
    ).item
    kai_item = submit(
        other_young_person, topic="activities", words=KAI_WORDS, consent_to_share=True
    ).item
    dispatch.route_item(jade_item.pk)
    excerpt = services.approve_excerpt(
        item=jade_item,
        text="My bus to school is always late",
        theme=theme_of("school"),
        by=participation_officer,
    )
    action = services.propose_action(
        you_said="Buses to school are late", themes=[theme_of("school")], by=participation_officer
    )
    action.items.add(jade_item, kai_item, item)
    services.agree_action(
        action=action,
        by=participation_officer,
        service=Service.objects.get(slug="leaving-care"),
        lead=manager,
        we_will="Talk to the bus company",
        public=True,
    )
    action.refresh_from_db()
    return {
        "jade_item": jade_item,
        "kai_item": kai_item,
        "sam_item": item,
        "excerpt": excerpt,
        "action": action,
    }
