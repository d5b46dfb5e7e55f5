"""The v1 API: who may call what, the one error shape, idempotent sending, limits, and
the same answer as the pages."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import hypothesis
import pytest
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import assume, given
from hypothesis import strategies as st
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from feedback import api, dispatch
from feedback.models import Item, StaffView, Topic
from participation.models import Action, ActionStatus
from portal import throttles
from portal.api import FieldError
from portal.models import ApiToken, Service, User
from tests.conftest import client_for, make_staff, submit

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def routed(author: User, **extra: Any) -> Item:
    item = submit(author, **extra).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


def post_json(client: Client, path: str, data: object = None, **headers: str) -> Any:
    return client.post(path, data or {}, content_type="application/json", headers=headers)


# --- The access matrix -------------------------------------------------------------------

PERSONAS = [
    "signed_out",
    "author",
    "other_young_person",
    "council_member",
    "caseworker",
    "caseworker_without_second_factor",
    "staff_without_authenticator",
    "other_caseworker",
    "complaints_manager",
    # The same people through an app's token (no session, no CSRF).
    "author_token",
    "council_member_token",
    "caseworker_token",
    "caseworker_token_without_second_factor",
    "complaints_manager_token",
]


def token_client(user: User, *, second_factor: bool = True) -> Client:
    """An app's client: only the token, no cookie. A token made without the second
    factor is what a staff token must never open staff endpoints with."""
    _token, raw = ApiToken.issue(user=user, name="App", with_second_factor=second_factor)
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def personas(
    care_leaver: User,
    other_young_person: User,
    council_member: User,
    caseworker: User,
    other_caseworker: User,
    complaints_manager: User,
) -> dict[str, Client]:
    return {
        "signed_out": client_for(None),
        "author": client_for(care_leaver),
        "other_young_person": client_for(other_young_person),
        "council_member": client_for(council_member),
        "caseworker": client_for(caseworker),
        "caseworker_without_second_factor": client_for(caseworker, second_factor=False),
        "staff_without_authenticator": client_for(make_staff("nomfa", "leaving-care", mfa=False)),
        "other_caseworker": client_for(other_caseworker),
        "complaints_manager": client_for(complaints_manager),
        "author_token": token_client(care_leaver, second_factor=False),
        "council_member_token": token_client(council_member, second_factor=False),
        "caseworker_token": token_client(caseworker),
        "caseworker_token_without_second_factor": token_client(caseworker, second_factor=False),
        "complaints_manager_token": token_client(complaints_manager),
    }


def row(*codes: int) -> dict[str, int]:
    return dict(zip(PERSONAS, codes, strict=True))


# persona order:      out  auth  oyp  cncl case nosf nomfa other cm  | tokens: auth cncl case nosf cm
READS = {
    "/topics/": row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/items/": row(403, 200, 200, 200, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404),
    "/items/{ref}/": row(404, 200, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404),
    "/notifications/": row(403, 200, 200, 200, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404),
    "/staff/items/": row(403, 404, 404, 404, 200, 404, 404, 200, 200, 404, 404, 200, 404, 200),
    "/staff/items/{ref}/": row(
        403, 404, 404, 404, 200, 404, 404, 404, 200, 404, 404, 200, 404, 200
    ),
    "/public/actions/": row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/council/figures/": row(403, 404, 404, 200, 404, 404, 404, 404, 200, 404, 200, 404, 404, 200),
    "/council/actions/": row(403, 404, 404, 200, 200, 404, 404, 200, 200, 404, 200, 200, 404, 200),
    "/tokens/": row(403, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}

# A write another persona may not make: 404 (or 403 signed out), and nothing changes.
WRITES = {
    "/items/{ref}/reply/": (
        {"text": "Thanks"},
        row(404, 200, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404),
    ),
    "/items/{ref}/withdraw/": (
        {},
        row(404, 200, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404),
    ),
    "/staff/items/{ref}/acknowledge/": (
        {},
        row(403, 404, 404, 404, 200, 404, 404, 404, 200, 404, 404, 200, 404, 200),
    ),
    "/staff/items/{ref}/note/": (
        {"text": "Called her"},
        row(403, 404, 404, 404, 200, 404, 404, 404, 200, 404, 404, 200, 404, 200),
    ),
    "/council/actions/": (
        {"you_said": "More youth clubs"},
        row(403, 404, 404, 201, 404, 404, 404, 404, 201, 404, 201, 404, 404, 201),
    ),
    "/staff/paper/": (
        {
            "kind": "idea",
            "topic": 0,
            "words": "Paper",
            "identity": "anonymous",
            "audience": "in_care",
        },
        row(403, 404, 404, 404, 201, 404, 404, 201, 201, 404, 404, 201, 404, 201),
    ),
    # Tokens are made in a signed-in browser, never with a token; staff need a second
    # factor confirmed in the last few minutes (client_for's is), so without one: 403.
    "/tokens/": (
        {"name": "My app"},
        row(403, 201, 201, 201, 201, 403, 403, 201, 201, 403, 403, 403, 403, 403),
    ),
}


@pytest.mark.parametrize("path", READS)
def test_each_persona_gets_what_the_gate_allows_on_every_read(
    path: str, personas: dict[str, Client], item: Item
) -> None:
    got = {
        name: client.get(V1 + path.format(ref=item.reference)).status_code
        for name, client in personas.items()
    }
    assert got == READS[path]


@pytest.mark.parametrize("path", WRITES)
def test_each_persona_gets_what_the_gate_allows_on_writes(
    path: str, personas: dict[str, Client], item: Item
) -> None:
    data, expected = WRITES[path]
    if "topic" in data:
        data = {**data, "topic": Topic.objects.get(slug="school").pk}
    got = {}
    for name, client in personas.items():
        fresh = routed(item.author)  # each persona acts on an item of its own
        got[name] = post_json(client, V1 + path.format(ref=fresh.reference), data).status_code
    assert got == expected


def test_lists_hold_only_what_the_person_may_see(personas: dict[str, Client], item: Item) -> None:
    mine = personas["author"].get(f"{V1}/items/").json()["results"]
    assert [r["reference"] for r in mine] == [item.reference]
    assert personas["other_young_person"].get(f"{V1}/items/").json()["results"] == []
    assert personas["other_caseworker"].get(f"{V1}/staff/items/").json()["results"] == []
    queue = personas["caseworker"].get(f"{V1}/staff/items/").json()["results"]
    assert [r["reference"] for r in queue] == [item.reference]


def test_the_old_paths_still_answer(care_leaver: User, caseworker: User, item: Item) -> None:
    assert client_for(care_leaver).get(f"/api/items/{item.reference}/").status_code == 200
    assert client_for(caseworker).get("/api/staff/items/").status_code == 200


# --- Errors and limits ----------------------------------------------------------------------


def test_errors_come_in_one_shape_with_the_pages_words_and_the_field(
    young_person: User, care_leaver: User, item: Item
) -> None:
    response = post_json(
        client_for(young_person),
        f"{V1}/items/",
        {
            "kind": "idea",
            "topic": Topic.objects.get(slug="school").pk,
            "identity": "named",
            "audience": "in_care",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Tell us what happened, or what you think.",
        "field": "words",
    }
    client = client_for(care_leaver)
    post_json(client, f"{V1}/items/{item.reference}/withdraw/")
    again = post_json(client, f"{V1}/items/{item.reference}/withdraw/")
    assert again.status_code == 409
    assert again.json() == {
        "message": "This has been withdrawn, so it cannot be changed.",
        "field": None,
    }
    assert client_for(None).get(f"{V1}/items/").json()["field"] is None


def test_too_many_requests_answer_429_with_retry_after(
    monkeypatch: pytest.MonkeyPatch, young_person: User
) -> None:
    monkeypatch.setattr(throttles.PersonThrottle, "THROTTLE_RATES", {"person": "2/min"})
    client = client_for(young_person)
    codes = [client.get(f"{V1}/items/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get(f"{V1}/items/")
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["message"]


def test_the_address_limit_counts_visitors(
    monkeypatch: pytest.MonkeyPatch, reference_data: None
) -> None:
    monkeypatch.setattr(throttles.AddressThrottle, "THROTTLE_RATES", {"address": "1/min"})
    client = client_for(None)
    assert client.get(f"{V1}/topics/").status_code == 200
    assert client.get(f"{V1}/topics/").status_code == 429


# --- Sending, idempotently ---------------------------------------------------------------


def answers(**extra: object) -> dict[str, object]:
    return {
        "kind": "idea",
        "topic": Topic.objects.get(slug="school").pk,
        "words": "More trips please",
        "identity": "named",
        "audience": "in_care",  # asked of everyone; a person with an account keeps their own
        **extra,
    }


def test_a_reused_idempotency_key_returns_the_first_item(young_person: User) -> None:
    client = client_for(young_person)
    key = str(uuid.uuid4())
    first = post_json(client, f"{V1}/items/", answers(), **{"Idempotency-Key": key})
    again = post_json(client, f"{V1}/items/", answers(), **{"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["item"]["reference"] == again.json()["item"]["reference"]
    assert Item.objects.count() == 1
    # Only a keyed hash of the key is kept.
    stored = Item.objects.get().submission_key
    assert key not in str(stored) and str(stored) != key


def test_a_different_body_under_the_same_key_is_refused(young_person: User) -> None:
    client = client_for(young_person)
    key = str(uuid.uuid4())
    post_json(client, f"{V1}/items/", answers(), **{"Idempotency-Key": key})
    other = post_json(
        client, f"{V1}/items/", answers(words="Something else"), **{"Idempotency-Key": key}
    )
    assert other.status_code == 409
    assert other.json()["message"]
    assert Item.objects.count() == 1


@pytest.mark.parametrize("key", ["", "too-short-key", "x" * 101, "é" * 20, "a\x1fb" * 8])
def test_a_malformed_idempotency_key_is_refused_and_nothing_is_saved(
    young_person: User, key: str
) -> None:
    # Sent but empty is a mistake, not "no key": the caller asked for the protection.
    response = post_json(
        client_for(young_person), f"{V1}/items/", answers(), **{"Idempotency-Key": key}
    )
    assert response.status_code == 400
    assert "16 to 100 characters" in response.json()["message"]
    assert Item.objects.count() == 0


def test_a_key_is_read_as_http_trims_it(young_person: User) -> None:
    # HTTP servers trim a header's ends (wsgiref, gunicorn): the key sent with a
    # trailing space is the same key.
    client = client_for(young_person)
    key = str(uuid.uuid4())
    first = post_json(client, f"{V1}/items/", answers(), **{"Idempotency-Key": key})
    again = post_json(client, f"{V1}/items/", answers(), **{"Idempotency-Key": key + " \t"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert Item.objects.count() == 1


@functools.cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


@hypothesis.settings(max_examples=400, deadline=None)
@given(
    raw=st.one_of(
        st.text(st.characters(max_codepoint=0xFF, blacklist_characters="\r\n"), max_size=110),
        st.from_regex(r"\A[!-~][ -~]{13,99}[!-~][\t \x1c\x85\xa0]{0,2}\Z"),
    )
)
def test_the_schema_allows_exactly_the_keys_the_api_takes(raw: str) -> None:
    """What the schema says of Idempotency-Key and what _submission_key accepts agree,
    for every value a client can send (latin-1, no line breaks, no whitespace first:
    requests refuses those), as the server hands it on (its ends trimmed, as wsgiref's
    str.strip and gunicorn do)."""
    assume(raw == "" or not raw[0].isspace())
    parameters = _schema()["paths"][f"{V1}/items/"]["post"]["parameters"]
    (pattern,) = [p["schema"]["pattern"] for p in parameters if p["name"] == "Idempotency-Key"]
    request = Request(APIRequestFactory().post("/", HTTP_IDEMPOTENCY_KEY=raw.strip()))
    try:
        api._submission_key(request, "scope")
        accepted = True
    except FieldError:
        accepted = False
    assert accepted == bool(re.search(pattern, raw)), repr(raw)


def test_the_same_key_from_two_people_makes_two_items(
    young_person: User, other_young_person: User
) -> None:
    key = str(uuid.uuid4())
    for user in (young_person, other_young_person):
        response = post_json(
            client_for(user), f"{V1}/items/", answers(), **{"Idempotency-Key": key}
        )
        assert response.status_code == 201
    assert Item.objects.count() == 2


def test_a_visitor_sends_anonymously_and_tracks_it_with_the_code(reference_data: None) -> None:
    client = client_for(None)
    sent = post_json(
        client, f"{V1}/items/", answers(identity="anonymous", audience="in_care")
    ).json()
    reference, code = sent["item"]["reference"], sent["tracking_code"]
    assert code
    other = client_for(None)
    wrong = post_json(
        other, f"{V1}/items/track/", {"reference": reference, "code": "AAAA-AAAA-AAAA"}
    )
    assert wrong.status_code == 404
    found = post_json(other, f"{V1}/items/track/", {"reference": reference, "code": code})
    assert found.status_code == 200
    assert found.json()["timeline"][0]["kind"] == "submitted"
    # This client proved the code: it may now read and reply, as on the page.
    assert other.get(f"{V1}/items/{reference}/").status_code == 200
    reply = post_json(other, f"{V1}/items/{reference}/reply/", {"text": "Any news?"})
    assert reply.status_code == 200
    assert client_for(None).get(f"{V1}/items/{reference}/").status_code == 404


def test_tracking_shares_the_pages_limit(settings: Any, reference_data: None) -> None:
    client = client_for(None)
    body = {"reference": "AAA-AAA", "code": "AAAA-AAAA-AAAA"}
    codes = [post_json(client, f"{V1}/items/track/", body).status_code for _ in range(11)]
    assert codes[:10] == [404] * 10
    assert codes[10] == 429
    assert client.post("/track/", body).status_code == 429


def test_words_that_read_as_risk_come_back_with_where_to_get_help(young_person: User) -> None:
    response = post_json(
        client_for(young_person),
        f"{V1}/items/",
        answers(kind="worry", words="my carer hits me and i dont feel safe"),
    )
    assert response.status_code == 201
    assert response.json()["help_now"]["childline"] == "0800 1111"
    assert Item.objects.get().safeguarding


def test_staff_cannot_send_online_but_enter_paper_postcards(caseworker: User) -> None:
    client = client_for(caseworker)
    assert post_json(client, f"{V1}/items/", answers()).status_code == 404
    paper = post_json(
        client, f"{V1}/staff/paper/", answers(identity="anonymous", audience="in_care")
    )
    assert paper.status_code == 201
    assert paper.json()["tracking_code"]
    assert Item.objects.get().entered_by == caseworker


# --- Audit ------------------------------------------------------------------------------------


def test_every_staff_read_of_words_is_on_record_the_list_too(
    caseworker: User, care_leaver: User, item: Item
) -> None:
    second = routed(care_leaver)
    client = client_for(caseworker)
    client.get(f"{V1}/staff/items/")
    assert StaffView.objects.filter(user=caseworker).count() == 2
    client.get(f"{V1}/staff/items/{second.reference}/")
    assert StaffView.objects.filter(user=caseworker, item=second).count() == 2


# --- The queue: the page's filters and order --------------------------------------------------


QUERIES = [
    "",
    "status=all",
    "status=",
    "status=routed",
    "kind=idea",
    "urgent=1",
    "overdue=1",
    "assigned=me",
    "assigned=nobody",
    "sort=newest",
    "sort=-due",
    "sort=oldest",
    "topic=abc",
    "status=all&kind=idea&sort=newest",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_queue_and_the_page_list_the_same_items_in_the_same_order(
    query: str, caseworker: User, care_leaver: User, item: Item
) -> None:
    routed(care_leaver, kind="worry", words="he hits me")
    taken = routed(care_leaver, kind="complaint", topic="money")
    client = client_for(caseworker)
    post_json(client, f"{V1}/staff/items/{taken.reference}/take/")
    post_json(client, f"{V1}/staff/items/{item.reference}/acknowledge/")
    page = client.get(f"/staff/?{query}")
    api = client.get(f"{V1}/staff/items/?{query}")
    assert api.status_code == 200
    page_refs = [row.item.reference for row in page.context["rows"]]
    assert [r["reference"] for r in api.json()["results"]] == page_refs


@pytest.mark.parametrize(
    ("query", "field"), [("status=bogus", "status"), ("kind=x", "kind"), ("sort=up", "sort")]
)
def test_the_api_queue_refuses_a_value_the_page_would_ignore(
    query: str, field: str, caseworker: User, item: Item
) -> None:
    response = client_for(caseworker).get(f"{V1}/staff/items/?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["message"]


def test_the_queue_pages_with_a_cursor(caseworker: User, care_leaver: User) -> None:
    made = {routed(care_leaver).reference for _ in range(27)}
    client = client_for(caseworker)
    first = client.get(f"{V1}/staff/items/").json()
    second = client.get(first["next"]).json()
    seen = [r["reference"] for r in first["results"] + second["results"]]
    assert len(first["results"]) == 25 and second["next"] is None
    assert set(seen) == made and len(seen) == 27
    assert client.get(f"{V1}/staff/items/?cursor=forged").status_code == 404


# --- The same answer as the page ---------------------------------------------------------------


def _state(item: Item) -> tuple[object, ...]:
    item.refresh_from_db()
    events = list(
        item.events.order_by("created_at", "id").values_list("kind", "visibility", "body")
    )
    return (item.status, item.stage, item.assignee_id, item.service_id, item.clock, events)


def _complaint(author: User) -> Item:
    return routed(author, kind="complaint")


def _responded(author: User, by: User) -> Item:
    item = routed(author)
    client_for(by).post(f"/staff/items/{item.reference}/reply/", {"text": "We will look"})
    return item


Make = Callable[[User, User], Item]
ACTIONS: list[tuple[str, str, dict[str, Any], str, Make]] = [
    # (who, the API action, body, the page path, how to make the item)
    ("young", "reply", {"text": "Thank you"}, "/postcards/{ref}/reply/", lambda a, s: routed(a)),
    ("young", "withdraw", {}, "/postcards/{ref}/withdraw/", lambda a, s: routed(a)),
    ("young", "sorted", {"answer": "no"}, "/postcards/{ref}/sorted/", _responded),
    ("young", "sorted", {"answer": "yes"}, "/postcards/{ref}/sorted/", _responded),
    (
        "young",
        "next-stage",
        {"from_stage": 1},
        "/postcards/{ref}/next-stage/",
        lambda a, s: _complaint(a),
    ),
    ("staff", "acknowledge", {}, "/staff/items/{ref}/acknowledge/", lambda a, s: routed(a)),
    ("staff", "take", {}, "/staff/items/{ref}/take/", lambda a, s: routed(a)),
    ("staff", "assign", {"assignee": "me"}, "/staff/items/{ref}/assign/", lambda a, s: routed(a)),
    (
        "staff",
        "reply",
        {"text": "We hear you"},
        "/staff/items/{ref}/reply/",
        lambda a, s: routed(a),
    ),
    (
        "staff",
        "note",
        {"text": "Rang the home"},
        "/staff/items/{ref}/note/",
        lambda a, s: routed(a),
    ),
    (
        "staff",
        "status",
        {"status": "in_progress"},
        "/staff/items/{ref}/status/",
        lambda a, s: routed(a),
    ),
    ("staff", "status", {"status": ""}, "/staff/items/{ref}/status/", lambda a, s: routed(a)),
    (
        "manager",
        "resolve",
        {"text": "Done", "outcome": "upheld"},
        "/staff/items/{ref}/resolve/",
        lambda a, s: _complaint(a),
    ),
    ("manager", "resolve", {"text": ""}, "/staff/items/{ref}/resolve/", lambda a, s: _complaint(a)),
    (
        "manager",
        "extend",
        {"reason": "Waiting for the school"},
        "/staff/items/{ref}/extend/",
        lambda a, s: _complaint(a),
    ),
    ("manager", "extend", {"reason": ""}, "/staff/items/{ref}/extend/", lambda a, s: _complaint(a)),
    (
        "manager",
        "stage",
        {"reason": "Not sorted", "from_stage": 1},
        "/staff/items/{ref}/stage/",
        lambda a, s: _complaint(a),
    ),
    (
        "staff",
        "reroute",
        {"reason": "Theirs", "service": "virtual-school"},
        "/staff/items/{ref}/reroute/",
        lambda a, s: routed(a),
    ),
]


@pytest.mark.parametrize(
    ("who", "action", "body", "page", "make"),
    ACTIONS,
    ids=[f"{a[0]}-{a[1]}-{i}" for i, a in enumerate(ACTIONS)],
)
def test_the_api_and_the_page_do_the_same_to_the_same_item(
    who: str,
    action: str,
    body: dict[str, Any],
    page: str,
    make: Make,
    care_leaver: User,
    caseworker: User,
    complaints_manager: User,
) -> None:
    # Complaints go to the complaints team, whose manager works them.
    staff = complaints_manager if who == "manager" else caseworker
    if "service" in body:
        body = {**body, "service": Service.objects.get(slug=body["service"]).pk}
    if body.get("assignee") == "me":
        body = {**body, "assignee": staff.pk}
    actor = care_leaver if who == "young" else staff
    by_page, by_api = make(care_leaver, staff), make(care_leaver, staff)
    client = client_for(actor)
    page_response = client.post(page.format(ref=by_page.reference), body)
    prefix = "items" if who == "young" else "staff/items"
    api_response = post_json(client, f"{V1}/{prefix}/{by_api.reference}/{action}/", body)
    # The page redirects after a change or a refusal about the item's state (409 here),
    # and shows a refused answer again with a 400.
    expected = {302: (200, 204, 409), 400: (400,)}[page_response.status_code]
    assert api_response.status_code in expected
    assert _state(by_page) == _state(by_api)


def test_council_figures_are_the_dashboards_own(council_member: User, item: Item) -> None:
    # Finished months only: the item as if sent last month.
    Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(days=40))
    figures = client_for(council_member).get(f"{V1}/council/figures/").json()
    assert figures["threshold"] == 5
    assert figures["total"] in (None, 5)  # one item: its cell shows 0 ("fewer than 5") or 5
    assert all(
        cell is None or cell % 5 == 0
        for t in figures["tables"]
        for r in t["rows"]
        for cell in r["cells"]
    )


def test_the_public_board_shows_only_public_actions(reference_data: None) -> None:
    Action.objects.create(you_said="Shown", public=True, status=ActionStatus.AGREED)
    Action.objects.create(you_said="Hidden", public=False, status=ActionStatus.AGREED)
    Action.objects.create(you_said="Proposed", public=True, status=ActionStatus.PROPOSED)
    rows = client_for(None).get(f"{V1}/public/actions/").json()["results"]
    assert [r["you_said"] for r in rows] == ["Shown"]


def test_every_operation_declares_its_errors_and_the_limit(reference_data: None) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert codes & {"200", "201", "204"}, (method, path)
            assert "429" in codes, (method, path)
            assert codes & {"403", "404"}, (method, path)
            if method == "post":
                assert "400" in codes, (method, path)


def test_an_answer_of_the_wrong_type_is_refused_not_guessed(young_person: User) -> None:
    """The page's form reads text; an app sending 0 for "0" or "yes" for true is told."""
    client = client_for(young_person)
    for wrong in ({"words": 0}, {"consent_to_share": "yes"}, {"mood": "1"}, {"topic": "1"}):
        response = post_json(client, f"{V1}/items/", answers(**wrong))
        assert response.status_code == 400, wrong
        assert response.json()["field"] == next(iter(wrong))
    assert not Item.objects.filter(author=young_person).exists()


def test_an_answer_naming_a_record_that_is_not_there_is_a_404_beside_it(
    young_person: User,
) -> None:
    response = post_json(client_for(young_person), f"{V1}/items/", answers(topic=999999))
    assert response.status_code == 404
    assert response.json() == {"message": "Choose what it is about.", "field": "topic"}


@pytest.mark.parametrize("page", ["", "last", "x", "1&page=2"])
def test_a_page_that_is_not_one_number_is_not_found(young_person: User, page: str) -> None:
    response = client_for(young_person).get(f"{V1}/topics/?page={page}")
    assert response.status_code == 404
