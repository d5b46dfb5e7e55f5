"""Demo people and a dozen live items for `make run`, made through the services as real
ones are. Never for production: the passwords and the TOTP secret are public."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils import timezone

from feedback import dispatch, services, submission
from feedback.codes import stored_submission_key
from feedback.models import Item, Kind, Outcome, Topic
from feedback.workdays import is_working_day
from portal import mfa
from portal.models import Audience, Membership, Service, User, YoungPerson

# username, display name, persona, audience or service slug, role ("council" for a
# young person on the Children in Care Council, None for another young person).
PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    ("jade", "Jade", "young person (in care)", Audience.IN_CARE, None),
    ("sam", "Sam", "care leaver", Audience.CARE_LEAVER, None),
    ("alex", "Alex", "Children in Care Council member", Audience.IN_CARE, "council"),
    ("casey", "Casey Caseworker", "caseworker, Leaving Care Team", "leaving-care",
     Membership.Role.CASEWORKER),
    ("morgan", "Morgan Manager", "service manager, Leaving Care Team", "leaving-care",
     Membership.Role.MANAGER),
    ("chris", "Chris Complaints", "complaints manager", "complaints", Membership.Role.MANAGER),
    ("dana", "Dana Duty", "safeguarding duty worker", "duty", Membership.Role.CASEWORKER),
    ("drew", "Drew Duty-Manager", "manager, Safeguarding Duty Team", "duty",
     Membership.Role.MANAGER),
    ("frankie", "Frankie Fostering", "caseworker, Fostering", "fostering",
     Membership.Role.CASEWORKER),
    ("harper", "Harper Health", "nurse, LAC Health Team", "lac-health",
     Membership.Role.CASEWORKER),
    ("val", "Val Virtual-School", "caseworker, Virtual School", "virtual-school",
     Membership.Role.CASEWORKER),
    ("rowan", "Rowan Residential", "caseworker, Residential", "residential",
     Membership.Role.CASEWORKER),
    ("indy", "Indy IRO", "Independent Reviewing Officer", "iro", Membership.Role.CASEWORKER),
    ("cam", "Cam Social-Worker", "social worker, Children in Care Social Work Team",
     "cic-social-work", Membership.Role.CASEWORKER),
    ("ash", "Ash Advocate", "advocate, Advocacy Service (complaints that ask for one)",
     "advocacy", Membership.Role.CASEWORKER),
    ("nell", "Nell NHS-Nurse", "NHS nurse, LAC Health Team (partner: its items only)",
     "lac-health", Membership.Role.CASEWORKER),
]  # fmt: skip

# Sam asked for an advocate with his complaint about his flat: Ash, the demo advocate, has it.
ASKED_FOR_AN_ADVOCATE = {("sam", "housing")}

# A fixed namespace, so the demo items are made once however often the seed runs.
DEMO_ITEMS = uuid.UUID("5b0f6c1e-3d1a-4c55-9a7e-2f1d6e0c9a41")


def seed_people(*, password: str, totp_secret: str) -> list[tuple[str, str, str]]:
    """Each persona's account, made once: an account that exists is never changed.

    Returns (username, persona, what to print) for each; recovery codes are shown
    only when the account is made.
    """
    return [_person(*person, password=password, totp_secret=totp_secret) for person in PEOPLE]


def _person(
    username: str,
    name: str,
    persona: str,
    where: str,
    role: str | None,
    *,
    password: str,
    totp_secret: str,
) -> tuple[str, str, str]:
    if User.objects.filter(username=username).exists():
        return username, persona, "  (already there: left as it is)"
    user = User.objects.create_user(
        username=username, password=password, display_name=name, email=f"{username}@example.org"
    )
    if role in (None, "council"):
        profile = YoungPerson.objects.create(
            user=user,
            audience=where,
            council_member=role == "council",
            year_of_birth=2010 if where == Audience.IN_CARE else 2005,
        )
        # The team that works with them, so its staff can type in their paper postcards.
        team = "leaving-care" if where == Audience.CARE_LEAVER else "fostering"
        profile.services.add(*Service.objects.filter(slug=team))
        return username, persona, ""
    Membership.objects.create(
        user=user, service=Service.objects.get(slug=where), role=role or Membership.Role.CASEWORKER
    )
    if username == "chris":
        user.is_complaints_manager = True
        user.save(update_fields=["is_complaints_manager"])
    mfa.activate_totp(user, totp_secret)
    codes = mfa.recovery_codes(user)[:2]
    return username, persona, f"  (recovery codes: {', '.join(codes)})"


def seed_items() -> int:
    """A dozen items across services, kinds and statuses, so queues are not empty:
    a child at risk waiting for the duty team, an overdue complaint, an idea answered
    with a change planned, and the ordinary run of the rest. Returns how many were made."""
    people = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
    if len(people) < len(PEOPLE):
        return 0
    made = 0
    for number, (author, kind, topic, words, audience, days_ago, then) in enumerate(ITEMS):
        key = uuid.uuid5(DEMO_ITEMS, str(number))
        if Item.objects.filter(submission_key=stored_submission_key(key)).exists():
            continue
        item = submission.submit_item(
            kind=kind,
            topic=Topic.objects.get(slug=topic),
            words=words,
            identity="named" if author else "anonymous",
            author=people.get(author or ""),
            audience=audience,
            submission_key=key,
            consent_to_share=True,
            advocate_requested=(author, topic) in ASKED_FOR_AN_ADVOCATE,
        ).item
        if days_ago:
            received = _working_days_ago(days_ago)
            Item.objects.filter(pk=item.pk).update(
                created_at=timezone.now() - (timezone.localdate() - received)
            )
        dispatch.route_item(item.pk, batch=1)
        item.refresh_from_db()
        then(item, people)
        made += 1
    return made


def _working_days_ago(n: int) -> date:
    day, counted = timezone.localdate(), 0
    while counted < n:
        day -= timedelta(days=1)
        counted += is_working_day(day)
    return day


def _nothing(item: Item, people: dict[str, User]) -> None:
    return None


def _acknowledged(item: Item, people: dict[str, User]) -> None:
    services.acknowledge(item=item, by=_staff_of(item, people))


def _change_planned(item: Item, people: dict[str, User]) -> None:
    services.staff_reply(
        item=item,
        by=people["casey"],
        text="Thank you. We are going to try bus passes for everyone at college.",
        change="planned",
        change_description="Free bus passes for care leavers at college, from January.",
    )


def _in_progress(item: Item, people: dict[str, User]) -> None:
    staff = _staff_of(item, people)
    services.acknowledge(item=item, by=staff)
    services.staff_reply(
        item=item,
        by=staff,
        text="We are finding out why you waited so long. We will tell you soon.",
        mark_responded=False,
    )


def _assigned(item: Item, people: dict[str, User]) -> None:
    services.assign(item=item, by=people["casey"], assignee=people["casey"])


def _sorted(item: Item, people: dict[str, User]) -> None:
    services.staff_reply(item=item, by=_staff_of(item, people), text="Thank you, we passed it on.")
    services.answer_sorted(item=item, by=None, sorted_=True)


def _answered(item: Item, people: dict[str, User]) -> None:
    services.staff_reply(
        item=item, by=_staff_of(item, people), text="Your carer will sort out a visit."
    )


def _complaint_answered(item: Item, people: dict[str, User]) -> None:
    services.acknowledge(item=item, by=people["chris"])
    services.resolve(
        item=item,
        by=people["chris"],
        outcome=Outcome.PARTLY_UPHELD,
        text="We have spoken to your IRO. Your next review will be at a time that suits you.",
    )


def _staff_of(item: Item, people: dict[str, User]) -> User:
    member = Membership.objects.filter(service=item.routed_service).select_related("user").first()
    return member.user if member else people["chris"]


# author (None: anonymous), kind, topic, words, audience, working days ago, what then.
ITEMS = [
    ("jade", Kind.WORRY, "where-i-live",
     "I'm scared to go back to my placement tonight. He shouts in my face.",
     Audience.IN_CARE, 0, _nothing),
    ("sam", Kind.COMPLAINT, "housing",
     "Nobody has helped me with my flat for weeks and the heating is broken.",
     Audience.CARE_LEAVER, 14, _nothing),
    ("sam", Kind.IDEA, "money",
     "Could care leavers at college get a free bus pass?", Audience.CARE_LEAVER, 5,
     _change_planned),
    ("jade", Kind.COMPLIMENT, "school",
     "My PEP meeting was really good and I felt listened to.", Audience.IN_CARE, 2,
     _acknowledged),
    (None, Kind.IDEA, "activities",
     "More trips in the summer holidays please.", Audience.IN_CARE, 1, _nothing),
    ("jade", Kind.WORRY, "health",
     "I waited three months to see the nurse about my asthma.", Audience.IN_CARE, 4,
     _in_progress),
    ("sam", Kind.IDEA, "work",
     "Could you help care leavers find apprenticeships?", Audience.CARE_LEAVER, 1, _assigned),
    ("jade", Kind.COMPLAINT, "care-plan",
     "My review was in school time and I missed a test.", Audience.IN_CARE, 6,
     _complaint_answered),
    (None, Kind.COMPLIMENT, "social-worker",
     "My personal adviser is brilliant.", Audience.CARE_LEAVER, 8, _sorted),
    ("jade", Kind.IDEA, "family-friends",
     "Can I see my brother every weekend?", Audience.IN_CARE, 3, _answered),
    ("jade", Kind.WORRY, "treated",
     "My social worker talked about me in front of my friends.", Audience.IN_CARE, 1,
     _nothing),
    (None, Kind.IDEA, "other",
     "The app should have a dark mode.", Audience.IN_CARE, 0, _nothing),
]  # fmt: skip
