"""`make run`: the web server, a Celery worker and beat together; Ctrl-C stops all three.

Each runs in a process group of its own, so the terminal's Ctrl-C reaches only
this command, which then stops them in order: the web server and beat with
SIGTERM, the worker with SIGQUIT (a cold shutdown: with late acknowledgement a
task it was running is delivered again, nothing is lost). Whatever is still
running after a grace period is killed, so the whole stop takes seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

GRACE_SECONDS = 3.0


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat together (make run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        for folder in (
            Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent,
            Path(settings.CELERY_FILESYSTEM_DIR) / "control",
        ):
            folder.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        celery = [sys.executable, "-m", "celery", "-A", "portal"]
        children = {
            "worker": self._start(
                [
                    *celery,
                    "worker",
                    "-Q",
                    "urgent,default,notifications",
                    "-c",
                    "1",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                ]
            ),
            "beat": self._start(
                [*celery, "beat", "--loglevel=INFO", "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME]
            ),
            "web": self._start(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
            ),
        }
        failed = ""
        while not stopping and not failed:
            time.sleep(0.2)
            failed = next((name for name, p in children.items() if p.poll() is not None), "")
        if failed:
            self.stderr.write(f"The {failed} stopped on its own: stopping the others.")
        self._stop_all(children)
        if failed:
            raise SystemExit(1)

    def _start(self, command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, start_new_session=True)  # noqa: S603

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        how = {"worker": signal.SIGQUIT, "beat": signal.SIGTERM, "web": signal.SIGTERM}
        for name, process in children.items():
            self._signal(process, how[name])
        deadline = time.monotonic() + GRACE_SECONDS
        for process in children.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait()
        self.stdout.write("Stopped the web server, worker and beat.")

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
        # The whole group: the worker's pool children too.
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signum)
