"""Logs of a whole journey (young person, staff, council) hold none of the words sent,
no reset link and no tracking code; as JSON lines, each with the request id, which a
task sent by the request carries into the worker's lines."""

import io
import json
import logging
import logging.config
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client
from django.urls import reverse

from feedback import dispatch, outbox, services
from feedback.models import Item, Status
from portal import request_id
from portal.celery import app
from tests.conftest import client_for
from tests.feedback.test_submit import answers, send
from tests.integration.conftest import broker_at, wait_for

pytestmark = pytest.mark.django_db

WORDS = "Purple elephant homework club secret words 7741"
RISK = "my carer hits me and i dont feel safe 7741"
PHONE = "07400 118205"


def json_handler(buffer: io.StringIO) -> logging.Handler:
    """The console handler as settings.LOGGING makes it with LOG_FORMAT=json, writing to
    `buffer`: the same formatter and filters."""
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(
        configurator.configure_formatter(dict(settings.LOGGING["formatters"]["json"]))
    )
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(dict(settings.LOGGING["filters"][name])))
    return handler


@contextmanager
def json_lines() -> Iterator[Callable[[], list[dict]]]:
    """Every line logged inside the block, as JSON; each line must parse."""
    buffer = io.StringIO()
    handler = json_handler(buffer)
    logging.getLogger().addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
def json_log(caplog) -> Iterator[Callable[[], list[dict]]]:
    caplog.set_level(logging.DEBUG)
    with json_lines() as lines:
        yield lines


