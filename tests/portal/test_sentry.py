"""Errors reported to Sentry carry the fault, never a young person's words or details."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from unittest import mock
from unittest.mock import ANY
from urllib.parse import urlencode

import pytest
import sentry_sdk
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from feedback.models import Item
from portal import sentry
from tests.conftest import client_for
from tests.feedback.test_submit import answers

pytestmark = pytest.mark.django_db

WORDS = "Tangerine submarine at my placement 5519 please"
COOKIE = "draft-cookie-value-83f1c2"


class Captured(Transport):
    """Keeps each envelope instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == "event" and item.payload.json
        ]

    def text(self) -> str:
        return "\n".join(json.dumps(event, default=str) for event in self.events())


@pytest.fixture
def reported() -> Iterator[Captured]:
    transport = Captured()
    sentry.init("https://public@sentry.example/1", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def wsgi_post(path: str, fields: dict[str, str], **headers: str) -> int:
    """A POST through the WSGI application itself, as gunicorn makes it: Sentry reads
    the URL, the headers and the cookies from the WSGI environ (the test client has none)."""
    body = urlencode(fields).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **headers,
    }
    status: list[str] = []
    # As the test client does: the test's own database connection must stay open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = get_wsgi_application()(environ, lambda s, h, *a: status.append(s))
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0])


def test_an_error_while_sending_a_postcard_reaches_sentry_without_the_young_person(
    young_person, reported
):
    client = client_for(young_person)
    session_key = client.cookies["sessionid"].value
    data = answers(words=WORDS, contact_wanted="yes", contact_method="email")
    data["contact_detail"] = young_person.email
    check = client.post("/postcards/new/", {**data, "step": "check"})
    assert check.status_code == 200
    key = check.context["submission_key"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', check.content.decode())
    assert token

    # The postcard is saved, then the page fails (as if the database refused a write,
    # its message quoting the row).
    with mock.patch(
        "feedback.browser.remember_sent", side_effect=ValueError(f"row refused: {WORDS}")
    ):
        status = wsgi_post(
            "/postcards/new/",
            {
                **data,
                "step": "send",
                "submission_key": str(key),
                "csrfmiddlewaretoken": token.group(1),
            },
            HTTP_COOKIE=f"sessionid={session_key}; draft={COOKIE}",
            HTTP_USER_AGENT="test-phone",
            HTTP_X_REQUEST_ID="req-sentry-1",
        )
    assert status == 500
    assert Item.objects.get().words == WORDS  # the words were written in this request

    events = reported.events()
    assert events, "the error should have been reported"
    assert not sentry_sdk.get_client().should_send_default_pii()
    [error] = [e for e in events if e.get("exception")]
    assert error["exception"]["values"][-1]["type"] == "ValueError"
    assert error["request"]["url"] == "http://testserver/postcards/new/"
    assert error["request"]["method"] == "POST"
    assert error["request"]["headers"] == {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": ANY,
        "User-Agent": "test-phone",
        "X-Request-Id": "req-sentry-1",
    }
    assert error["tags"]["request_id"] == "req-sentry-1"
    assert set(error.get("user", {})) <= {"id"}
    frames = [f for e in error["exception"]["values"] for f in e["stacktrace"]["frames"]]
    assert frames and not [f for f in frames if "vars" in f]
    text = reported.text()
    assert "ValueError" in text
    secrets = [WORDS, "5519", COOKIE, session_key, young_person.username, young_person.email]
    secrets += [young_person.display_name, Item.objects.get().reference, token.group(1)]
    assert [secret for secret in secrets if secret in text] == []


def test_a_log_message_s_arguments_never_reach_sentry(reported):
    log = logging.getLogger("feedback.somewhere")
    log.info("a message about %s", WORDS)  # a breadcrumb
    log.error("could not send %s to %s", "route_item", "someone@example.org")  # an event
    text = reported.text()
    assert "could not send %s to %s" in text
    assert "a message about %s" in text
    assert WORDS not in text and "someone@example.org" not in text


def test_the_scrubber_keeps_only_the_allowed_headers_and_an_opaque_user_id():
    event = sentry.scrub(
        {  # type: ignore[arg-type]
            "request": {
                "url": "https://voice.example/track/?code=AB12-CD34",
                "method": "POST",
                "query_string": "code=AB12-CD34",
                "cookies": {"sessionid": COOKIE},
                "data": {"words": WORDS},
                "env": {"REMOTE_ADDR": "198.51.100.7"},
                "headers": {
                    "User-Agent": "phone",
                    "Cookie": f"sessionid={COOKIE}",
                    "Referer": "https://voice.example/postcards/ABC-123/",
                    "Authorization": "Bearer secret",
                },
            },
            "user": {"id": 7, "username": "jade", "email": "jade@example.org"},
            "extra": {"celery-job": {"args": [WORDS]}},
            "transaction": "/track/",
        }
    )
    assert event["request"] == {
        "url": "https://voice.example/track/",
        "method": "POST",
        "headers": {"User-Agent": "phone"},
    }
    assert event["user"] == {"id": "7"}
    assert "extra" not in event


def test_a_path_that_names_someone_or_holds_a_token_is_sent_as_its_pattern():
    for path, pattern in [
        ("/staff/people/jade/erase/", "/staff/people/{username}/erase/"),
        ("/invite/Zq8-secret-token/", "/invite/{token}/"),
    ]:
        event = sentry.scrub(
            {  # type: ignore[arg-type]
                "request": {"url": f"https://voice.example{path}?x=1", "method": "GET"},
                "transaction": pattern,
            }
        )
        assert event["request"]["url"] == f"https://voice.example{pattern}"
    event = sentry.scrub({"request": {"url": "https://voice.example/invite/Zq8/"}})  # type: ignore[arg-type]
    assert event["request"]["url"] == "https://voice.example/"
