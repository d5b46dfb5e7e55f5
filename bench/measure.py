"""What the benchmarks share: a fresh database, the postcard they send, CPU time from /proc,
percentiles, the machine."""

from __future__ import annotations

import os
import platform
import uuid
from pathlib import Path

import psycopg


def postcard_form(csrf_token: str, topic: int | str) -> dict[str, str]:
    """An anonymous idea sent from the check page, as a browser posts it (a new form key
    each time): what bench.submit and bench.inprocess send, and peerbench too."""
    return {
        "csrfmiddlewaretoken": csrf_token,
        "step": "send",
        "submission_key": str(uuid.uuid4()),
        "kind": "idea",
        "audience": "in_care",
        "topic": str(topic),
        "identity": "anonymous",
        "words": "Could we have a homework club on Tuesdays? It would really help.",
        "contact_wanted": "no",
    }


def recreate_database(server: str, name: str) -> None:
    """Drop and create `name` on `server` (a postgres:// URL without a database)."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes so far (those still alive)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def hardware() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    cores = len(os.sched_getaffinity(0))
    return f"{cores} cores (nproc), {model}, {mem_kb / 1024 / 1024:.1f} GiB memory"
