"""Every URL pattern has an entry in the access matrix, and every entry holds for every persona.

The walk goes through the whole URL configuration (admin, allauth, the API included). A new
pattern with no entry fails `test_every_url_pattern_has_an_entry_in_the_access_matrix`:
add it to MATRIX (who passes the gate) or, for a framework page that carries nothing of a
young person's, to FRAMEWORK with the reason. Not allowed and not found are the same 404,
for lists and detail pages alike (feedback/access.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from feedback.models import Item, SavedReply, StaffView, SubjectAccessRelease
from participation import services as participation
from participation.models import Meeting
from portal.models import ApiToken, Service, User
from tests.conftest import client_for

# Participation's fixtures: the story (items, an excerpt, an action) and a theme per topic.
from tests.participation.conftest import story, theme_of, topic_themes  # noqa: F401

pytestmark = pytest.mark.django_db

# The personas, each a fixture in tests/conftest.py. The item under test is the care
# leaver's (the `item` fixture), routed to the Leaving Care Team.
ANON = "anonymous"
PERSONAS = {
    ANON: None,
    "author": "care_leaver",
    "other_young_person": "young_person",
    "caseworker": "caseworker",
    "other_service_caseworker": "other_caseworker",
    "manager": "manager",
    "complaints_manager": "complaints_manager",
    "council_member": "council_member",
    # Outside the council: each opens only the items sent to them (not the care leaver's),
    # their own queue of those, and their settings; nothing else of the council's.
    "advocate": "advocate",
    "partner_worker": "partner_worker",
}
YOUNG = frozenset({"author", "other_young_person", "council_member"})
STAFF = frozenset({"caseworker", "other_service_caseworker", "manager", "complaints_manager"})
OUTSIDE = frozenset({"advocate", "partner_worker"})
ALL_STAFF = STAFF | OUTSIDE
IN_SERVICE = frozenset({"caseworker", "manager", "complaints_manager"})
CM = frozenset({"complaints_manager"})
MANAGERS = frozenset({"manager", "complaints_manager"})
SIGNED_IN = YOUNG | ALL_STAFF
EVERYONE = SIGNED_IN | {ANON}
LOGIN = "to sign in"  # a redirect to the sign-in page
PASSES = "passes the gate"  # an action: anything but refused, not found or an error


@dataclass(frozen=True)
class Rule:
    """Who passes the gate; everyone else gets `others` (404), a visitor `anonymous`."""

    allowed: frozenset[str]
    method: str = "get"
    anonymous: int | str = LOGIN
    others: int = 404
    exact: dict[str, int] = field(default_factory=dict)  # a persona's answer, where it differs
    why: str = ""

    def expected(self, persona: str) -> int | str:
        if persona in self.exact:
            return self.exact[persona]
        if persona in self.allowed:
            return 200 if self.method == "get" else PASSES
        return self.anonymous if persona == ANON else self.others


def post(allowed: frozenset[str], **options: Any) -> Rule:
    return Rule(allowed, method="post", **options)


def api_post(allowed: frozenset[str], **options: Any) -> Rule:
    options.setdefault("anonymous", 403)
    return Rule(allowed, method="api_post", **options)


def api(allowed: frozenset[str], **options: Any) -> Rule:
    options.setdefault("anonymous", 403)
    return Rule(allowed, **options)


PUBLIC = Rule(EVERYONE)
STAFF_ACTION = post(IN_SERVICE)
API_STAFF_ACTION = api_post(IN_SERVICE)
YOUNG_ACTION = post(frozenset({"author"}), anonymous=404)
API_YOUNG_ACTION = api_post(frozenset({"author"}), anonymous=404)

MATRIX: dict[str, Rule] = {
    # portal
    "home": Rule(EVERYONE, exact=dict.fromkeys(SIGNED_IN, 302), why="signed in: your start page"),
    "set_language": post(EVERYONE, why="the language form: a cookie, nothing of anyone's"),
    "exit": Rule(frozenset(), exact=dict.fromkeys(EVERYONE, 302), why="signs out, leaves"),
    "healthz": PUBLIC,
    "healthz_live": PUBLIC,
    # Only from METRICS_ALLOWED_IPS (127.0.0.1, the test client's) or with METRICS_TOKEN;
    # from anywhere else a 404 (tests/portal/test_metrics.py). Counts and ages only.
    "metrics": Rule(EVERYONE, why="the test client asks from 127.0.0.1, an allowed address"),
    "invitation_code": PUBLIC,
    "invitation_accept": Rule(frozenset(), exact=dict.fromkeys(EVERYONE, 302), why="no code"),
    "invitation_link": Rule(frozenset(), exact=dict.fromkeys(EVERYONE, 302), why="bad link"),
    "invitation_new": Rule(STAFF),
    "staff_settings": Rule(ALL_STAFF),
    # staff sign-in with the council's accounts: not there unless OIDC_* are set (tested
    # configured in tests/portal/test_oidc.py)
    **dict.fromkeys(
        [
            "openid_connect_login",
            "openid_connect_callback",
            "socialaccount_login_cancelled",
            "socialaccount_login_error",
        ],
        Rule(frozenset(), anonymous=404, why="OIDC_* not set"),
    ),
    # the admin: configuration only, behind is_staff (no persona has it) and the second factor
    "admin:index": Rule(frozenset(), exact=dict.fromkeys(EVERYONE, 302)),
    "admin:feedback_item_changelist": Rule(frozenset(), exact=dict.fromkeys(EVERYONE, 302)),
    # API documentation and tokens
    "api_schema": api(ALL_STAFF),
    "api_docs": Rule(ALL_STAFF, why="a page: a visitor is sent to sign in"),
    "api_tokens": Rule(ALL_STAFF),
    "api_token_revoke": Rule(CM, why="the author's token: theirs (no staff page) or the CM's"),
    "api_v1_portal:tokens": api(SIGNED_IN),
    "api_v1_portal:token": Rule(
        frozenset({"author", "complaints_manager"}),
        method="delete",
        anonymous=403,
        why="your own token; the complaints manager revokes a lost phone's",
    ),
    # the young person's API
    "api_v1:topics": PUBLIC,
    "api_v1:items": api(YOUNG),
    "api_v1:track": api_post(EVERYONE, why="the tracking form: a visitor's way in"),
    "api_v1:item": api(frozenset({"author"}), anonymous=404),
    "api_v1:item_reply": API_YOUNG_ACTION,
    "api_v1:item_withdraw": API_YOUNG_ACTION,
    "api_v1:item_sorted": API_YOUNG_ACTION,
    "api_v1:item_next_stage": API_YOUNG_ACTION,
    "api_v1:notifications": api(YOUNG),
    "api_my_items": api(YOUNG),
    "api_my_item": api(frozenset({"author"}), anonymous=404),
    # the staff API
    "api_v1:queue": api(ALL_STAFF),
    "api_v1:paper": api_post(STAFF),
    "api_v1:staff_item": api(IN_SERVICE),
    "api_v1:acknowledge": API_STAFF_ACTION,
    "api_v1:take": API_STAFF_ACTION,
    "api_v1:assign": API_STAFF_ACTION,
    "api_v1:reply": API_STAFF_ACTION,
    "api_v1:note": API_STAFF_ACTION,
    "api_v1:status": API_STAFF_ACTION,
    "api_v1:resolve": API_STAFF_ACTION,
    "api_v1:extend": API_STAFF_ACTION,
    "api_v1:stage": API_STAFF_ACTION,
    "api_v1:reroute": API_STAFF_ACTION,
    "api_staff_items": api(ALL_STAFF),
    "api_staff_item": api(IN_SERVICE),
    "api_v1_participation:public_actions": PUBLIC,
    "api_v1_participation:council_figures": api(CM | {"council_member"}),
    "api_v1_participation:council_actions": api(STAFF | {"council_member"}),
    # the young person's pages
    "feedback:my_items": Rule(YOUNG),
    "feedback:submit": Rule(YOUNG | {ANON}),
    "feedback:submit_complaint": Rule(YOUNG | {ANON}),
    "feedback:picture_postcard": Rule(YOUNG | {ANON}),
    "feedback:complaints_info": PUBLIC,
    "feedback:privacy": PUBLIC,
    "feedback:complaints_leaflet": PUBLIC,
    "feedback:postcard_print": PUBLIC,
    "feedback:sent": Rule(frozenset(), anonymous=404, why="only with the just-sent cookie"),
    "feedback:item": Rule(frozenset({"author"}), anonymous=404),
    "feedback:item_reply": YOUNG_ACTION,
    "feedback:item_withdraw": YOUNG_ACTION,
    "feedback:item_stop_sharing": YOUNG_ACTION,
    "feedback:item_sorted": YOUNG_ACTION,
    "feedback:item_next_stage": YOUNG_ACTION,
    "feedback:track": PUBLIC,
    "feedback:notifications": Rule(YOUNG),
    # staff pages
    "feedback:queue": Rule(ALL_STAFF),
    "feedback:paper_new": Rule(STAFF),
    "feedback:paper_done": Rule(
        frozenset(), why="only for the worker who typed it in; the walk's item came online"
    ),
    "feedback:staff_session": Rule(ALL_STAFF),
    "feedback:staff_stay_signed_in": post(ALL_STAFF),
    "feedback:staff_item": Rule(IN_SERVICE),
    "feedback:staff_audit": Rule(CM),
    "feedback:staff_acknowledge": STAFF_ACTION,
    "feedback:staff_mark_read": STAFF_ACTION,
    "feedback:staff_take": STAFF_ACTION,
    "feedback:staff_decide": STAFF_ACTION,
    "feedback:staff_status": STAFF_ACTION,
    "feedback:staff_assign": STAFF_ACTION,
    "feedback:staff_reply": STAFF_ACTION,
    "feedback:staff_note": STAFF_ACTION,
    "feedback:staff_resolve": STAFF_ACTION,
    "feedback:staff_extend": STAFF_ACTION,
    "feedback:staff_stage": STAFF_ACTION,
    "feedback:staff_reroute": STAFF_ACTION,
    "feedback:staff_moved": Rule(
        frozenset(), why="only whoever moved it away (tests/feedback/test_queue.py)"
    ),
    "feedback:saved_replies": Rule(MANAGERS),
    "feedback:saved_reply_new": Rule(MANAGERS),
    "feedback:saved_reply_edit": Rule(MANAGERS),
    "feedback:saved_reply_delete": Rule(MANAGERS),
    "feedback:audit_log": Rule(CM),
    "feedback:people": Rule(CM),
    "feedback:person_data": Rule(CM),
    "feedback:person_data_json": Rule(CM),
    "feedback:person_erase": Rule(CM),
    "feedback:person_release": post(CM),
    "feedback:person_released": Rule(CM),
    "feedback:person_services": post(CM),
    "feedback:team": Rule(MANAGERS),
    "feedback:team_assign": post(MANAGERS),
    "feedback:dashboard": Rule(MANAGERS),
    "feedback:dashboard_csv": Rule(MANAGERS),
    "feedback:complaints_report": Rule(CM),
    "feedback:complaints_report_csv": Rule(CM),
    # the council (the complaints manager stands in for the participation officer)
    "participation:council": Rule(CM | {"council_member"}),
    "participation:council_csv": Rule(CM | {"council_member"}),
    "participation:themes": Rule(CM | {"council_member"}),
    "participation:theme": Rule(CM | {"council_member"}),
    "participation:theme_agree": post(CM),
    "participation:theme_merge": post(CM),
    "participation:moderation": Rule(CM),
    "participation:excerpt_new": Rule(CM, why="an item whose author agreed to share"),
    "participation:excerpt_withdraw": post(CM),
    "participation:excerpt_approve_again": post(CM),
    "participation:item_tag": post(IN_SERVICE),
    "participation:item_untag": post(IN_SERVICE),
    "participation:item_link_action": post(MANAGERS, why="linking changes the action"),
    "participation:item_start_action": post(IN_SERVICE),
    "participation:actions": Rule(STAFF | {"council_member"}),
    "participation:action_propose": post(CM | {"council_member"}),
    "participation:my_proposals": Rule(CM | {"council_member"}),
    "participation:action_decline": post(MANAGERS),
    "participation:action": Rule(IN_SERVICE | {"council_member"}),
    "participation:action_agree": post(MANAGERS),
    "participation:action_update": post(MANAGERS),
    "participation:action_link": post(MANAGERS),
    "participation:meetings": Rule(CM | {"council_member"}),
    "participation:meeting": Rule(
        CM | {"council_member"},
        why="other staff: only those invited (tests/participation/test_meetings.py)",
    ),
    "participation:meeting_agenda": post(CM | {"council_member"}),
    "participation:meeting_minutes": post(CM),
    "participation:meeting_question": post(CM),
    "participation:question_to_action": post(CM),
    "participation:board_pack": Rule(CM | {"council_member"}),
    "participation:board_pack_csv": Rule(CM | {"council_member"}),
    "participation:board": PUBLIC,
}

# The "records a read" column. A page or endpoint whose response carries a young person's
# words to staff puts the read on record (feedback/access.py), for every persona that opens
# it. Here: each pattern that shows words, the item whose words it shows (a key of `world`)
# and who sees them. Every other pattern is declared to show staff no words: the walk holds
# both, reading each response for the words of every item in the world.
SHOWS_WORDS: dict[str, tuple[str, frozenset[str]]] = {
    "feedback:queue": ("reference", IN_SERVICE),
    "feedback:staff_item": ("reference", IN_SERVICE),
    "api_v1:queue": ("reference", IN_SERVICE),
    "api_v1:staff_item": ("reference", IN_SERVICE),
    "api_staff_items": ("reference", IN_SERVICE),
    "api_staff_item": ("reference", IN_SERVICE),
    "feedback:person_data": ("reference", CM),
    "feedback:person_data_json": ("reference", CM),
    "feedback:person_released": ("reference", CM),
    "participation:moderation": ("unquoted_reference", CM),
    "participation:excerpt_new": ("shared_reference", CM),
    # A refused action shows the item page again, its words with it (400).
    **dict.fromkeys(
        [
            "feedback:staff_decide", "feedback:staff_extend", "feedback:staff_note",
            "feedback:staff_reply", "feedback:staff_reroute", "feedback:staff_resolve",
            "feedback:staff_stage", "feedback:staff_status",
        ],
        ("reference", IN_SERVICE),
    ),
    # The API answers an action with the item as it now is; a repeat is refused, no words.
    "api_v1:acknowledge": ("reference", frozenset({"caseworker"})),
    "api_v1:take": ("reference", frozenset({"caseworker", "manager"})),
    "api_v1:assign": ("reference", IN_SERVICE),
}  # fmt: skip

# Framework pages with no young person's data, gated by the framework itself; tested
# where they are restyled or turned off.
ALLAUTH = "allauth's sign-in, password and second-factor pages (tests/portal/test_sign_in.py)"
FRAMEWORK: dict[str, str] = {
    "admin": "Django's admin: is_staff and the second factor for all of it (portal/urls.py);"
    " admin:index and the item list stand for it in MATRIX (tests/feedback/test_admin.py)",
    **dict.fromkeys(
        [
            "account_login", "account_logout", "account_inactive", "account_signup",
            "account_reauthenticate", "account_email", "account_email_verification_sent",
            "account_change_password", "account_set_password", "account_reset_password",
            "account_confirm_login_code", "account_confirm_email",
            "account_reset_password_from_key_done", "account_reset_password_from_key",
            "account_reset_password_done", "mfa_index", "mfa_authenticate", "mfa_reauthenticate",
            "mfa_activate_totp", "mfa_deactivate_totp", "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes", "mfa_download_recovery_codes",
        ],
        ALLAUTH,
    ),
}  # fmt: skip
# Patterns without a name, by route: redirects the frameworks add.
UNNAMED = {
    "accounts/signup/": "sign-up is by invitation only: a redirect in front of allauth's",
    "admin/": "the admin's own redirects and catch-all, behind its gate",
}


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(namespaced name or "", full route) for every pattern, into every include."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or "", route


def exemption(name: str, route: str) -> str | None:
    if not name:
        return next((why for start, why in UNNAMED.items() if route.startswith(start)), None)
    return FRAMEWORK.get(name) or FRAMEWORK.get(name.split(":")[0] if ":" in name else "")


def test_every_url_pattern_has_an_entry_in_the_access_matrix() -> None:
    patterns = list(walk(get_resolver().url_patterns))
    assert len(patterns) > 100  # the walk went into the includes
    missing = [
        f"{name or '(no name)'} {route}"
        for name, route in patterns
        if name not in MATRIX and not exemption(name, route)
    ]
    assert not missing, "URL patterns with no entry in the access matrix:\n" + "\n".join(missing)


def test_every_pattern_said_to_show_words_is_in_the_matrix() -> None:
    assert not set(SHOWS_WORDS) - set(MATRIX)


def test_every_entry_in_the_matrix_is_a_url_pattern() -> None:
    names = {name for name, _route in walk(get_resolver().url_patterns)}
    assert not set(MATRIX) - names, "entries for patterns that no longer exist"


@pytest.fixture
def world(request: pytest.FixtureRequest, participation_officer: User) -> dict[str, str]:
    """The objects the patterns name: the care leaver's item, a theme, an action, meetings;
    and beat and the workers alive, as /healthz asks."""
    request.getfixturevalue("beat_and_workers_alive")
    told: dict[str, Any] = request.getfixturevalue("story")
    takeover = participation.create_meeting(
        kind="takeover", title="Takeover day", on=date(2027, 6, 1), by=participation_officer
    )
    question = participation.add_takeover_question(
        meeting=takeover,
        service=Service.objects.get(slug="leaving-care"),
        question="How long do flats take?",
        finding="Months",
        by=participation_officer,
    )
    board: Meeting = participation.create_meeting(
        kind="corporate_parenting", title="Board", on=date(2027, 6, 1), by=participation_officer
    )
    item: Item = told["sam_item"]
    assert item.author is not None
    # Words with a teacher's name left in, approved once by Pat: waiting for a second.
    waiting = participation.approve_excerpt(
        item=told["jade_item"], text="Ask Mr Hughes about buses", by=participation_officer
    )
    token, _raw = ApiToken.issue(user=item.author, name="Phone", with_second_factor=False)
    # Released with the item's words offered and kept (a part not offered is withheld).
    released = SubjectAccessRelease.objects.create(
        person=item.author, released_by=participation_officer, offered=[f"words:{item.pk}"]
    )
    return {
        "reference": item.reference,
        "shared_reference": told["jade_item"].reference,
        "unquoted_reference": told["kai_item"].reference,  # shared, no excerpt yet
        "theme": str(theme_of("school").pk),
        "action": str(told["action"].pk),
        "excerpt": str(told["excerpt"].pk),
        "waiting": str(waiting.pk),
        "board": str(board.pk),
        "takeover": str(takeover.pk),
        "question": str(question.pk),
        "username": item.author.username,
        "token": str(token.pk),
        "release": str(released.pk),
        "saved_reply": str(
            SavedReply.objects.create(
                service=Service.objects.get(slug="leaving-care"), title="Flat", text="On it"
            ).pk
        ),
    }


def url_for(name: str, world: dict[str, str]) -> str:
    kwargs: dict[str, str] = {}
    pattern_args = _patterns_by_name()[name].pattern.regex.groupindex
    for arg in pattern_args:
        kwargs[arg] = {
            "reference": world["reference"],
            "username": world["username"],
            "theme_pk": world["theme"],
            "question_pk": world["question"],
            "token": "not-a-real-invitation",
            "token_id": world["token"],
            "provider_id": "council",
            "release": world["release"],
        }.get(arg, "")
    if "pk" in pattern_args:
        kwargs["pk"] = (
            world["theme"] if name.startswith("participation:theme")
            else world["excerpt"] if name == "participation:excerpt_withdraw"
            else world["waiting"] if name == "participation:excerpt_approve_again"
            else world["takeover"] if name == "participation:question_to_action"
            else world["saved_reply"] if name.startswith("feedback:saved_reply")
            else world["board"] if "meeting" in name or "board_pack" in name
            else world["action"]
        )  # fmt: skip
    if name == "participation:excerpt_new":
        kwargs["reference"] = world["shared_reference"]
    return reverse(name, kwargs=kwargs)


def _patterns_by_name() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def collect(patterns: list[Any], namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                collect(pattern.url_patterns, inner)
            elif pattern.name:
                found.setdefault(
                    f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern
                )

    collect(get_resolver().url_patterns)
    return found


def answer(
    client: Client, rule: Rule, url: str, world: dict[str, str]
) -> tuple[int | str, HttpResponseBase]:
    data = {"action": world["action"]}
    if rule.method == "get":
        response = client.get(url)
    elif rule.method == "post":
        response = client.post(url, data)
    elif rule.method == "delete":
        response = client.delete(url)
    else:
        response = client.post(url, data, content_type="application/json")
    status = response.status_code
    if status == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN, response
    if rule.method != "get" and status not in (302, 403, 404, 405) and status < 500:
        return PASSES, response
    if rule.method == "post" and status == 302:
        return PASSES, response  # POST, redirect, GET: the action ran or the next page says why not
    return status, response


def words_shown(response: HttpResponseBase, user: User | None) -> set[str]:
    """The references of the items (not the persona's own) whose words the response carries."""
    body = getattr(response, "content", b"").decode(errors="replace")
    # Words a moderator reads with their identifying parts highlighted still count as shown.
    body = re.sub(
        r'<mark class="identifying">|</mark>|<small class="mark-label">[^<]*</small>', "", body
    )
    items = Item.objects.exclude(author=user) if user is not None else Item.objects.all()
    return {item.reference for item in items.exclude(words="") if item.words in body}


def reads_on_record(user: User | None) -> set[str]:
    if user is None:
        return set()
    return set(StaffView.objects.filter(user=user).values_list("item__reference", flat=True))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_what_the_matrix_says(
    request: pytest.FixtureRequest, world: dict[str, str], name: str
) -> None:
    rule = MATRIX[name]
    url = url_for(name, world)
    wrong = []
    for persona, fixture in PERSONAS.items():
        user = request.getfixturevalue(fixture) if fixture else None
        got, response = answer(client_for(user), rule, url, world)
        if got != rule.expected(persona):
            wrong.append(f"{persona}: got {got}, the matrix says {rule.expected(persona)}")
        # The "records a read" column: words shown are on record as read, naming the item.
        shown = words_shown(response, user)
        if unrecorded := shown - reads_on_record(user):
            wrong.append(f"{persona}: shown the words of {unrecorded} with no read on record")
        if name in SHOWS_WORDS:
            key, readers = SHOWS_WORDS[name]
            if persona in readers and world[key] not in shown:
                wrong.append(f"{persona}: the column says this shows {world[key]}'s words")
        elif shown:
            wrong.append(f"{persona}: shown words, but the column says this shows none")
    assert not wrong, f"{rule.method.upper()} {url}\n" + "\n".join(wrong)
