"""Routes as data: the first active match wins; anything unmatched goes to triage."""

from dataclasses import dataclass

import pytest

from feedback import dispatch
from feedback.models import Event, Item, Notification, Route, Status
from feedback.routing import choose_route
from feedback.seed import ROUTES
from tests.conftest import submit

TOPIC_IDS = {
    slug: n
    for n, slug in enumerate(
        [
            "where-i-live",
            "school",
            "health",
            "social-worker",
            "family-friends",
            "care-plan",
            "housing",
            "money",
            "work",
            "activities",
            "treated",
            "other",
        ],
        start=1,
    )
}


@dataclass
class FakeRoute:
    kind: str
    topic_id: int | None
    audience: str
    service_id: str  # the service's slug stands in for its id in pure tests


SEEDED = [
    FakeRoute(kind, TOPIC_IDS.get(topic), audience, service)
    for _order, kind, topic, audience, service in ROUTES
]


def route_for(kind: str, topic: str, audience: str) -> str:
    route = choose_route(SEEDED, kind=kind, topic_id=TOPIC_IDS[topic], audience=audience)
    return route.service_id if route else "triage"


@pytest.mark.parametrize(
    ("kind", "topic", "audience", "service"),
    [
        ("complaint", "health", "in_care", "complaints"),
        ("complaint", "housing", "care_leaver", "complaints"),
        ("idea", "housing", "care_leaver", "leaving-care"),
        ("worry", "money", "care_leaver", "leaving-care"),
        ("idea", "work", "care_leaver", "leaving-care"),
        ("compliment", "social-worker", "care_leaver", "leaving-care"),
        ("worry", "health", "in_care", "lac-health"),
        ("idea", "health", "care_leaver", "lac-health"),
        ("idea", "school", "in_care", "virtual-school"),
        ("worry", "care-plan", "in_care", "iro"),
        ("compliment", "where-i-live", "in_care", "fostering"),
        ("worry", "family-friends", "in_care", "fostering"),
        ("idea", "activities", "in_care", "fostering"),
        ("worry", "treated", "care_leaver", "leaving-care"),
        ("idea", "work", "in_care", "virtual-school"),
        ("worry", "social-worker", "in_care", "cic-social-work"),
        ("idea", "where-i-live", "care_leaver", "leaving-care"),
    ],
)
def test_every_seeded_route_sends_items_to_its_service(kind, topic, audience, service):
    assert route_for(kind, topic, audience) == service


@pytest.mark.parametrize(
    ("kind", "topic", "audience"),
    [
        ("idea", "other", "in_care"),
        ("worry", "other", "care_leaver"),
        ("compliment", "other", "in_care"),
    ],
)
def test_anything_unmatched_falls_through_to_triage(kind, topic, audience):
    assert route_for(kind, topic, audience) == "triage"


def test_the_first_matching_route_wins():
    routes = [FakeRoute("", None, "", "first"), FakeRoute("idea", 1, "", "second")]
    assert choose_route(routes, kind="idea", topic_id=1, audience="in_care").service_id == "first"


