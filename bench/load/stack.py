"""The processes the test starts, each in its own process group, and the faults it causes.

Redis (its own, on a free port, no persistence), one or more gunicorn processes
(3 sync workers each, each on its own port, as web replicas behind a load balancer),
Celery workers and beat. Every process is started here and stopped here: `stop`
ends each group this module started, by its id, and nothing else.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
QUEUES = "urgent,default,notifications"


def snapshot(into: Path, commit: str = "") -> Path:
    """Copy the tree as it is now (git's tracked and untracked, not ignored, files) to
    `into`, or with `commit`, that commit's files (git archive).

    The processes run this copy, so an edit saved during a run (others work in the
    same tree) cannot give a restarted worker code, or a model, the others lack.
    """
    into.mkdir(parents=True, exist_ok=True)
    if commit:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        return into
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def end_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the process's group, then SIGKILL what is left after `grace` seconds.

    A process already reaped is left alone: its id may belong to someone else now.
    """
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # pool children outliving their parent, too
    process.wait()


class Stack:
    def __init__(self, env: dict[str, str], logs: Path, source: Path) -> None:
        self.env = env
        self.logs = logs
        self.source = source  # the tree the processes run (cwd and PYTHONPATH)
        self.redis_port = free_port()
        self.web_ports: list[int] = []
        # The ports a load balancer sends to: the people's browsers read this very list.
        self.in_rotation: list[int] = []
        self.redis: subprocess.Popen[bytes] | None = None
        self.webs: list[subprocess.Popen[bytes]] = []
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.beat: subprocess.Popen[bytes] | None = None
        self.started: list[subprocess.Popen[bytes]] = []

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def _start(self, command: list[str], log: str) -> subprocess.Popen[bytes]:
        with (self.logs / log).open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=self.source,
                env={**self.env, "PYTHONPATH": str(self.source)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as one
            )
        self.started.append(process)
        return process

    # --- Redis ----------------------------------------------------------------------

    def start_redis(self) -> float:
        """Start Redis on its port; seconds until it answered PING."""
        began = time.monotonic()
        command = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.logs)]
        self.redis = self._start(command, "redis.log")
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return time.monotonic() - began
            except OSError:
                pass
            if self.redis.poll() is not None or time.monotonic() - began > 30:
                raise SystemExit(f"Redis did not start: see {self.logs / 'redis.log'}")
            time.sleep(0.02)

    def restart_redis(self, down: float) -> str:
        """Kill Redis (SIGKILL: queued tasks, sessions and counters are gone), leave it down
        `down` seconds, as a restart of a real server takes, and start it on the same port."""
        assert self.redis is not None
        began = time.monotonic()
        os.killpg(self.redis.pid, signal.SIGKILL)
        self.redis.wait()
        time.sleep(down)
        up = self.start_redis()
        return f"Redis SIGKILLed, answering again {time.monotonic() - began:.2f}s later (start {up:.2f}s)"

    # --- Web ------------------------------------------------------------------------

    def add_web(self) -> None:
        """One more web process, on a port of its own."""
        self.web_ports.append(free_port())
        self.webs.append(self._run_web(len(self.webs)))
        self.in_rotation.append(self.web_ports[-1])

    def _run_web(self, index: int) -> subprocess.Popen[bytes]:
        """Start web process `index` on its port; return once it answers with 3 workers."""
        port = self.web_ports[index]
        command = [str(BIN / "gunicorn"), "portal.wsgi", "--workers", "3"]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        web = self._start(command, f"gunicorn-{index + 1}.log")
        deadline = time.monotonic() + 60
        while len(children(web.pid)) < 3 or not self._answers(port):
            if web.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"gunicorn did not start: see {self.logs}/gunicorn-{index + 1}.log"
                )
            time.sleep(0.2)
        return web

    def _answers(self, port: int) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz/live")
            return conn.getresponse().status < 500
        except OSError:
            return False
        finally:
            conn.close()

    def web_workers(self, index: int = 0) -> list[int]:
        return children(self.webs[index].pid)

    def restart_web_worker(self) -> str:
        """SIGTERM one gunicorn worker: it finishes its request, the master starts another."""
        before = self.web_workers(0)
        victim = before[0]
        os.kill(victim, signal.SIGTERM)
        began = time.monotonic()
        while True:
            now = self.web_workers(0)
            if victim not in now and len(now) >= 3:
                break
            if time.monotonic() - began > 60:
                return f"gunicorn worker {victim} sent SIGTERM; no replacement after 60s"
            time.sleep(0.05)
        return (
            f"gunicorn worker {victim} sent SIGTERM; replaced {time.monotonic() - began:.2f}s later"
        )

    def kill_web(self, index: int, down: float) -> str:
        """SIGKILL a whole web process (master and workers, requests in flight cut off), as a
        machine that dies; leave it down `down` seconds, then start it again on its port.
        Its requests cut off, and any sent before it is out of rotation, get no answer and
        go to another web process (client.py); it is out of rotation from just after the
        kill (a load balancer's first refused connection) until it answers its health check
        again, as a load balancer sends nothing to a replica still starting."""
        victim, port = self.webs[index], self.web_ports[index]
        began = time.monotonic()
        os.killpg(victim.pid, signal.SIGKILL)
        self.in_rotation.remove(port)
        victim.wait()
        time.sleep(down)
        self.webs[index] = self._run_web(index)
        self.in_rotation.append(port)
        return (
            f"web process {index + 1} of {len(self.webs)} SIGKILLed (master and 3 workers); "
            f"answering again {time.monotonic() - began:.1f}s later"
        )

    # --- Celery ---------------------------------------------------------------------

    def start_worker(self, name: str) -> None:
        command = [str(BIN / "celery"), "-A", "portal", "worker", "-Q", QUEUES, "-c", "1"]
        command += ["-n", f"{name}@load", "-l", "warning"]
        self.workers[name] = self._start(command, f"worker-{name}.log")

    def wait_worker(self, name: str, timeout: float = 90) -> float:
        """Seconds until the worker answered a ping."""
        from portal.celery import app

        began = time.monotonic()
        while not app.control.ping(destination=[f"{name}@load"], timeout=0.5):
            if self.workers[name].poll() is not None or time.monotonic() - began > timeout:
                raise SystemExit(f"worker {name} did not start: see {self.logs}/worker-{name}.log")
        return time.monotonic() - began

    def kill_worker(self, name: str, replacement: str) -> str:
        """SIGKILL a worker's whole group (main process and pool child) and start another."""
        victim = self.workers.pop(name)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        self.start_worker(replacement)
        ready = self.wait_worker(replacement)
        return f"worker {name} SIGKILLed; {replacement} answering {ready:.1f}s later"

    def start_beat(self) -> None:
        command = [str(BIN / "celery"), "-A", "portal", "beat", "-l", "warning"]
        command += ["-s", str(self.logs / "celerybeat-schedule")]
        self.beat = self._start(command, "beat.log")

    # --- All ------------------------------------------------------------------------

    def stop(self) -> None:
        """Web first (no new work), then beat and the workers, Redis last; then any other."""
        first = [*self.webs, self.beat, *self.workers.values(), self.redis]
        for process in [p for p in first if p is not None] + self.started:
            end_group(process)
