"""One anonymous postcard and its confirmation page, in-process: where the time goes.

Django's test client (the whole middleware stack and templates, no network) on
PostgreSQL and Redis, as gunicorn runs the portal, sending the same form as the
peerbench harness (`step=send`, an anonymous idea). Prints milliseconds per
postcard (POST plus the redirect GET), the SQL statements and Redis commands of
one, and with `--profile` the functions that cost most (cProfile).

Run: .venv/bin/python -m bench.inprocess [--n 300] [--profile] [--no-redis]

Needs PostgreSQL at BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432);
recreates the database `portal_bench_inprocess`. Redis at 127.0.0.1:6379,
database BENCH_REDIS_DB (default 11), which it empties.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

PG = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
DB = "portal_bench_inprocess"
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "11")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="write the cProfile stats to this file")
    args = parser.parse_args()

    from bench.measure import postcard_form, recreate_database

    recreate_database(PG, DB)
    os.environ.update(
        DATABASE_URL=f"{PG}/{DB}",
        SECRET_KEY="bench-" + "x" * 50,
        DEBUG="0",
        SUBMISSION_RATE="1000000/h",
        SECURE_COOKIES="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    if not args.no_redis:
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from feedback.models import Topic
    from feedback.seed import seed_reference_data

    call_command("migrate", verbosity=0)
    seed_reference_data()
    if not args.no_redis:
        cache.clear()
    topic = Topic.objects.get(slug="school").pk
    import portal.wsgi  # noqa: F401  # what a gunicorn worker does as it starts (warm-up, gc.freeze)

    client = Client(enforce_csrf_checks=True)
    page = client.get("/postcards/new/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    def one() -> None:
        response = client.post(
            "/postcards/new/",
            urlencode(postcard_form(token, topic)),
            content_type="application/x-www-form-urlencoded",  # as the form and a browser send it
        )
        assert response.status_code == 302, response.status_code
        confirmation = client.get(response["Location"])
        assert confirmation.status_code == 200, confirmation.status_code

    for _ in range(20):  # warm: imports, compiled templates, the connection
        one()

    with CaptureQueriesContext(connection) as queries:
        redis_commands = _count_redis(one)
    kinds = Counter(q["sql"].split()[0] for q in queries.captured_queries)
    print(f"SQL per postcard + confirmation: {len(queries)} {dict(kinds)}")
    for q in queries.captured_queries:
        print("   ", q["sql"][:110])
    print(f"Redis commands per postcard + confirmation: {redis_commands}")

    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        one()
    wall = (time.perf_counter() - started) / args.n * 1000
    cpu_ms = (time.process_time() - cpu) / args.n * 1000
    print(
        f"{args.n} postcards: {wall:.2f} ms wall, {cpu_ms:.2f} ms CPU per postcard + confirmation"
    )

    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.n):
            one()
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


def _count_redis(call: Callable[[], None]) -> Counter[str]:
    """Run `call`, counting the commands sent to Redis by name."""
    from redis.client import Redis

    counts: Counter[str] = Counter()
    original = Redis.execute_command

    def counted(self: Redis, *args: Any, **options: Any) -> Any:
        counts[str(args[0])] += 1
        return original(self, *args, **options)

    Redis.execute_command = counted  # type: ignore[method-assign]
    try:
        call()
    finally:
        Redis.execute_command = original  # type: ignore[method-assign]
    return counts


if __name__ == "__main__":
    main()
