"""Server time of the staff queue and the dashboard over 100,000 items in PostgreSQL.

Run: .venv/bin/python -m bench.queue [--items N] [--runs N] [--explain]

Drops and recreates the database portal_bench_queue on BENCH_PG_SERVER
(default postgres://postgres@127.0.0.1:5432), migrates, seeds the reference
data, bulk-loads the items across 8 services, runs ANALYZE, then times each
page with Django's test Client (full middleware and templates, no network):
3 warm-ups, then --runs requests (default 50). Prints median and p95 against
the targets (queue p95 < 150 ms, dashboard p95 < 300 ms), and the page's
queries. --explain prints EXPLAIN (ANALYZE, BUFFERS) for every query of each
page. The database is left in place afterwards so a plan can be looked at by
hand; the next run drops it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called queue.py: drop its folder from the path before anything
# imports the standard library's queue module (psycopg and logging do).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = "portal_bench_queue"
# Set before django.setup(): settings read the environment once.
os.environ.update(
    DATABASE_URL=f"{SERVER}/{DATABASE}",
    DJANGO_SETTINGS_MODULE="portal.settings",
    PORTAL_EMBEDDED="1",
    CELERY_BROKER_URL="memory://",  # the bench sends no tasks; never reach for a broker
    REDIS_URL="",  # sessions in the database: the slower, self-contained case
    DEBUG="0",
    # Plain HTTP through the test client: no redirect to HTTPS (as bench.council).
    SECURE_COOKIES="0",
)

import warnings  # noqa: E402

from bench.measure import percentile, recreate_database  # noqa: E402

if TYPE_CHECKING:
    from django.test import Client

    from portal.models import User

# whitenoise warns that collectstatic has not been run; the bench serves no files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

TARGETS_MS = {"queue": 150.0, "dashboard": 300.0}
SERVICES = [  # slug, share of items
    ("leaving-care", 0.20),
    ("lac-health", 0.12),
    ("virtual-school", 0.14),
    ("fostering", 0.14),
    ("residential", 0.08),
    ("iro", 0.07),
    ("complaints", 0.20),
    ("duty", 0.05),
]
OPEN_STATUSES = ["routed", "acknowledged", "in_progress", "responded", "reopened"]
BATCH = 5000
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_items(count: int, today: date, rng: random.Random) -> int:
    """Bulk-create `count` items over the last two years; returns how many are open."""
    from django.utils import timezone

    from feedback.models import Item, Kind, Topic
    from portal.models import Service

    services = {s.slug: s for s in Service.objects.all()}
    topics = list(Topic.objects.all())
    slugs = [slug for slug, _share in SERVICES]
    shares = [share for _slug, share in SERVICES]
    tz = timezone.get_default_timezone()
    now = timezone.now()
    open_count = 0
    batch: list[Item] = []
    for n in range(count):
        created = now - timedelta(days=rng.uniform(0, 730), seconds=rng.uniform(0, 86400))
        created_on = created.astimezone(tz).date()
        age = (today - created_on).days
        unrouted = age < 1 and rng.random() < 0.3
        slug = rng.choices(slugs, shares)[0]
        if slug == "complaints":
            kind = Kind.COMPLAINT
        else:
            kind = rng.choices(
                [Kind.COMPLIMENT, Kind.IDEA, Kind.WORRY, Kind.COMPLAINT], [18, 30, 48, 4]
            )[0]
        # Most items finish within weeks; a tail stays open for months, some overdue.
        if unrouted:
            status = "submitted"
        elif rng.random() < (0.99 if age > 90 else 0.9 if age > 30 else 0.4):
            status = "closed" if rng.random() < 0.93 else "withdrawn"
        else:
            status = rng.choice(OPEN_STATUSES)
        is_open = status not in ("closed", "withdrawn")
        open_count += is_open
        stage = None
        if kind == Kind.COMPLAINT:
            stage = rng.choices([1, 2, 3], [88, 10, 2])[0]
        responded = status not in ("submitted", "routed") and (
            status != "withdrawn" or rng.random() < 0.5
        )
        first_response = (
            created + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 12, 20]), hours=3)
            if responded
            else None
        )
        finished_after = timedelta(days=rng.randint(1, 45), hours=5)
        due_on = None
        if is_open and status not in ("submitted", "responded"):
            # Due 10 or 20 working-ish days after arrival: a share of older open items are overdue.
            due_on = created_on + timedelta(days=rng.choice([3, 14, 28]))
        batch.append(
            Item(
                reference=f"B{n:06d}",
                submission_key=uuid.uuid4(),
                kind=kind,
                topic=rng.choice(topics),
                words="Benchmark item",
                identity=rng.choice(["named", "confidential", "anonymous"]),
                audience=rng.choice(["in_care", "care_leaver"]),
                advocate_requested=kind == Kind.COMPLAINT and rng.random() < 0.3,
                status=status,
                priority="urgent" if slug == "duty" else "routine",
                safeguarding=slug == "duty",
                service=None if unrouted else services[slug],
                routed_at=None if unrouted else created + timedelta(minutes=1),
                stage=stage,
                clock=(f"stage{stage}" if stage else "reply") if due_on else "",
                clock_started_on=created_on if due_on else None,
                due_on=due_on,
                clock_extended=bool(stage) and rng.random() < 0.15,
                first_response_at=first_response,
                first_response_on_time=(rng.random() < 0.8) if first_response else None,
                # Roughly five working days in seven, as services record them.
                first_response_days=(first_response - created).days * 5 // 7
                if first_response
                else None,
                close_days=finished_after.days * 5 // 7 if status == "closed" else None,
                escalated=rng.random() < 0.05,
                outcome=(
                    rng.choice(["upheld", "partly_upheld", "not_upheld", "resolved_informally"])
                    if stage and status in ("closed", "responded")
                    else "withdrawn"
                    if stage and status == "withdrawn"
                    else ""
                ),
                closed_at=created + finished_after if not is_open else None,
                created_at=created,
            )
        )
        if len(batch) == BATCH:
            Item.objects.bulk_create(batch)
            batch = []
    if batch:
        Item.objects.bulk_create(batch)
    return open_count


def make_users() -> tuple[User, User]:
    from portal import mfa
    from portal.models import Membership, Service, User

    manager = User.objects.create_user("bench-manager", password="x", display_name="Bench")
    Membership.objects.create(
        user=manager,
        service=Service.objects.get(slug="leaving-care"),
        role=Membership.Role.MANAGER,
    )
    mfa.activate_totp(manager, TOTP_SECRET)
    chief = User.objects.create_user("bench-complaints", password="x", is_complaints_manager=True)
    mfa.activate_totp(chief, TOTP_SECRET)
    return manager, chief


def time_page(client: Client, url: str, runs: int) -> list[float]:
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def queries_of(client: Client, url: str) -> list[dict[str, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20260318)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    recreate_database(SERVER, DATABASE)
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from feedback.models import Item
    from feedback.seed import seed_reference_data
    from tests.conftest import client_for

    seed_reference_data()
    today = timezone.localdate()
    open_count = build_items(args.items, today, random.Random(args.seed))
    manager, chief = make_users()
    with connection.cursor() as cursor:
        # VACUUM as well as ANALYZE: otherwise autovacuum wakes up on the freshly
        # loaded table in the middle of the timings.
        cursor.execute("VACUUM ANALYZE")
    overdue = Item.objects.overdue().count()
    print(
        f"database {DATABASE}: {Item.objects.count():,} items, {open_count:,} open, "
        f"{overdue:,} overdue; loaded in {time.perf_counter() - t0:.1f} s"
    )

    pages: list[tuple[str, str, User, str]] = [
        ("queue", "service manager, 1 service", manager, "/staff/"),
        ("dashboard", "service manager, 1 service", manager, "/staff/dashboard/"),
        ("dashboard", "complaints manager, all", chief, "/staff/dashboard/"),
    ]
    print(f"\n{'page':<11}{'who':<29}{'median ms':>10}{'p95 ms':>9}{'target':>9}{'queries':>9}  ")
    missed = []
    for page, who, user, url in pages:
        # Signed in as if with the second factor, as the staff pages require.
        client = client_for(user)
        timings = time_page(client, url, args.runs)
        queries = queries_of(client, url)
        p95 = percentile(timings, 0.95)
        target = TARGETS_MS[page]
        verdict = "ok" if p95 < target else "MISSED"
        if p95 >= target:
            missed.append(page)
        print(
            f"{page:<11}{who:<29}{statistics.median(timings):>10.1f}{p95:>9.1f}"
            f"{'< ' + format(target, '.0f'):>9}{len(queries):>9}  {verdict}"
        )
        if args.explain:
            for query in queries:
                if query["sql"].lstrip().upper().startswith("SELECT"):
                    print(f"\n-- {query['time']} s\n{query['sql']}\n{explain(query['sql'])}")
    print(f"\n{args.runs} timed requests per page after 3 warm-ups; items seeded with {args.seed}.")
    if missed:
        print(f"Targets missed: {', '.join(missed)}. Run with --explain to see the plans.")
        sys.exit(1)


if __name__ == "__main__":
    main()
