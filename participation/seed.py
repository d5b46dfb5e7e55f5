"""Demo data for the council: about 80 items over twelve months across themes (so some
figures show and some are hidden), tags, excerpts, two actions, a review meeting and a
Corporate Parenting Board, and Pat the participation officer. Safe to run again."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from feedback.models import Item, Route, Topic
from feedback.routing import choose_route
from feedback.workdays import add_working_days
from participation import rollup, services
from participation.models import ActionStatus, Meeting, MeetingKind, Theme
from portal import mfa
from portal.models import CODE_ALPHABET, Service, User

REVIEW_TITLE = "You Said, We Did review"
# Topic slug: how many items in the demo year. Small ones show as "fewer than 5".
SPREAD = {
    "housing": 20,
    "school": 14,
    "health": 12,
    "where-i-live": 10,
    "money": 8,
    "social-worker": 6,
    "family-friends": 4,
    "activities": 3,
    "work": 2,
    "care-plan": 1,
}
WORDS = {
    "housing": "I need help finding a flat near college.",
    "school": "I would like more help with homework.",
    "health": "It took a long time to see the nurse.",
    "where-i-live": "I like where I live but I want more say in moves.",
    "money": "My allowance does not cover the bus.",
    "social-worker": "My worker keeps changing.",
    "family-friends": "I want to see my brother more.",
    "activities": "Can we have more trips in the holidays?",
    "work": "I want an apprenticeship.",
    "care-plan": "I did not understand my review.",
}
CARE_LEAVER_TOPICS = {"housing", "money", "work"}


def _reference(rng: random.Random) -> str:
    return (
        "".join(rng.choice(CODE_ALPHABET) for _ in range(3))
        + "-"
        + "".join(rng.choice(CODE_ALPHABET) for _ in range(3))
    )


def _officer(password: str, totp_secret: str) -> User:
    user, created = User.objects.get_or_create(
        username="pat",
        defaults={
            "display_name": "Pat Participation",
            "email": "pat@example.org",
            "is_participation_officer": True,
        },
    )
    if created:
        user.set_password(password)
        user.save()
    mfa.activate_totp(user, totp_secret)
    return user


def _items(today: date, rng: random.Random) -> list[Item]:
    topics = {t.slug: t for t in Topic.objects.all()}
    routes = list(Route.objects.active())
    triage = Service.objects.filter(is_triage=True).first()
    people = {p.username: p for p in User.objects.filter(username__in=["jade", "sam"])}
    tz = timezone.get_default_timezone()
    rows = []
    for slug, count in SPREAD.items():
        for n in range(count):
            days_ago = rng.randint(0, 360)
            created = datetime.combine(
                today - timedelta(days=days_ago), datetime.min.time(), tzinfo=tz
            ) + timedelta(hours=rng.randint(8, 21))
            audience = (
                "care_leaver"
                if slug in CARE_LEAVER_TOPICS
                else rng.choice(["in_care", "in_care", "care_leaver"])
            )
            kind = rng.choice(["compliment", "idea", "idea", "worry", "worry", "complaint"])
            author = people.get("sam" if audience == "care_leaver" else "jade") if n < 2 else None
            route = choose_route(routes, kind=kind, topic_id=topics[slug].pk, audience=audience)
            finished = days_ago > 40
            rows.append(
                Item(
                    reference=_reference(rng),
                    submission_key=uuid.uuid4(),
                    kind=kind,
                    topic=topics[slug],
                    words=WORDS[slug],
                    mood=rng.choice([None, 1, 2, 3, 3, 4, 5]),
                    identity="named" if author else "anonymous",
                    audience=audience,
                    author=author,
                    consent_to_share=rng.random() < 0.4,
                    status="closed" if finished else "responded",
                    service_id=route.service_id if route else triage.pk if triage else None,
                    routed_at=created + timedelta(minutes=1),
                    closed_at=created + timedelta(days=20) if finished else None,
                    created_at=created,
                )
            )
    return Item.objects.bulk_create(rows)


def seed_participation(*, password: str, totp_secret: str, today: date | None = None) -> list[str]:
    """Returns the lines to print about who can sign in."""
    today = today or timezone.localdate()
    with transaction.atomic():
        services.ensure_topic_themes()
        pat = _officer(password, totp_secret)
        lines = ["  pat      participation officer (second factor as other staff)"]
        if Meeting.objects.filter(title=REVIEW_TITLE).exists():
            return lines
        rng = random.Random(20261128)
        items = _items(today, rng)
        alex = User.objects.filter(username="alex").first() or pat
        moves = services.propose_theme(name="Placement moves", by=pat, agreed=True)
        services.propose_theme(name="Pocket money", by=alex)
        for item in items:
            if item.topic.slug == "where-i-live" and rng.random() < 0.6:
                services.tag_item(item=item, theme=moves, by=pat)
        housing = Theme.objects.get(topic__slug="housing")
        for item in [i for i in items if i.consent_to_share][:3]:
            services.approve_excerpt(
                item=item, text=item.words, by=pat, theme=Theme.objects.get(topic=item.topic)
            )

        flats = services.propose_action(
            you_said="Care leavers told us it is hard to find a flat near college.",
            themes=[housing],
            by=alex,
        )
        flats.items.add(*[i for i in items if i.topic.slug == "housing"])
        # Meetings fall on working days (about three and five weeks on).
        with_review = add_working_days(today, 15)
        services.agree_action(
            action=flats,
            by=pat,
            service=Service.objects.get(slug="leaving-care"),
            lead=User.objects.filter(username="morgan").first(),
            we_will="Work with housing providers to offer flats on bus routes to the colleges.",
            due_on=today + timedelta(days=90),
            review_on=with_review,
            public=True,
            today=today,
        )
        services.update_action(
            action=flats,
            by=pat,
            text="Two housing providers have agreed to list flats near the colleges first.",
            status=ActionStatus.IN_PROGRESS,
            today=today,
        )
        services.propose_action(
            you_said="Young people say their allowance does not cover the bus to see family.",
            themes=[Theme.objects.get(topic__slug="money")],
            by=alex,
        )
        services.create_meeting(
            kind=MeetingKind.REVIEW,
            title=REVIEW_TITLE,
            on=with_review,
            by=pat,
        )
        services.create_meeting(
            kind=MeetingKind.CORPORATE_PARENTING,
            title="Corporate Parenting Board",
            on=add_working_days(today, 25),
            by=pat,
        )
        rollup.refresh(today=today)
        lines.append(
            f"  demo council data: {len(items)} items over twelve months, 2 actions, 2 meetings"
        )
        return lines