@pytest.mark.django_db
class TestRoutingItems:
    def test_an_item_is_routed_with_its_clock_and_a_routed_event(self, care_leaver):
        item = submit(care_leaver).item
        assert dispatch.route_item(item.pk) is True
        item.refresh_from_db()
        assert item.status == Status.ROUTED
        assert item.service.slug == "leaving-care"
        assert item.clock == "acknowledge" and item.due_on is not None
        assert Event.objects.filter(item=item, kind="routed").count() == 1

    def test_routing_twice_routes_once(self, care_leaver):
        item = submit(care_leaver).item
        assert dispatch.route_item(item.pk) is True
        assert dispatch.route_item(item.pk) is False
        assert Event.objects.filter(item=item, kind="routed").count() == 1

    def test_an_urgent_item_skips_the_routes_and_goes_to_the_duty_team(self, care_leaver):
        item = submit(care_leaver, kind="worry", words="i want to kill myself").item
        dispatch.route_item(item.pk)
        item.refresh_from_db()
        assert item.service.is_duty_team
        assert Event.objects.filter(item=item, kind="safeguarding").count() == 1
        mail = Notification.objects.get(item=item, address="duty@council.example.org")
        assert "URGENT" in mail.subject

    def test_an_item_whose_topic_has_no_route_goes_to_triage(self, young_person):
        item = submit(young_person, topic="other", words="More trips").item
        dispatch.route_item(item.pk)
        item.refresh_from_db()
        assert item.service.is_triage

    def test_a_route_to_an_inactive_service_is_skipped(self, care_leaver):
        Route.objects.filter(topic__slug="housing").update(active=False)
        item = submit(care_leaver).item
        dispatch.route_item(item.pk)
        item.refresh_from_db()
        assert item.service.slug == "complaints"  # triage

    def test_the_service_inbox_and_members_are_emailed_without_the_words(
        self, care_leaver, caseworker
    ):
        words = "My flat has mould in the bedroom and the landlord ignores me"
        item = submit(care_leaver, words=words).item
        dispatch.route_item(item.pk)
        mails = Notification.objects.filter(item=item, channel="email")
        assert {m.address for m in mails} == {"leaving-care@council.example.org", caseworker.email}
        for mail in mails:
            text = mail.subject + mail.body
            assert item.reference in text and "/staff/items/" in text
            for word in ("mould", "landlord", "bedroom", care_leaver.username, "Sam"):
                assert word not in text

    def test_an_advocate_request_tells_the_advocacy_service(self, young_person):
        item = submit(
            young_person, kind="complaint", topic="where-i-live", advocate_requested=True
        ).item
        dispatch.route_item(item.pk)
        assert (
            Notification.objects.filter(item=item, address="advocacy@council.example.org").count()
            == 1
        )

    def test_the_sweep_finds_items_left_unrouted(self, care_leaver):
        from datetime import timedelta

        from django.utils import timezone

        item = submit(care_leaver).item
        Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=2))
        assert dispatch.items_to_sweep(timezone.now() - timedelta(minutes=1)) == ([], [item.pk])

    def test_the_sweep_puts_children_at_risk_first_and_sends_one_task_per_batch(self, care_leaver):
        from datetime import timedelta

        from django.utils import timezone

        ideas = [
            submit(care_leaver, words=f"Idea {n}").item for n in range(dispatch.ROUTING_BATCH + 1)
        ]
        urgent = submit(care_leaver, kind="worry", words="he hits me").item
        Item.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        at_risk, batches = dispatch.items_to_sweep(timezone.now() - timedelta(minutes=1))
        assert at_risk == [urgent.pk]
        assert len(batches) == 2 and set(batches) <= {item.pk for item in ideas}

    def test_an_item_unrouted_too_long_alerts_the_complaints_manager_once(
        self, care_leaver, complaints_manager
    ):
        from datetime import timedelta

        from django.utils import timezone

        item = submit(care_leaver).item
        Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(minutes=20))
        cutoff = timezone.now() - timedelta(minutes=15)
        assert dispatch.alert_unrouted(cutoff) == 1
        assert dispatch.alert_unrouted(cutoff) == 0
        assert Notification.objects.filter(item=item, recipient=complaints_manager).count() == 1
        assert (
            Event.objects.filter(item=item, kind="routing_alert", visibility="staff").count() == 1
        )


