"""Lighthouse on a cheap phone: the young person's pages and the public "You Said, We Did"
board, in Lighthouse's mobile mode with Debian's Chromium; fails below performance 95,
accessibility 100 or best practices 95 on any page.

It starts its own server (gunicorn on the embedded defaults: its own SQLite file and
filesystem broker in a temporary folder, the demo data from `seed_demo`), and drives
bench/lighthouse.mjs through the pages as an anonymous visitor and as the demo's Jade.

Run: .venv/bin/python -m bench.lighthouse      (needs node_modules: `npm ci`)
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse"
FLOW = ROOT / "bench" / "lighthouse.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLOOR = {"performance": 95, "accessibility": 100, "best-practices": 95}
YOUNG_PERSON = "jade"  # a young person in participation/management/commands/seed_demo.py
DEMO_PASSWORD = "demo-portal-2026"


class PageScores(TypedDict):
    """One line of bench/lighthouse.mjs's output."""

    name: str
    url: str
    version: str  # Lighthouse's own, from its report
    scores: dict[str, int]  # category id: 0 to 100
    failing: list[str]  # "category: audit (value): what", for every audit below full marks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}) before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own 127.0.0.1
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def run_flow(base: str) -> list[PageScores]:
    out = subprocess.run(
        ["node", str(FLOW), base, YOUNG_PERSON, DEMO_PASSWORD],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "CHROMIUM": str(CHROMIUM)},
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"Lighthouse failed:\n{out.stderr[-4000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main() -> int:
    if not (LIGHTHOUSE / "package.json").exists():
        raise SystemExit("node_modules has no lighthouse: run `npm ci`")
    if not CHROMIUM.exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: run `make browser-deps`")
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        PORTAL_EMBEDDED="1",
        DEBUG="0",
        SITE_URL=base,
        SQLITE_PATH=str(folder / "portal.sqlite3"),
        CELERY_FILESYSTEM_DIR=str(folder / "broker"),
        # As `make run` and the image serve them: collected, hashed and compressed (gzip and
        # brotli), not the uncompressed sources the finders would serve.
        STATIC_MANIFEST="1",
    )
    (folder / "broker").mkdir()
    python = sys.executable
    for command in (
        ["collectstatic", "--noinput", "-v", "0"],
        ["migrate", "--noinput"],
        ["seed_demo"],
    ):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_up(base + "/healthz/live", server)
        results = run_flow(base)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    names = list(FLOOR)
    print(f"{'page':<20}" + "".join(f"{name:>16}" for name in names) + "  address")
    below: list[str] = []
    for result in results:
        scores = result["scores"]
        path = "/" + result["url"].split("/", 3)[-1]
        print(f"{result['name']:<20}" + "".join(f"{scores[name]:>16}" for name in names), path)
        for name, floor in FLOOR.items():
            if scores[name] < floor:
                below.append(f"{result['name']} ({result['url']}): {name} {scores[name]} < {floor}")
                below.extend(f"    {f}" for f in result["failing"] if f.startswith(f"{name}:"))
    for result in results:
        for failing in result["failing"]:
            print(f"  {result['name']}: {failing}")
    version = results[0]["version"] if results else "?"
    print(f"Lighthouse {version}, mobile; floors {FLOOR}; {time.monotonic() - started:.0f} s")
    if len(results) < 9:
        below.append(f"only {len(results)} of 9 pages were measured")
    if below:
        print("Below the floor:\n" + "\n".join(below))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
