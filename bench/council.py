"""Server time of the council's dashboard over 1,000,000 items in PostgreSQL.

Run: .venv/bin/python -m bench.council [--items N] [--runs N] [--explain]

Drops and recreates the database portal_bench_council on BENCH_PG_SERVER
(default postgres://postgres@127.0.0.1:5432), migrates, seeds the reference
data and the topic themes, and loads the items in one INSERT ... SELECT over
generate_series (spread over the last three years, every kind, topic, mood and
audience; 5% also tagged with one of three council themes), then VACUUM ANALYZE.
A council member (a young person: no second factor) then asks for the dashboard
for the last 12 months, for everyone, children in care only and care leavers
only: 3 warm-ups, then --runs requests (default 30) each, with Django's test
Client (full middleware and templates, no network). Prints median and p95
(nearest rank) against the target, p95 < 300 ms, and the page's queries: first
counting live, then after refreshing the roll-up that Celery beat keeps
(participation/rollup.py); the target applies to the roll-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = "portal_bench_council"
os.environ.update(
    DATABASE_URL=f"{SERVER}/{DATABASE}",
    DJANGO_SETTINGS_MODULE="portal.settings",
    PORTAL_EMBEDDED="1",
    CELERY_BROKER_URL="memory://",
    REDIS_URL="",
    DEBUG="0",
    # Plain HTTP through the test client: no redirect to HTTPS.
    SECURE_COOKIES="0",
)

from bench.measure import hardware, percentile, recreate_database  # noqa: E402

if TYPE_CHECKING:
    from datetime import datetime

    from django.test import Client

warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

TARGET_MS = 300.0
DAYS = 3 * 365


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_items(count: int) -> None:
    """One INSERT ... SELECT: every column the model has, so new fields get their defaults."""
    from django.db import connection
    from django.utils import timezone

    from feedback.models import Item, Topic

    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    now = timezone.now()
    chosen = {
        # Every % below is doubled: the statement goes through psycopg's placeholders.
        "reference": "'B' || lpad(i::text, 8, '0')",
        "submission_key": "md5(i::text)::uuid",
        "kind": "(ARRAY['compliment','idea','worry','worry','complaint'])[1 + (i * 7) %% 5]",
        "topic_id": f"(ARRAY{topic_ids})[1 + (i * 13) %% {len(topic_ids)}]",
        "words": "'Benchmark item'",
        "mood": "CASE WHEN i %% 6 = 0 THEN NULL ELSE 1 + (i * 3) %% 5 END",
        "identity": "(ARRAY['named','confidential','anonymous'])[1 + i %% 3]",
        "audience": "(ARRAY['in_care','care_leaver'])[1 + (i / 3) %% 2]",
        "status": "'closed'",
        "created_at": f"%(now)s - ((i::bigint * 7919) %% {DAYS * 86400}) * interval '1 second'",
        "updated_at": "%(now)s",
    }
    columns: list[str] = []
    expressions: list[str] = []
    params: dict[str, str | int | datetime] = {"now": now}
    for field in Item._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.name in chosen or field.attname in chosen:
            expressions.append(chosen.get(field.name) or chosen[field.attname])
        elif field.has_default():
            key = f"d_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            expressions.append(f"%({key})s")
        elif field.null:
            expressions.append("NULL")
        else:
            key = f"d_{field.column}"
            params[key] = "" if field.get_internal_type() in ("CharField", "TextField") else 0
            expressions.append(f"%({key})s")
    # Table, columns and counts come from the model and this script, never from input.
    table, names, values = Item._meta.db_table, ", ".join(columns), ", ".join(expressions)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {values} FROM generate_series(1, {int(count)}) AS i"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tag_items() -> None:
    from django.db import connection
    from django.utils import timezone

    from participation.models import ItemTheme, Theme

    themes = [
        Theme.objects.create(name=name, state="agreed").pk
        for name in ("Placement moves", "Pocket money", "Feeling listened to")
    ]
    # Names and ids from the models, not from input.
    sql = (
        f"INSERT INTO {ItemTheme._meta.db_table} (item_id, theme_id, tagged_at) "  # noqa: S608
        f"SELECT id, (ARRAY{themes})[1 + id %% 3], %s FROM feedback_item WHERE id %% 20 = 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now()])


def time_page(client: Client, url: str, runs: int) -> list[float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    recreate_database(SERVER, DATABASE)
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.models import Item
    from feedback.seed import seed_reference_data
    from participation.models import ItemTheme
    from participation.services import ensure_topic_themes
    from tests.conftest import client_for, make_young_person

    seed_reference_data()
    ensure_topic_themes()
    load_items(args.items)
    tag_items()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    council = make_young_person("bench-council", council=True)
    client = client_for(council)
    print(
        f"database {DATABASE}: {Item.objects.count():,} items over three years, "
        f"{ItemTheme.objects.count():,} theme tags; loaded in {time.perf_counter() - t0:.1f} s"
    )
    print(hardware())
    pages = [
        ("12 months, everyone", "/council/?period=12"),
        ("12 months, children in care", "/council/?period=12&who=in_care"),
        ("12 months, care leavers", "/council/?period=12&who=care_leaver"),
        ("12 months, CSV, everyone", "/council/figures.csv?period=12"),
    ]
    missed = []
    for mode in ("live (no roll-up)", "roll-up"):
        if mode == "roll-up":
            from participation import rollup

            start = time.perf_counter()
            months = rollup.refresh()
            print(
                f"\nroll-up refreshed ({months} finished months) in "
                f"{time.perf_counter() - start:.1f} s: what Celery beat does every 10 minutes"
            )
        print(f"\n{mode}")
        print(f"{'page':<32}{'median ms':>10}{'p95 ms':>9}{'target':>9}{'queries':>9}")
        for name, url in pages:
            timings = time_page(client, url, args.runs)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            p95 = percentile(timings, 0.95)
            ok = p95 < TARGET_MS
            if mode == "roll-up" and not ok:
                missed.append(name)
            print(
                f"{name:<32}{statistics.median(timings):>10.1f}{p95:>9.1f}"
                f"{'< ' + format(TARGET_MS, '.0f'):>9}{len(captured):>9}  "
                f"{'ok' if ok else 'MISSED'}"
            )
            if args.explain:
                for query in captured.captured_queries:
                    if "GROUP BY" in query["sql"]:
                        with connection.cursor() as cursor:
                            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                            print("\n".join(row[0] for row in cursor.fetchall()))
    print(f"\n{args.runs} timed requests per page after 3 warm-ups.")
    if missed:
        print(f"Target missed: {', '.join(missed)}.")
        sys.exit(1)


if __name__ == "__main__":
    main()
