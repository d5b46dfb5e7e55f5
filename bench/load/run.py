"""Load and fault test: young people and staff use the portal while its parts fail.

Run: .venv/bin/python -m bench.load.run [--seconds 600] [--users 50] [--think 2]
         [--web 2] [--workers 2] [--short]

Starts everything itself: a fresh PostgreSQL database `portal_load` on
BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432), migrated and seeded
with the reference data, young people and one member of staff with a second
factor; a Redis of its own on a free port (no persistence), as broker and cache;
`--web` gunicorn processes (3 sync workers each, each on its own port, as web
replicas on separate machines would be); `--workers` Celery workers on all three
queues, and beat. All of them share the one PostgreSQL and the one Redis.

People (threads, http.client, 127.0.0.1 only): young people signed in send
postcards (one in ten reads as a child at risk) and read their items; anonymous
senders send postcards; one member of staff, signed in with the second factor,
reads the queue and replies to items. Each person waits 0 to 2 x `--think`
seconds between turns. Requests are spread over the web processes in turn, with
no stickiness, and one that gets no answer goes to the next (client.py).

Faults, at fixed fractions of the run: a Celery worker SIGKILLed (its whole
group) and another started; with two web processes or more, one whole web
process SIGKILLed (master and workers, requests in flight cut off) and started
again 3 seconds later; Redis killed and started again on the same port; and
(not in --short) one gunicorn worker sent SIGTERM (the master starts another).

Then, from the database: every confirmed postcard exists, was routed exactly
once and has one arrival notification per recipient; no submission failed.
Exits with status 1 if anything was lost, duplicated or failed.

--short: 60 seconds, 10 users, 2 web processes and 2 workers; a worker kill, a web
process kill and a Redis restart.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.load.client import Person, Recorder, Sample
from bench.load.stack import Stack, snapshot
from bench.measure import hardware, percentile, recreate_database

SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_LOAD_DATABASE", "portal_load")  # one per person running it
PASSWORD = "load-test-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STAFF = "load-staff"
FAULT_WINDOW = 2.0  # seconds after a fault ends still counted as inside it
ROUTE_WAIT = 120.0
STEPS = [
    "form GET",
    "submit POST",
    "confirmation GET",
    "item read",
    "my postcards",
    "queue read",
    "staff item read",
    "reply",
]


@dataclass
class Fault:
    name: str
    began: float  # time.time()
    ended: float
    what: str


# --- Set-up -------------------------------------------------------------------------


def environment(redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": "bench-load-" + "x" * 50,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SUBMISSION_RATE": "1000000/h",
        "SUBMISSION_ADDRESS_RATE": "1000000/h",
        "ROUTING_SWEEP_AFTER_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SMS_BACKEND": "feedback.sms.LogBackend",
    }


def seed(young_people: int) -> tuple[list[tuple[str, str]], dict[str, list[int]]]:
    """Migrate, seed; young people (username, audience) and topic ids per audience."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from feedback.models import Topic
    from feedback.seed import seed_reference_data
    from portal import mfa
    from portal.models import Audience, Membership, Service, User, YoungPerson

    call_command("migrate", verbosity=0)
    seed_reference_data()
    hashed = make_password(PASSWORD)  # once: hashing is slow on purpose
    people = []
    for n in range(young_people):
        audience = Audience.IN_CARE if n % 2 == 0 else Audience.CARE_LEAVER
        user = User.objects.create(
            username=f"load-young-{n}", password=hashed, email=f"load-young-{n}@example.org"
        )
        YoungPerson.objects.create(user=user, audience=audience, year_of_birth=2009)
        people.append((user.username, str(audience)))
    # The complaints manager sees every item, so can answer any of them.
    staff = User.objects.create(
        username=STAFF, password=hashed, email="load-staff@council.example.org"
    )
    staff.is_complaints_manager = True
    staff.save()
    Membership.objects.create(
        user=staff, service=Service.objects.get(slug="complaints"), role=Membership.Role.MANAGER
    )
    mfa.activate_totp(staff, TOTP_SECRET)
    topics = {
        str(a): [t.pk for t in Topic.objects.active().for_audience(a)]
        for a in (Audience.IN_CARE, Audience.CARE_LEAVER)
    }
    both = sorted(set(topics[str(Audience.IN_CARE)]) & set(topics[str(Audience.CARE_LEAVER)]))
    topics["anonymous"] = both
    return people, topics


