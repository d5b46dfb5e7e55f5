"""Reference data every portal starts with: topics and routes. Used by seed_demo and tests."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from feedback.models import Kind, Route, SavedReply, Status, Topic, TopicAudience
from portal.models import Audience, Service

# Names and descriptions are in English in the database and marked for the catalogues:
# young people read them through Topic.display_name (gettext), in their language, and
# the services through Service.display_name and display_in_a_sentence.
TOPICS = [
    (
        "where-i-live",
        gettext_noop("Where I live"),
        gettext_noop("Your home, your carers, the place you stay."),
        TopicAudience.BOTH,
    ),
    (
        "school",
        gettext_noop("School and learning"),
        gettext_noop("School, college, homework, your PEP."),
        TopicAudience.BOTH,
    ),
    (
        "health",
        gettext_noop("Health and feelings"),
        gettext_noop("Your body, your mind, doctors, nurses, how you feel."),
        TopicAudience.BOTH,
    ),
    (
        "social-worker",
        gettext_noop("My social worker"),
        gettext_noop("Your social worker or personal adviser."),
        TopicAudience.BOTH,
    ),
    (
        "family-friends",
        gettext_noop("Seeing my family and friends"),
        gettext_noop("Visits, calls and time with people you care about."),
        TopicAudience.BOTH,
    ),
    (
        "care-plan",
        gettext_noop("My care plan and reviews"),
        gettext_noop("Your plan, your review meetings, your IRO."),
        TopicAudience.IN_CARE,
    ),
    (
        "housing",
        gettext_noop("Leaving care: housing"),
        gettext_noop("Finding and keeping a place to live."),
        TopicAudience.CARE_LEAVER,
    ),
    (
        "money",
        gettext_noop("Leaving care: money"),
        gettext_noop("Grants, allowances, bills and benefits."),
        TopicAudience.CARE_LEAVER,
    ),
    (
        "work",
        gettext_noop("Work and training"),
        gettext_noop("Jobs, apprenticeships, courses and training."),
        TopicAudience.BOTH,
    ),
    (
        "activities",
        gettext_noop("Activities and hobbies"),
        gettext_noop("Clubs, sport, trips and things to do."),
        TopicAudience.BOTH,
    ),
    (
        "treated",
        gettext_noop("How I was treated"),
        gettext_noop("How people spoke to you or acted towards you."),
        TopicAudience.BOTH,
    ),
    (
        "other",
        gettext_noop("Something else"),
        gettext_noop("Anything that is not on this list."),
        TopicAudience.BOTH,
    ),
]

SERVICES = [
    # slug, name, name in a sentence, duty, triage, advocacy
    (
        "leaving-care",
        gettext_noop("Leaving Care Team"),
        gettext_noop("the Leaving Care Team"),
        False,
        False,
        False,
    ),
    (
        "lac-health",
        gettext_noop("LAC Health Team"),
        gettext_noop("the health team for children in care"),
        False,
        False,
        False,
    ),
    (
        "virtual-school",
        gettext_noop("Virtual School"),
        gettext_noop("the Virtual School"),
        False,
        False,
        False,
    ),
    (
        "fostering",
        gettext_noop("Fostering"),
        gettext_noop("the Fostering team"),
        False,
        False,
        False,
    ),
    (
        "residential",
        gettext_noop("Residential"),
        gettext_noop("the children's homes team"),
        False,
        False,
        False,
    ),
    (
        "iro",
        gettext_noop("Independent Reviewing Officers"),
        gettext_noop("your Independent Reviewing Officer's team"),
        False,
        False,
        False,
    ),
    (
        "cic-social-work",
        gettext_noop("Children in Care Social Work Team"),
        gettext_noop("the social work team"),
        False,
        False,
        False,
    ),
    (
        "complaints",
        gettext_noop("Complaints Team"),
        gettext_noop("the complaints team"),
        False,
        True,
        False,
    ),
    (
        "duty",
        gettext_noop("Safeguarding Duty Team"),
        gettext_noop("the team that keeps children safe"),
        True,
        False,
        False,
    ),
    (
        "advocacy",
        gettext_noop("Advocacy Service"),
        gettext_noop("the advocacy service"),
        False,
        False,
        True,
    ),
]

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
