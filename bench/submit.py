"""Submitting a postcard under load: gunicorn (3 sync workers), PostgreSQL, Redis.

16 concurrent senders, each with its own session, POST the answers and follow
nothing (the redirect is the answer). Compare with ../shared/MEASURED.md: a bare
Django form view managed 465/s (p95 46 ms), django-helpdesk's form 74/s (p95 263 ms).

Run: .venv/bin/python -m bench.submit [--seconds 20] [--users 16]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import cpu_seconds, postcard_form

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
DB = "portal_bench_submit"
PORT = 8791


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def postgres_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-f", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def sender(stop: float, latencies: list[float], errors: list[str], topic: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    conn.request("GET", "/postcards/new/")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise SystemExit("the form page has no CSRF token: is the portal running?")
    token = found.group(1)
    while time.monotonic() < stop:
        body = urlencode(postcard_form(token, topic))
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        conn.request(
            "POST",
            "/postcards/new/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{PORT}/postcards/new/",
            },
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status == 302:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(str(response.status))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=16)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "SUBMISSION_RATE": "1000000/h",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=True, capture_output=True)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    topic = subprocess.run(
        [
            python,
            "-c",
            "import django; django.setup(); from feedback.seed import seed_reference_data as s; s();"
            "from feedback.models import Topic; print(Topic.objects.get(slug='school').pk)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        web = children(server.pid)
        latencies: list[float] = []
        errors: list[str] = []
        web_cpu, pg_cpu = cpu_seconds(web), cpu_seconds(postgres_pids())
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=sender, args=(stop, latencies, errors, topic))
            for _ in range(args.users)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        web_cpu, pg_cpu = cpu_seconds(web) - web_cpu, cpu_seconds(postgres_pids()) - pg_cpu
        rss = max(
            int(Path(f"/proc/{p}/status").read_text().split("VmHWM:")[1].split()[0]) for p in web
        )
    finally:
        server.terminate()
        server.wait()
    n = len(latencies)
    latencies.sort()
    print(
        f"{args.users} senders for {elapsed:.1f}s: {n} postcards, {len(errors)} errors {sorted(set(errors))}"
    )
    print(f"  submissions/s        {n / elapsed:8.1f}   (bare Django 465, django-helpdesk 74)")
    print(
        f"  p50 / p95 ms         {statistics.median(latencies) * 1000:6.1f} / {latencies[int(n * 0.95)] * 1000:.1f}   (bare 46 p95, helpdesk 263)"
    )
    print(
        f"  CPU ms per postcard  web {web_cpu / n * 1000:.1f} + PostgreSQL {pg_cpu / n * 1000:.1f}   (bare 2.9 + 0.5, helpdesk 21.0 + 3.9)"
    )
    print(f"  web worker peak RSS  {rss / 1024:.0f} MB   (bare 53, helpdesk 80)")
    print("  load generator, server and database share the machine's cores")


if __name__ == "__main__":
    main()