def totp_code() -> str:
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


# --- Running ------------------------------------------------------------------------


def sign_in_all(people: list[Person], staff: Person) -> float:
    """Everyone signs in before the clock starts: a password check costs a web worker
    about 0.3 s, and one address may sign in 30 times a minute."""
    began = time.monotonic()
    staff.sign_in(PASSWORD, totp_code)
    signed_in = [p for p in people if p.username]
    errors: list[BaseException] = []

    def one(person: Person) -> None:
        try:
            person.sign_in(PASSWORD)
        except BaseException as exc:  # SystemExit too: reported below
            errors.append(exc)

    for start in range(0, len(signed_in), 6):
        batch = [threading.Thread(target=one, args=(p,)) for p in signed_in[start : start + 6]]
        for t in batch:
            t.start()
        for t in batch:
            t.join()
    if errors:
        raise SystemExit(f"sign-in failed: {errors[0]}")
    return time.monotonic() - began


def run_load(
    people: list[Person],
    staff: Person,
    recorder: Recorder,
    seconds: float,
    faults: list[tuple[float, str, Callable[[], str]]],
) -> tuple[float, float, list[Fault]]:
    """The people act for `seconds` while the faults happen at their times."""
    stop = threading.Event()
    threads = [threading.Thread(target=p.young_person, args=(stop,)) for p in people]
    threads.append(threading.Thread(target=staff.staff, args=(stop,)))
    began = time.time()
    for t in threads:
        t.start()
    done: list[Fault] = []
    pending = sorted(faults, key=lambda f: f[0])
    next_report = 10.0
    try:
        while (elapsed := time.time() - began) < seconds:
            if pending and elapsed >= pending[0][0]:
                _at, name, act = pending.pop(0)
                start = time.time()
                print(f"  {start - began:6.1f}s  fault: {name} ...", flush=True)
                what = act()
                done.append(Fault(name, start, time.time(), what))
                print(f"  {time.time() - began:6.1f}s  {what}", flush=True)
                continue
            if elapsed >= next_report:
                with recorder.lock:
                    confirmed, failed = len(recorder.confirmed), len(recorder.failed)
                print(
                    f"  {elapsed:6.1f}s  confirmed {confirmed}, failed {failed}, "
                    f"{confirmed / elapsed:.1f}/s",
                    flush=True,
                )
                next_report += 10.0
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    return began, time.time(), done


# --- Checking -----------------------------------------------------------------------


@dataclass
class Verdict:
    confirmed: int
    saved: int  # items in the database, confirmed or not
    missing: list[str]
    unrouted: list[str]
    routed_twice: list[str]
    notifications_missing: int
    notifications_duplicated: int
    items_without_arrival: int
    last_routed: float
    routed_latencies: list[float]
    spans: list[tuple[float, float]]  # (created, routed) as timestamps


def wait_routed(references: set[str], deadline: float) -> bool:
    """Until every confirmed item that was saved is routed, or the deadline."""
    from feedback.models import Item

    while True:
        unrouted = Item.objects.filter(routed_at__isnull=True).values_list("reference", flat=True)
        if not references & set(unrouted):
            return True
        if time.time() > deadline:
            return False
        time.sleep(0.5)