def test_a_whole_journey_leaves_no_words_links_or_codes_in_the_logs(
    caplog,
    json_log,
    young_person,
    caseworker,
    council_member,
    duty_worker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    jade = client_for(young_person)
    send(jade, answers(words=WORDS))
    send(
        jade,
        answers(
            words=WORDS + " call me",
            contact_wanted="yes",
            contact_method="phone",
            contact_detail=PHONE,
        ),
    )
    anonymous = Client()
    response, _key = send(anonymous, answers(identity="anonymous", audience="in_care", words=RISK))
    code = anonymous.get(response["Location"]).context["tracking_code"]
    for item in Item.objects.all():
        dispatch.route_item(item.pk)
    item = Item.objects.get(words=WORDS)
    Item.objects.filter(pk=item.pk).update(service=caseworker.memberships.get().service)
    services.staff_reply(item=Item.objects.get(pk=item.pk), by=caseworker, text=WORDS + " reply")
    client_for(caseworker).get(f"/staff/items/{item.reference}/")
    jade.get(f"/postcards/{item.reference}/")
    anonymous.post("/track/", {"reference": Item.objects.get(words=RISK).reference, "code": code})
    client_for(council_member).get("/council/")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": caseworker.email})

    lines = json_log()
    assert lines, "the journey should have logged its requests"
    assert all("request_id" in line and line["message"] for line in lines)
    requests = [line for line in lines if line["logger"] == "portal.request"]
    assert {line["view"] for line in requests} >= {"feedback:submit", "feedback:track"}
    assert len({line["request_id"] for line in requests}) == len(requests)  # one id each
    as_json = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    person = [young_person.username, young_person.email, young_person.display_name]
    person += [PHONE, PHONE.replace(" ", ""), "7400118205"]
    for logged in (caplog.text, as_json):
        assert [secret for secret in person if secret in logged] == []
        assert code not in logged and code.replace("-", "") not in logged

    logged = caplog.text + as_json
    assert WORDS not in logged and "7741" not in logged
    assert code not in logged and code.replace("-", "") not in logged
    links = [
        line.strip()
        for message in mailoutbox
        for line in message.body.splitlines()
        if "/password/reset/key/" in line
    ]
    assert links, "the journey should have sent a reset link"
    assert not [link for link in links if link in logged]


RID = "edge-4f1c2a9b7d"


@pytest.mark.django_db(transaction=True)
def test_a_postcard_s_request_id_is_on_the_lines_of_the_task_that_routes_it(young_person):
    """The web request's lines and the routing task's lines, on a worker, carry one id."""
    jade = client_for(young_person)
    data = answers(words=WORDS)
    with (
        broker_at("memory://"),
        start_worker(app, pool="solo", loglevel="INFO", perform_ping_check=False),
        # Once the worker has started: setting Django up there applies LOGGING afresh.
        json_lines() as json_log,
    ):
        check = jade.post("/postcards/new/", {**data, "step": "check"})
        key = check.context["submission_key"]
        sent = jade.post(
            "/postcards/new/",
            {**data, "step": "send", "submission_key": str(key)},
            HTTP_X_REQUEST_ID=RID,
        )
        assert sent.status_code == 302
        assert sent["X-Request-ID"] == RID
        wait_for(
            lambda: any(
                line["logger"] == "celery.app.trace" and "send_notifications" in line["message"]
                for line in json_log()
            ),
            what="the routing task, and the one it sends, to finish",
            describe=lambda: "\n".join(map(str, json_log()[-8:])),
        )
        assert Item.objects.get().status == Status.ROUTED

    lines = json_log()
    web = [line for line in lines if line["logger"] == "portal.request"]
    assert [line["request_id"] for line in web if line["view"] == "feedback:submit"] == [
        check["X-Request-ID"],
        RID,
    ]
    tasks = [line for line in lines if line["logger"] == "celery.app.trace"]
    routing = [line for line in tasks if "route_item" in line["message"]]
    assert routing and all(line["request_id"] == RID for line in routing)
    assert "succeeded" in routing[-1]["message"]
    # And on: the task routing sent tells the service, under the same id.
    assert {line["request_id"] for line in tasks} == {RID}
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert WORDS not in text and "7741" not in text
    assert young_person.username not in text and young_person.email not in text


def test_an_id_that_is_not_well_formed_is_replaced(db):
    for sent in ("", "x" * 101, "has space", "new\nline", "<script>", "caf\u00e9"):
        got = Client().get("/exit/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
        assert got != sent and request_id.valid(got) and len(got) == 32
    assert Client().get("/exit/", HTTP_X_REQUEST_ID="a" * 100)["X-Request-ID"] == "a" * 100


def test_the_outbox_s_own_push_carries_the_request_id_too():
    """On a Redis broker the outbox builds the message itself (feedback/outbox.py)."""
    with request_id.using(RID):
        inside = outbox.task_message(outbox.ROUTE_ITEM, (41,))
    outside = outbox.task_message(outbox.ROUTE_ITEM, (41,))
    assert inside["headers"][request_id.TASK_HEADER] == RID
    assert request_id.TASK_HEADER not in outside["headers"]


def test_a_server_error_or_a_refused_form_logs_the_view_not_the_path_or_query(
    json_log, monkeypatch, caseworker, complaints_manager, care_leaver
):
    """Django's own loggers put the request on the record and its path in the message:
    neither a search's words nor a young person's username in a path reaches a line."""
    from feedback import staff_views

    def broken(*args, **kwargs):
        raise RuntimeError("the search broke")

    monkeypatch.setattr(staff_views, "search", broken)
    staff = client_for(caseworker)
    staff.raise_request_exception = False
    assert staff.get("/staff/", {"q": "Marmalade Smith hits me"}).status_code == 500

    manager = client_for(complaints_manager)
    manager.handler.enforce_csrf_checks = True
    erase = f"/staff/people/{care_leaver.username}/erase/?why=Marmalade"
    assert manager.post(erase, {"confirm": "yes"}).status_code == 403

    lines = json_log()
    text = json.dumps(lines)
    assert "Marmalade" not in text
    assert care_leaver.username not in text
    assert "/staff/" not in text
    messages = [line["message"] for line in lines]
    assert "Internal Server Error: feedback:queue" in messages
    assert any(
        m.startswith("Forbidden (") and m.endswith("feedback:person_erase") for m in messages
    )
    assert all("request" not in line for line in lines)
