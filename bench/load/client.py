"""The load generator: browsers made of http.client, and the people who use them.

Only 127.0.0.1 is ever contacted. Each simulated person has their own cookies
(the session carries the CSRF token) and opens a new connection per request, as
gunicorn's sync workers close each one.

With several web processes the browser is its own load balancer: requests take the
ports in rotation in turn (no stickiness: the session must be shared), and a request
that gets no answer (refused, reset, cut off) is sent again to the next port, as a
proxy's `proxy_next_upstream` would. The rotation is the stack's list (stack.py): a
web process killed leaves it, and comes back once it answers its health check. A POST is sent again too: every form here carries its own
key (submission_key, the reply's key), so the portal makes one item, or one reply, of
two sends; the checks after the run prove it.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"
TIMEOUT = 30.0  # gunicorn's own worker timeout: longer than this is a failure anyway
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SENT_RE = re.compile(r"^/postcards/sent/([A-Z0-9-]+)/$")
STAFF_ITEM_RE = re.compile(r'href="/staff/items/([A-Z0-9-]+)/"')
REPLY_FORM_RE = re.compile(r'action="/staff/items/[A-Z0-9-]+/reply/".*?</form>', re.S)
KEY_RE = re.compile(r'name="key" value="([^"]*)"')

# (kind, words); one postcard in ten reads as a child at risk and goes to the duty team.
ROUTINE = [
    ("idea", "Could we have a homework club on Tuesdays? It would really help."),
    ("compliment", "My teacher helped me with my maths and I passed."),
    ("worry", "I have been waiting ages to see the dentist."),
    ("idea", "Can we have a football club on Saturdays please"),
    ("complaint", "My social worker keeps cancelling our visits."),
    ("worry", "I want to see my brother more often."),
]
AT_RISK = ("worry", "my carer hits me and i dont feel safe")


@dataclass
class Sample:
    step: str
    started: float  # time.time() when the request was sent
    seconds: float
    ok: bool


@dataclass
class Recorder:
    """Everything the people saw, shared by their threads."""

    samples: list[Sample] = field(default_factory=list)
    retried: Counter[str] = field(default_factory=Counter)  # step: sent again to another port
    confirmed: list[tuple[str, float]] = field(default_factory=list)  # (reference, time)
    failed: list[tuple[float, str]] = field(default_factory=list)  # (time, why)
    reply_failed: list[tuple[float, str]] = field(default_factory=list)
    replies: int = 0
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, step: str, started: float, seconds: float, ok: bool) -> None:
        with self.lock:
            self.samples.append(Sample(step, started, seconds, ok))

    def submission(self, started: float, reference: str | None, why: str = "") -> None:
        with self.lock:
            self.attempts += 1
            if reference is None:
                self.failed.append((started, why))
            else:
                self.confirmed.append((reference, started))

    def reply(self, started: float, why: str = "") -> None:
        with self.lock:
            if why:
                self.reply_failed.append((started, why))
            else:
                self.replies += 1

    def reasons(self) -> Counter[str]:
        with self.lock:
            return Counter(why for _t, why in self.failed)


@dataclass
class Response:
    status: int  # 0: no answer (refused, reset, timed out)
    location: str
    body: str
    error: str = ""


class Browser:
    """Cookies, and one request per connection, timed and recorded under a step's name."""

    def __init__(self, ports: list[int], recorder: Recorder, first: int = 0) -> None:
        self.ports = ports  # the ports in rotation: the stack changes this list
        self.turn = first  # which port the next request goes to
        self.recorder = recorder
        self.cookies: dict[str, str] = {}

    def request(
        self, step: str, method: str, path: str, form: dict[str, str] | None = None
    ) -> Response:
        """Send to the next port in turn; with no answer, to the next, up to twice round."""
        started, clock = time.time(), time.perf_counter()
        for attempt in range(2 * len(self.ports)):
            if attempt:
                with self.recorder.lock:
                    self.recorder.retried[step] += 1
                if attempt % len(self.ports) == 0:
                    time.sleep(0.5)  # every port tried: give a restarting one a moment
            ports = list(self.ports)  # as it is now
            port = ports[self.turn % len(ports)]
            self.turn += 1
            response = self._send(port, method, path, form)
            if response.status != 0:
                break
        seconds = time.perf_counter() - clock
        ok = response.status == (302 if method == "POST" else 200)
        self.recorder.sample(step, started, seconds, ok)
        return response

    def _send(self, port: int, method: str, path: str, form: dict[str, str] | None) -> Response:
        headers = {"Referer": f"http://{HOST}:{port}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body, headers)
            answer = conn.getresponse()
            text = answer.read().decode("utf-8", "replace")
            for cookie in answer.msg.get_all("Set-Cookie") or []:
                self._keep(cookie)
            return Response(answer.status, answer.getheader("Location") or "", text)
        except (OSError, http.client.HTTPException) as exc:
            return Response(0, "", "", type(exc).__name__)
        finally:
            conn.close()

    def _keep(self, header: str) -> None:
        name, _, rest = header.partition("=")
        value, _, attributes = rest.partition(";")
        attributes = attributes.lower()
        if not value or "max-age=0" in attributes or "1970" in attributes:
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value.strip()

    def csrf(self, step: str, path: str) -> tuple[Response, str]:
        page = self.request(step, "GET", path)
        found = CSRF_RE.search(page.body) if page.status == 200 else None
        return page, found.group(1) if found else ""


def describe(step: str, response: Response) -> str:
    if response.status == 0:
        return f"{step}: {response.error}"
    return f"{step}: {response.status}"


@dataclass
class Person:
    """One simulated young person (signed in or not) or member of staff, on their own thread."""

    ports: list[int]
    recorder: Recorder
    think: float
    username: str = ""  # empty: an anonymous sender
    audience: str = "in_care"
    topics: list[int] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)
    sent: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.browser = Browser(self.ports, self.recorder, first=self.rng.randrange(len(self.ports)))

    def pause(self, stop: threading.Event) -> None:
        stop.wait(self.rng.uniform(0, 2 * self.think))

    def sign_in(self, password: str, code: Callable[[], str] | None = None) -> None:
        """Through allauth's pages, as a phone would: password, then the second factor.

        Everyone comes from 127.0.0.1, and allauth allows 30 sign-ins a minute from one
        address: past that (429), wait and try again.
        """
        for _attempt in range(40):
            self.browser.cookies.clear()
            _page, token = self.browser.csrf("sign-in", "/accounts/login/")
            form = {"csrfmiddlewaretoken": token, "login": self.username, "password": password}
            answer = self.browser.request("sign-in", "POST", "/accounts/login/", form)
            if answer.status != 302:
                time.sleep(5 if answer.status == 429 else 1)
                continue
            if code is None:
                return
            if "/2fa/" not in answer.location:
                raise SystemExit(f"{self.username}: no second factor asked for")
            _page, token = self.browser.csrf("sign-in", urlsplit(answer.location).path)
            form = {"csrfmiddlewaretoken": token, "code": code()}
            answer = self.browser.request("sign-in", "POST", "/accounts/2fa/authenticate/", form)
            if answer.status == 302 and "/2fa/" not in answer.location:
                return
            time.sleep(2)  # the code's 30-second window may have turned over
        raise SystemExit(f"{self.username} could not sign in: is the portal running?")

    # --- Young people ---------------------------------------------------------------

    def send_postcard(self) -> None:
        started = time.time()
        page, token = self.browser.csrf("form GET", "/postcards/new/")
        if not token:
            self.recorder.submission(started, None, describe("form GET", page))
            return
        kind, words = AT_RISK if self.rng.random() < 0.1 else self.rng.choice(ROUTINE)
        form = {
            "csrfmiddlewaretoken": token,
            "step": "send",
            "submission_key": str(uuid.uuid4()),
            "kind": kind,
            "topic": str(self.rng.choice(self.topics)),
            "words": words,
            "contact_wanted": "no",
        }
        if self.username:
            form["identity"] = self.rng.choice(["named", "confidential"])
        else:
            form["identity"] = "anonymous"
            form["audience"] = self.rng.choice(["in_care", "care_leaver"])
        answer = self.browser.request("submit POST", "POST", "/postcards/new/", form)
        sent = SENT_RE.match(urlsplit(answer.location).path) if answer.status == 302 else None
        if sent is None:
            self.recorder.submission(started, None, describe("submit POST", answer))
            return
        confirmation = self.browser.request(
            "confirmation GET", "GET", urlsplit(answer.location).path
        )
        if confirmation.status != 200:
            self.recorder.submission(started, None, describe("confirmation GET", confirmation))
            return
        self.recorder.submission(started, sent.group(1))
        if self.username:
            self.sent.append(sent.group(1))

    def read_items(self) -> None:
        if self.rng.random() < 0.3:
            self.browser.request("my postcards", "GET", "/postcards/")
        if self.sent:
            self.browser.request("item read", "GET", f"/postcards/{self.rng.choice(self.sent)}/")

    def young_person(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.send_postcard()
            if self.username and self.rng.random() < 0.5:
                self.read_items()
            self.pause(stop)

    # --- Staff ----------------------------------------------------------------------

    def staff(self, stop: threading.Event) -> None:
        while not stop.is_set():
            queue = self.browser.request("queue read", "GET", "/staff/")
            if queue.status != 200:
                self.recorder.reply(time.time(), describe("queue read", queue))
            references = STAFF_ITEM_RE.findall(queue.body) if queue.status == 200 else []
            if references:
                self.answer(self.rng.choice(references))
            self.pause(stop)

    def answer(self, reference: str) -> None:
        """Open an item and reply to the young person: best effort, counted apart."""
        started = time.time()
        page, token = self.browser.csrf("staff item read", f"/staff/items/{reference}/")
        if not token:
            self.recorder.reply(started, describe("staff item read", page))
            return
        reply_form = REPLY_FORM_RE.search(page.body)
        key = KEY_RE.search(reply_form.group(0)) if reply_form else None
        form = {
            "csrfmiddlewaretoken": token,
            "key": key.group(1) if key else str(uuid.uuid4()),
            "text": "Thank you for telling us. We are looking into it and will get back to you.",
        }
        answer = self.browser.request("reply", "POST", f"/staff/items/{reference}/reply/", form)
        if answer.status == 302 and "/staff/" in answer.location:
            self.recorder.reply(started)
        else:
            self.recorder.reply(started, describe("reply", answer))