def check(references: set[str]) -> Verdict:
    from feedback.models import Event, EventKind, Item, Notification
    from portal.models import Membership, Service

    items = {
        ref: (pk, service_id, created, routed)
        for ref, pk, service_id, created, routed in Item.objects.values_list(
            "reference", "pk", "service_id", "created_at", "routed_at"
        )
    }
    routings = Counter(
        Event.objects.filter(kind__in=[EventKind.ROUTED, EventKind.SAFEGUARDING]).values_list(
            "item_id", flat=True
        )
    )
    keys = Counter(
        Notification.objects.filter(key__startswith="arrived:").values_list("key", flat=True)
    )
    inbox = {s.pk: bool(s.inbox_email) for s in Service.objects.all()}
    members: dict[int, list[int]] = {}
    for service_id, user_id in Membership.objects.filter(
        user__is_active=True, user__email__gt=""
    ).values_list("service_id", "user_id"):
        members.setdefault(service_id, []).append(user_id)
    with_arrival = {int(key.split(":")[1]) for key in keys}

    missing, unrouted, twice = [], [], []
    notifications_missing = 0
    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    last_routed = 0.0
    for ref in sorted(references):
        if ref not in items:
            missing.append(ref)
            continue
        pk, service_id, created, routed = items[ref]
        if routed is None or routings[pk] == 0:
            unrouted.append(ref)
            continue
        if routings[pk] > 1:
            twice.append(ref)
        latencies.append((routed - created).total_seconds())
        spans.append((created.timestamp(), routed.timestamp()))
        last_routed = max(last_routed, routed.timestamp())
        expected = [f"arrived:{pk}:{service_id}:inbox"] if inbox.get(service_id) else []
        expected += [f"arrived:{pk}:{service_id}:user:{u}" for u in members.get(service_id, [])]
        notifications_missing += sum(1 for key in expected if keys[key] == 0)
    routed_refs = [r for r in references if r in items and r not in unrouted]
    return Verdict(
        confirmed=len(references),
        saved=len(items),
        missing=missing,
        unrouted=unrouted,
        routed_twice=twice,
        notifications_missing=notifications_missing,
        notifications_duplicated=sum(n - 1 for n in keys.values() if n > 1),
        items_without_arrival=sum(1 for r in routed_refs if items[r][0] not in with_arrival),
        last_routed=last_routed,
        routed_latencies=sorted(latencies),
        spans=spans,
    )


def log_problems(logs: Path) -> dict[str, int]:
    """Tracebacks and errors each process wrote to its log."""
    found = {}
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace")
        # Text lines say " ERROR "; JSON lines (LOG_FORMAT=json, production's) say "level": "ERROR".
        count = text.count("Traceback") + text.count(" ERROR ") + text.count('"level": "ERROR"')
        if count:
            found[log.name] = count
    return found


# --- Report -------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f}"


def in_fault(sample: Sample, faults: list[Fault]) -> bool:
    return any(f.began <= sample.started <= f.ended + FAULT_WINDOW for f in faults)