@pytest.mark.django_db
class TestRoutingInBatches:
    def test_a_routing_task_takes_other_waiting_items_with_it(self, care_leaver, young_person):
        waiting = [submit(care_leaver, words=f"Idea {n}").item for n in range(4)]
        school = submit(young_person, topic="school").item
        assert dispatch.route_item(waiting[0].pk) is True
        assert Item.objects.filter(status=Status.SUBMITTED).count() == 0
        assert Item.objects.get(pk=school.pk).service.slug == "virtual-school"
        for item in [*waiting, school]:
            assert Event.objects.filter(item=item, kind="routed").count() == 1
        # Their own tasks find them routed and do nothing.
        assert [dispatch.route_item(item.pk) for item in waiting[1:]] == [False] * 3
        assert Event.objects.filter(kind="routed").count() == 5

    def test_each_item_in_a_batch_gets_its_own_service_and_clock_one_update_per_alike_set(
        self, care_leaver, young_person, settings
    ):
        from datetime import timedelta

        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from feedback import clocks
        from feedback.models import Clock

        ideas = [submit(care_leaver, words=f"Idea {n}").item for n in range(3)]
        complaint = submit(care_leaver, kind="complaint", words="My bus pass came late again").item
        school = submit(young_person, topic="school").item
        at_risk = [submit(care_leaver, kind="worry", words="he hits me").item for _ in range(2)]
        yesterdays = submit(care_leaver, words="Idea from yesterday").item
        Item.objects.filter(pk=yesterdays.pk).update(created_at=timezone.now() - timedelta(days=1))
        with CaptureQueriesContext(connection) as queries:
            assert dispatch.route_item(ideas[0].pk) is True
        updates = [
            q for q in queries.captured_queries if q["sql"].startswith('UPDATE "feedback_item"')
        ]
        # Today's three ideas share every routed value. The complaint, the school idea,
        # yesterday's idea and each child at risk (their clock runs from the minute
        # it was sent) do not.
        assert len(updates) == 6
        today = timezone.localdate()
        routed = Item.objects.select_related("service").in_bulk()
        assert {got.status for got in routed.values()} == {Status.ROUTED}
        assert len({got.routed_at for got in routed.values()}) == 1
        for idea in ideas:
            got = routed[idea.pk]
            assert (got.service.slug, got.clock, got.clock_started_on, got.due_on) == (
                "leaving-care",
                Clock.ACKNOWLEDGE,
                today,
                clocks.postcard_due(today, settings.POSTCARD_ACKNOWLEDGE_DAYS),
            )
        got = routed[yesterdays.pk]
        yesterday = timezone.localdate(got.created_at)
        assert (got.clock_started_on, got.due_on) == (
            yesterday,
            clocks.postcard_due(yesterday, settings.POSTCARD_ACKNOWLEDGE_DAYS),
        )
        got = routed[complaint.pk]
        assert (got.service.slug, got.clock, got.clock_started_on, got.due_on) == (
            "complaints",
            Clock.STAGE1,
            today,
            clocks.stage_due(1, today),
        )
        assert routed[school.pk].service.slug == "virtual-school"
        for item in at_risk:
            got = routed[item.pk]
            assert (got.service.slug, got.clock, got.due_at) == (
                "duty",
                Clock.URGENT,
                got.created_at + timedelta(minutes=settings.URGENT_ACKNOWLEDGE_MINUTES),
            )
        assert routed[at_risk[0].pk].due_at != routed[at_risk[1].pk].due_at

    def test_a_batch_of_one_routes_only_its_own_item(self, care_leaver):
        first, second = submit(care_leaver).item, submit(care_leaver).item
        assert dispatch.route_item(second.pk, batch=1) is True
        assert Item.objects.get(pk=first.pk).status == Status.SUBMITTED

    def test_one_batch_queues_each_items_emails_once(self, care_leaver, caseworker):
        items = [submit(care_leaver, words=f"Idea {n}").item for n in range(3)]
        dispatch.route_item(items[0].pk)
        for item in items:
            addresses = set(
                Notification.objects.filter(item=item).values_list("address", flat=True)
            )
            assert addresses == {"leaving-care@council.example.org", caseworker.email}


@pytest.mark.parametrize("audience", ["in_care", "care_leaver"])
@pytest.mark.parametrize("kind", ["compliment", "idea"])
def test_compliments_and_ideas_on_every_named_topic_reach_a_service_not_the_complaints_team(
    reference_data, kind, audience
):
    from feedback.models import Topic

    for topic in Topic.objects.for_audience(audience).exclude(slug="other"):
        item = submit(
            None, identity="anonymous", kind=kind, topic=topic.slug, audience=audience
        ).item
        dispatch.route_item(item.pk)
        item.refresh_from_db()
        assert not item.service.is_triage, (kind, topic.slug, audience)
        assert item.route is not None, (kind, topic.slug, audience)
