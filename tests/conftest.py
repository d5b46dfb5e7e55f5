"""Named personas, as the house style asks: tests read as stories about people."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation

from feedback import dispatch, submission
from feedback.models import Item, Topic
from feedback.seed import seed_reference_data
from portal.mfa import activate_totp
from portal.models import Audience, Membership, Service, User, YoungPerson

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_young_person(
    username: str, audience: str = Audience.IN_CARE, council: bool = False
) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        display_name=username.title(),
    )
    YoungPerson.objects.create(
        user=user, audience=audience, council_member=council, year_of_birth=2011
    )
    return user


def make_staff(
    username: str,
    service_slug: str | None,
    role: str = Membership.Role.CASEWORKER,
    mfa: bool = True,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@council.example.org",
        display_name=username.title(),
    )
    if service_slug:
        Membership.objects.create(
            user=user, service=Service.objects.get(slug=service_slug), role=role
        )
    if mfa:
        activate_totp(user, TOTP_SECRET)
    return user


@pytest.fixture(scope="session", autouse=True)
def _no_sessions_left_behind(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """End any session still on the PostgreSQL test database (a killed worker's,
    say), so it can be dropped. Set up first, so it is torn down last of all."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(autouse=True)
def _travel(request: pytest.FixtureRequest) -> Iterator[None]:
    """`@pytest.mark.travel("2026-11-20 12:00Z")`: the whole test runs at that moment, its
    fixtures included, so data a fixture makes is dated inside the frozen time too. A
    test that travels only in its body makes its fixtures' items on the day it runs,
    and passes or fails with the calendar. Autouse fixtures are set up first."""
    marker = request.node.get_closest_marker("travel")
    if marker is None:
        yield
        return
    with time_machine.travel(marker.args[0], tick=marker.kwargs.get("tick", False)):
        yield


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Django's LocaleMiddleware activates a request's language for the thread and leaves
    it there: a test whose client asked in Welsh would leave the next test's figures,
    labels and stored texts in Welsh. Each test starts and ends in the site's language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters and used TOTP codes live in the cache: no test inherits another's."""
    cache.clear()


@pytest.fixture
def reference_data(db: None) -> None:
    seed_reference_data()


@pytest.fixture
def young_person(reference_data: None) -> User:
    return make_young_person("jade")


@pytest.fixture
def other_young_person(reference_data: None) -> User:
    return make_young_person("kai")


@pytest.fixture
def care_leaver(reference_data: None) -> User:
    return make_young_person("sam", Audience.CARE_LEAVER)


@pytest.fixture
def council_member(reference_data: None) -> User:
    return make_young_person("alex", council=True)


@pytest.fixture
def caseworker(reference_data: None) -> User:
    """Staff in the Leaving Care Team, where the `item` fixture is routed."""
    return make_staff("casey", "leaving-care")


@pytest.fixture
def other_caseworker(reference_data: None) -> User:
    """Staff in an unrelated service."""
    return make_staff("vic", "virtual-school")


@pytest.fixture
def manager(reference_data: None) -> User:
    return make_staff("morgan", "leaving-care", Membership.Role.MANAGER)


@pytest.fixture
def complaints_manager(reference_data: None) -> User:
    user = make_staff("chris", "complaints", Membership.Role.MANAGER)
    user.is_complaints_manager = True
    user.save()
    return user


@pytest.fixture
def duty_worker(reference_data: None) -> User:
    return make_staff("dana", "duty")


@pytest.fixture
def advocate(reference_data: None) -> User:
    """Ash, in the Advocacy Service: opens the complaints whose young person asked for one."""
    return make_staff("ash", "advocacy")


@pytest.fixture
def partner_worker(reference_data: None) -> User:
    """Nell, an NHS nurse in the LAC Health Team, a partner organisation: its items only."""
    return make_staff("nell", "lac-health")


def submit(
    author: User | None,
    *,
    kind: str = "idea",
    topic: str = "housing",
    words: str = "More help finding a flat near college please",
    identity: str = "named",
    audience: str | None = None,
    **extra: object,
) -> submission.Submitted:
    if audience is None:
        audience = author.young_person.audience if author else Audience.CARE_LEAVER
    return submission.submit_item(
        kind=kind,
        topic=Topic.objects.get(slug=topic),
        words=words,
        identity=identity,
        author=author,
        audience=audience,
        submission_key=uuid.uuid4(),
        **extra,
    )


@pytest.fixture
def item(care_leaver: User) -> Item:
    """A care leaver's idea about housing, routed to the Leaving Care Team."""
    result = submit(care_leaver)
    dispatch.route_item(result.item.pk)
    result.item.refresh_from_db()
    return result.item


def client_for(user: User | None, *, second_factor: bool = True) -> Client:
    """A signed-in client; staff with an authenticator are signed in as if they used it."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if second_factor and user.authenticator_set.exists():
            session = client.session
            session["account_authentication_methods_user"] = str(user.pk)
            session["account_authentication_methods"] = [
                {"method": "mfa", "at": time.time(), "type": "totp"}
            ]
            session.save()
    return client


@pytest.fixture
def participation_officer(reference_data: None) -> User:
    """Pat: tags items, approves excerpts, agrees actions and runs meetings; in no service."""
    user = make_staff("pat", None)
    user.is_participation_officer = True
    user.save()
    return user


@pytest.fixture
def beat_and_workers_alive(db: None) -> None:
    """Beat ticking and a worker on every queue, just now, as /healthz asks."""
    from portal import heartbeats

    for name in [heartbeats.BEAT, *map(heartbeats.queue_name, heartbeats.QUEUES)]:
        heartbeats.record(name)
