"""Reference data every portal starts with: topics and routes. Used by seed_demo and tests."""

from __future__ import annotations

from feedback.models import Kind, Route, SavedReply, Status, Topic, TopicAudience
from portal.models import Audience, Service

TOPICS = [
    (
        "where-i-live",
        "Where I live",
        "Your home, your carers, the place you stay.",
        TopicAudience.BOTH,
    ),
    ("school", "School and learning", "School, college, homework, your PEP.", TopicAudience.BOTH),
    (
        "health",
        "Health and feelings",
        "Your body, your mind, doctors, nurses, how you feel.",
        TopicAudience.BOTH,
    ),
    (
        "social-worker",
        "My social worker",
        "Your social worker or personal adviser.",
        TopicAudience.BOTH,
    ),
    (
        "family-friends",
        "Seeing my family and friends",
        "Visits, calls and time with people you care about.",
        TopicAudience.BOTH,
    ),
    (
        "care-plan",
        "My care plan and reviews",
        "Your plan, your review meetings, your IRO.",
        TopicAudience.IN_CARE,
    ),
    (
        "housing",
        "Leaving care: housing",
        "Finding and keeping a place to live.",
        TopicAudience.CARE_LEAVER,
    ),
    (
        "money",
        "Leaving care: money",
        "Grants, allowances, bills and benefits.",
        TopicAudience.CARE_LEAVER,
    ),
    (
        "work",
        "Work and training",
        "Jobs, apprenticeships, courses and training.",
        TopicAudience.BOTH,
    ),
    (
        "activities",
        "Activities and hobbies",
        "Clubs, sport, trips and things to do.",
        TopicAudience.BOTH,
    ),
    (
        "treated",
        "How I was treated",
        "How people spoke to you or acted towards you.",
        TopicAudience.BOTH,
    ),
    ("other", "Something else", "Anything that is not on this list.", TopicAudience.BOTH),
]

SERVICES = [
    # slug, name, name in a sentence, duty, triage, advocacy
    ("leaving-care", "Leaving Care Team", "the Leaving Care Team", False, False, False),
    ("lac-health", "LAC Health Team", "the health team for children in care", False, False, False),
    ("virtual-school", "Virtual School", "the Virtual School", False, False, False),
    ("fostering", "Fostering", "the Fostering team", False, False, False),
    ("residential", "Residential", "the children's homes team", False, False, False),
    ("iro", "Independent Reviewing Officers", "your Independent Reviewing Officer's team",
     False, False, False),
    ("cic-social-work", "Children in Care Social Work Team", "the social work team",
     False, False, False),
    ("complaints", "Complaints Team", "the complaints team", False, True, False),
    ("duty", "Safeguarding Duty Team", "the team that keeps children safe", True, False, False),
    ("advocacy", "Advocacy Service", "the advocacy service", False, False, True),
]  # fmt: skip

# Outside the council: the NHS looked-after children's health team. Its staff open only
# the items sent to it (feedback.access), like the advocacy service's advocates.
PARTNERS = {"lac-health"}

# (order, kind, topic slug, audience, service slug); blank means any. Every topic
# reaches the service it names, for each audience; complaints go to the complaints
# team, who run the statutory procedure. Only "Something else" meets the catch-all
# (triage, the complaints team), which also takes anything a route does not match.
ROUTES = [
    (10, Kind.COMPLAINT, "", "", "complaints"),
    (20, "", "housing", "", "leaving-care"),
    (30, "", "money", "", "leaving-care"),
    (40, "", "work", Audience.CARE_LEAVER, "leaving-care"),
    (45, "", "work", Audience.IN_CARE, "virtual-school"),
    (50, "", "social-worker", Audience.CARE_LEAVER, "leaving-care"),
    (55, "", "social-worker", Audience.IN_CARE, "cic-social-work"),
    (60, "", "health", "", "lac-health"),
    (70, "", "school", "", "virtual-school"),
    (80, "", "care-plan", "", "iro"),
    (90, "", "where-i-live", Audience.IN_CARE, "fostering"),
    (95, "", "where-i-live", Audience.CARE_LEAVER, "leaving-care"),
    (100, "", "family-friends", Audience.IN_CARE, "fostering"),
    (105, "", "family-friends", Audience.CARE_LEAVER, "leaving-care"),
    (110, "", "activities", Audience.IN_CARE, "fostering"),
    (115, "", "activities", Audience.CARE_LEAVER, "leaving-care"),
    (120, "", "treated", Audience.IN_CARE, "cic-social-work"),
    (125, "", "treated", Audience.CARE_LEAVER, "leaving-care"),
]

SAVED_REPLIES = [
    (
        Status.ROUTED,
        "Thank you, we have it",
        "Thank you for telling us. We have read what you sent and we will get back to you soon.",
    ),
    (
        Status.ACKNOWLEDGED,
        "Looking into it",
        "We are looking into this now. We will tell you what we find out.",
    ),
    (
        Status.IN_PROGRESS,
        "Still working on it",
        "We are still working on this. Thank you for waiting. We will update you soon.",
    ),
    (
        Status.REOPENED,
        "Sorry it is not sorted",
        "Sorry this is not sorted yet. We will look at it again and get back to you.",
    ),
]


def seed_reference_data() -> None:
    for order, (slug, name, description, audience) in enumerate(TOPICS):
        Topic.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "audience": audience,
                "order": order,
            },
        )
    for slug, name, in_a_sentence, duty, triage, advocacy in SERVICES:
        Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_in_a_sentence": in_a_sentence,
                "inbox_email": f"{slug}@council.example.org",
                "is_duty_team": duty,
                "is_triage": triage,
                "provides_advocacy": advocacy,
                "is_partner": slug in PARTNERS,
            },
        )
    if not Route.objects.exists():
        services = {s.slug: s for s in Service.objects.all()}
        topics = {t.slug: t for t in Topic.objects.all()}
        for order, kind, topic, route_audience, service in ROUTES:
            Route.objects.create(
                order=order,
                kind=kind,
                topic=topics.get(topic),
                audience=route_audience,
                service=services[service],
            )
    if not SavedReply.objects.exists():
        for order, (status, title, text) in enumerate(SAVED_REPLIES):
            SavedReply.objects.create(status=status, title=title, text=text, order=order)