def report(
    args: argparse.Namespace,
    recorder: Recorder,
    began: float,
    ended: float,
    faults: list[Fault],
    verdict: Verdict,
    routed_in_time: bool,
    logs: Path,
) -> int:
    elapsed = ended - began
    samples = recorder.samples
    print()
    print(f"machine: {hardware()}")
    print(
        f"{args.users} users for {elapsed:.0f}s (think 0-{2 * args.think:.1f}s), "
        f"{args.web} gunicorn process(es) x 3 sync workers, {args.workers} Celery workers "
        "+ beat, one PostgreSQL, one Redis on its own port"
    )
    print(f"requests/s           {len(samples) / elapsed:8.1f}   ({len(samples)} requests)")
    retried = dict(recorder.retried.most_common())
    print(
        f"sent again to another web process (no answer from the first): "
        f"{sum(retried.values())} {retried or ''}"
    )
    print(f"{'step':<20} {'count':>7} {'failed':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for step in STEPS:
        times = [s.seconds for s in samples if s.step == step]
        bad = sum(1 for s in samples if s.step == step and not s.ok)
        if times:
            p50, p95, p99 = (percentile(times, q) for q in (0.5, 0.95, 0.99))
            print(f"{step:<20} {len(times):7d} {bad:7d} {ms(p50)} {ms(p95)} {ms(p99)}")
    quiet = [s.seconds for s in samples if s.step == "submit POST" and not in_fault(s, faults)]
    p95_quiet = percentile(quiet, 0.95) if quiet else 0.0
    print(
        f"submit POST p95 outside the fault windows ({FAULT_WINDOW:.0f}s after each): "
        f"{p95_quiet * 1000:.0f} ms ({len(quiet)} requests; target < 200)"
    )
    slowest = sorted((s for s in samples if s.step == "submit POST"), key=lambda s: -s.seconds)
    print(
        "slowest submit POSTs: "
        + ", ".join(f"{s.seconds * 1000:.0f} ms at {s.started - began:.1f}s" for s in slowest[:5])
    )
    print(f"faults (and the submissions whose POST began in the {FAULT_WINDOW:.0f}s after each):")
    for fault in faults:
        inside = [s for s in samples if s.step == "submit POST" and in_fault(s, [fault])]
        worst = max((s.seconds for s in inside), default=0.0)
        print(f"  at {fault.began - began:6.1f}s  {fault.what}")
        print(
            f"  {'':9}{len(inside)} POSTs, {sum(1 for s in inside if not s.ok)} failed, "
            f"slowest {worst * 1000:.0f} ms"
        )
    failed = len(recorder.failed)
    lost = len(verdict.missing) + len(verdict.unrouted)
    duplicated = len(verdict.routed_twice) + verdict.notifications_duplicated
    last = max(faults, key=lambda f: f.began) if faults else None
    print(f"submissions tried    {recorder.attempts:8d}")
    print(f"confirmed            {verdict.confirmed:8d}   ({verdict.confirmed / elapsed:.1f}/s)")
    print(f"failed submissions   {failed:8d}   {dict(recorder.reasons().most_common(5)) or ''}")
    if recorder.failed:
        times = sorted(t - began for t, _why in recorder.failed)
        print(f"  failed at (s into the load): {', '.join(f'{t:.1f}' for t in times[:20])}")
    print(f"saved in database    {verdict.saved:8d}   (confirmed or not)")
    print(f"routed               {verdict.confirmed - lost:8d}")
    print(
        f"lost                 {lost:8d}   (missing {len(verdict.missing)}, "
        f"unrouted after {ROUTE_WAIT:.0f}s {len(verdict.unrouted)})"
    )
    print(
        f"duplicated           {duplicated:8d}   (routed twice {len(verdict.routed_twice)}, "
        f"duplicate arrival keys {verdict.notifications_duplicated})"
    )
    print(
        f"arrival notifications missing {verdict.notifications_missing} "
        f"(routed items with none: {verdict.items_without_arrival})"
    )
    if verdict.routed_latencies:
        lat = verdict.routed_latencies
        print(
            f"submit to routed     p50 {ms(percentile(lat, 0.5)).strip()} ms, "
            f"p95 {ms(percentile(lat, 0.95)).strip()} ms, max {lat[-1]:.1f} s"
        )
        if last is not None:
            caught = [r for c, r in verdict.spans if c <= last.ended]
            print(
                f"after the last fault ({last.name}): everything sent before it ended was routed "
                f"{max(caught, default=last.began) - last.began:.1f}s after it began"
            )
        print(
            f"everything routed    {verdict.last_routed - ended:.1f}s after the load ended"
            + ("" if routed_in_time else f" (NOT within {ROUTE_WAIT:.0f}s)")
        )
    print(
        f"staff replies        {recorder.replies} sent; {len(recorder.reply_failed)} failed "
        "(queue, item or reply) "
        f"{dict(Counter(w for _t, w in recorder.reply_failed).most_common(3)) or ''}"
    )
    problems = log_problems(logs)
    print(f"logs: {logs}" + (f"  (tracebacks/errors: {problems})" if problems else ""))
    web_log = "".join(log.read_text(errors="replace") for log in sorted(logs.glob("gunicorn-*")))
    if "Traceback" in web_log:
        start = web_log.rfind("\n", 0, web_log.index("Traceback")) + 1
        print("the web log's first traceback:")
        print("\n".join("  " + line for line in web_log[start:].splitlines()[:60]))
    ok = failed == 0 and lost == 0 and duplicated == 0 and verdict.notifications_missing == 0
    print("PASS" if ok else "FAIL: lost, duplicated or failed submissions")
    return 0 if ok else 1


# --- Main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=None, help="600; --short: 60")
    parser.add_argument("--users", type=int, default=None, help="50; --short: 10")
    parser.add_argument(
        "--think", type=float, default=None, help="mean pause between turns; 2; --short: 0.5"
    )
    parser.add_argument(
        "--redis-down", type=float, default=2.0, help="seconds Redis stays down in its restart"
    )
    parser.add_argument(
        "--commit", default="", help="run this commit's files, not the working tree (git archive)"
    )
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes; 2")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers; 2")
    parser.add_argument(
        "--web-down", type=float, default=3.0, help="seconds a killed web process stays down"
    )
    parser.add_argument("--short", action="store_true", help="60 s, 10 users, 3 faults")
    args = parser.parse_args()
    args.seconds = args.seconds or (60.0 if args.short else 600.0)
    args.users = args.users or (10 if args.short else 50)
    args.think = args.think if args.think is not None else (0.5 if args.short else 2.0)
    if args.users < 2:
        parser.error("--users: at least 2 (one is the member of staff)")
    if args.web < 1 or args.workers < 1:
        parser.error("--web and --workers: at least 1")

    logs = Path(tempfile.mkdtemp(prefix="portal-load-"))
    anonymous = max(1, (args.users - 1) // 5)
    young = args.users - 1 - anonymous
    tree = f"commit {args.commit}" if args.commit else "the working tree"
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC load and fault test of {tree}; logs in {logs}",
        flush=True,
    )
    source = snapshot(logs / "src", args.commit)
    stack = Stack({}, logs, source)
    stack.env = environment(stack.redis_url)
    os.environ.update(stack.env)  # before django.setup(): settings read it once
    sys.path.insert(0, str(source))  # migrate, seed and check with the code the processes run
    recreate_database(SERVER, DATABASE)
    people_rows, topics = seed(young)
    try:
        stack.start_redis()
        for _web in range(args.web):
            stack.add_web()
        names = [f"w{n + 1}" for n in range(args.workers)]
        for name in names:
            stack.start_worker(name)
        stack.start_beat()
        for name in names:
            stack.wait_worker(name)
        recorder = Recorder()
        rng = random.Random(13)
        people = [
            Person(
                stack.in_rotation,
                recorder,
                args.think,
                username=name,
                audience=audience,
                topics=topics[audience],
                rng=random.Random(rng.random()),
            )
            for name, audience in people_rows
        ]
        people += [
            Person(
                stack.in_rotation,
                recorder,
                args.think,
                topics=topics["anonymous"],
                rng=random.Random(rng.random()),
            )
            for _ in range(anonymous)
        ]
        staff = Person(
            stack.in_rotation, recorder, args.think, username=STAFF, rng=random.Random(rng.random())
        )
        signing_in = sign_in_all(people, staff)
        recorder.samples.clear()  # the clock starts now
        print(
            f"{young} young people and the member of staff signed in ({signing_in:.1f}s); "
            f"{anonymous} anonymous senders; {args.seconds:.0f}s of load",
            flush=True,
        )
        spare = f"w{args.workers + 1}"
        faults: list[tuple[float, str, Callable[[], str]]] = [
            (0.25 * args.seconds, "kill a Celery worker", lambda: stack.kill_worker("w1", spare)),
            (0.55 * args.seconds, "restart Redis", lambda: stack.restart_redis(args.redis_down)),
        ]
        if args.web > 1:
            faults.append(
                (0.4 * args.seconds, "kill a web process", lambda: stack.kill_web(0, args.web_down))
            )
        if not args.short:
            faults.append((0.8 * args.seconds, "restart a web worker", stack.restart_web_worker))
        began, ended, done = run_load(people, staff, recorder, args.seconds, faults)
        references = {ref for ref, _t in recorder.confirmed}
        print(f"load over: waiting up to {ROUTE_WAIT:.0f}s for every item to be routed", flush=True)
        routed_in_time = wait_routed(references, time.time() + ROUTE_WAIT)
        verdict = check(references)
    finally:
        stack.stop()
    return report(args, recorder, began, ended, done, verdict, routed_in_time, logs)


if __name__ == "__main__":
    sys.exit(main())
