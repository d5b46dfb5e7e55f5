"""`make run` stops cleanly: Ctrl-C ends the web server, worker and beat within 5 seconds."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_ctrl_c_stops_the_web_server_worker_and_beat_within_5_seconds(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_EMBEDDED": "1",
        "DEBUG": "0",
        "SQLITE_PATH": str(tmp_path / "run.sqlite3"),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "broker"),
        "CELERY_SKIP_CHECKS": "1",
    }
    (tmp_path / "broker").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    runner = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert runner.poll() is None, "the runner stopped on its own"
                assert time.monotonic() < deadline, "the web server did not start"
                time.sleep(0.3)
        children = children_of(runner.pid)
        assert len(children) == 3  # web server, worker and beat
        time.sleep(2)  # let the worker and beat finish starting up

        started = time.monotonic()
        runner.send_signal(signal.SIGINT)  # what Ctrl-C sends
        runner.wait(timeout=10)
        took = time.monotonic() - started
        assert took < 5, f"took {took:.1f} s"
        assert runner.returncode == 0
        assert not [pid for pid in children if group_alive(pid)]
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
        for pid in children_of(runner.pid):
            os.killpg(pid, signal.SIGKILL)
