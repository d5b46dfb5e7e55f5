import re
import uuid

import pytest

from feedback.models import Event, Item, Status, Topic
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def answers(**overrides):
    topic = overrides.pop("topic", None) or Topic.objects.get(slug="school")
    data = {
        "kind": "idea",
        "topic": str(topic.pk),
        "words": "Can we have a homework club on Tuesdays?",
        "mood": "4",
        "identity": "named",
        "contact_wanted": "no",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send(client, data, url="/postcards/new/"):
    """Check the answers, then send them, as the young person's browser would."""
    check = client.post(url, {**data, "step": "check"})
    assert check.status_code == 200, check.content.decode()[:2000]
    key = check.context["submission_key"]
    return client.post(url, {**data, "step": "send", "submission_key": str(key)}), key


@pytest.mark.parametrize("kind", ["compliment", "idea", "worry", "complaint"])
@pytest.mark.parametrize("identity", ["named", "confidential"])
def test_a_young_person_sends_each_kind_and_sees_the_confirmation(young_person, kind, identity):
    client = client_for(young_person)
    response, _key = send(client, answers(kind=kind, identity=identity))
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/postcards/sent/{item.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert item.reference in page
    assert "tracking code" not in page.lower()
    assert item.author == young_person
    assert item.kind == kind and item.identity == identity
    assert item.status == Status.SUBMITTED
    assert list(item.events.values_list("kind", flat=True)) == ["submitted"]


def test_an_anonymous_postcard_without_an_account_gets_a_tracking_code(reference_data):
    client = client_for(None)
    response, _key = send(client, answers(identity="anonymous", audience="in_care"))
    item = Item.objects.get()
    shown = client.get(response["Location"])
    page, code = shown.content.decode(), shown.context["tracking_code"]
    assert item.author is None
    assert len(code) == 14 and code in page
    assert "Keep the reference and code safe" in page
    assert code not in item.tracking_code_hash


def test_a_signed_in_young_person_can_send_anonymously_and_it_is_not_linked_to_them(young_person):
    client = client_for(young_person)
    send(client, answers(identity="anonymous"))
    item = Item.objects.get()
    assert item.author is None
    assert client.get("/postcards/").context["items"].count() == 0


def test_the_check_page_shows_the_words_as_text_never_as_markup(young_person):
    words = '<script>alert("hi")</script> <b>bold</b> 😀 Ça va? مرحبا'
    client = client_for(young_person)
    check = client.post("/postcards/new/", {**answers(words=words), "step": "check"})
    page = check.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    send(client, answers(words=words))
    assert Item.objects.get().words == words  # kept exactly


def test_a_double_tap_makes_one_item(young_person):
    client = client_for(young_person)
    data = answers()
    check = client.post("/postcards/new/", {**data, "step": "check"})
    key = str(check.context["submission_key"])
    first = client.post("/postcards/new/", {**data, "step": "send", "submission_key": key})
    second = client.post("/postcards/new/", {**data, "step": "send", "submission_key": key})
    assert Item.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert client.get(second["Location"]).status_code == 200


def test_a_replayed_anonymous_form_shows_the_confirmation_without_the_tracking_code(
    reference_data,
):
    client = client_for(None)
    data = answers(identity="anonymous", audience="in_care")
    key = str(client.post("/postcards/new/", {**data, "step": "check"}).context["submission_key"])
    first = client.post("/postcards/new/", {**data, "step": "send", "submission_key": key})
    code = client.get(first["Location"]).context["tracking_code"]
    assert code
    replayed = client.post("/postcards/new/", {**data, "step": "send", "submission_key": key})
    page = client.get(replayed["Location"])
    assert Item.objects.count() == 1
    assert page.status_code == 200 and page.context["tracking_code"] == ""
    assert code not in page.content.decode()


def test_back_new_words_and_send_again_asks_and_sends_them_as_a_new_postcard(young_person):
    client = client_for(young_person)
    first, key = send(client, answers())
    changed = answers(words="Can we have a homework club on Thursdays too?")
    again = client.post("/postcards/new/", {**changed, "step": "send", "submission_key": str(key)})
    page = again.content.decode()
    # Not "sent": a question, and the new words are not lost.
    assert again.status_code == 409
    assert "You already sent this postcard" in page
    assert "Send these words as a new one?" in page
    assert "has been sent" not in page
    assert list(Item.objects.values_list("words", flat=True)) == [answers()["words"]]
    new_key = again.context["submission_key"]
    assert new_key != key

    yes = client.post(
        "/postcards/new/", {**changed, "step": "send", "submission_key": str(new_key)}
    )
    assert yes.status_code == 302 and yes["Location"] != first["Location"]
    assert sorted(Item.objects.values_list("words", flat=True)) == sorted(
        [answers()["words"], changed["words"]]
    )
    assert "has been sent" in client.get(yes["Location"]).content.decode()


@pytest.mark.parametrize(
    "change",
    [{"kind": "worry"}, {"mood": "2"}, {"identity": "confidential"}, {"consent_to_share": "on"}],
)
def test_any_other_answer_under_a_sent_key_is_asked_about_too(young_person, change):
    client = client_for(young_person)
    _first, key = send(client, answers())
    again = client.post(
        "/postcards/new/", {**answers(**change), "step": "send", "submission_key": str(key)}
    )
    assert again.status_code == 409
    assert Item.objects.count() == 1


def test_a_paper_postcard_changed_and_saved_again_under_its_key_is_not_dropped(caseworker):
    from django.urls import reverse
    from django.utils import timezone

    client = client_for(caseworker)
    key = str(uuid.uuid4())
    paper = {
        **answers(identity="anonymous", audience="in_care"),
        "submission_key": key,
        "sender": "anonymous",
        "received_by": "post",
        "written_on": timezone.localdate().isoformat(),
    }
    client.post(reverse("feedback:paper_new"), paper)
    again = client.post(reverse("feedback:paper_new"), {**paper, "words": "Other words."})
    assert again.status_code == 409
    assert "already sent with other answers" in again.content.decode()
    assert list(Item.objects.values_list("words", flat=True)) == [paper["words"]]


def test_the_database_keeps_no_copy_of_the_forms_key(reference_data):
    client = client_for(None)
    data = answers(identity="anonymous", audience="in_care")
    key = str(client.post("/postcards/new/", {**data, "step": "check"}).context["submission_key"])
    client.post("/postcards/new/", {**data, "step": "send", "submission_key": key})
    assert str(Item.objects.get().submission_key) != key


def test_nothing_in_the_session_links_a_person_to_what_they_sent_or_tracked(young_person):
    from django.contrib.sessions.models import Session

    client = client_for(young_person)
    response, _key = send(client, answers(identity="anonymous"))
    client.get(response["Location"])
    reference = Item.objects.get().reference
    for session in Session.objects.all():
        assert reference not in str(session.get_decoded())


def test_signing_in_or_out_forgets_what_this_browser_sent_or_tracked(young_person):
    from django.urls import reverse

    client = client_for(None)
    response, _key = send(client, answers(identity="anonymous", audience="in_care"))
    sent_page = response["Location"]
    code = client.get(sent_page).context["tracking_code"]
    reference = Item.objects.get().reference
    tracked = client.post("/track/", {"reference": reference, "code": code})
    assert client.get(tracked["Location"]).status_code == 200
    client.post(reverse("account_login"), {"login": "jade", "password": PASSWORD})
    assert client.get(f"/postcards/{reference}/").status_code == 404
    assert client.get(sent_page).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"words": ""}, "words", "Tell us what happened"),
        ({"words": "   "}, "words", "Tell us what happened"),
        ({"words": "x" * 5001}, "words", "That is too long"),
        ({"kind": "rant"}, "kind", "Choose what you want to send"),
        ({"topic": None, "kind": "idea"}, "topic", "Choose what it is about"),
        (
            {"contact_wanted": "yes", "contact_method": "phone", "contact_detail": ""},
            "contact_detail",
            "Enter a UK phone number",
        ),
        (
            {"contact_wanted": "yes", "contact_method": "email", "contact_detail": "nope"},
            "contact_detail",
            "Enter your email",
        ),
        ({"contact_wanted": "yes"}, "contact_method", "Choose how we should get in touch"),
        (
            {
                "identity": "anonymous",
                "contact_wanted": "yes",
                "contact_method": "phone",
                "contact_detail": "07123 456789",
            },
            "contact_wanted",
            "nobody can get in touch",
        ),
    ],
)
def test_bad_answers_get_a_clear_message_beside_the_field_and_nothing_is_saved(
    young_person, overrides, field, message
):
    data = answers()
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    response = client_for(young_person).post("/postcards/new/", {**data, "step": "check"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert Item.objects.count() == 0


def test_an_unknown_topic_is_refused(young_person):
    response = client_for(young_person).post(
        "/postcards/new/", {**answers(), "topic": "99999", "step": "check"}
    )
    assert response.status_code == 400
    assert "topic" in response.context["form"].errors


def test_a_topic_not_for_this_young_person_is_refused(young_person):
    housing = Topic.objects.get(slug="housing")  # care leavers only
    response = client_for(young_person).post(
        "/postcards/new/", {**answers(topic=housing), "step": "check"}
    )
    assert response.status_code == 400
    assert "topic" in response.context["form"].errors
    assert Item.objects.count() == 0


def test_a_forged_submission_key_gets_a_clear_answer_and_saves_nothing(young_person):
    response = client_for(young_person).post(
        "/postcards/new/", {**answers(), "step": "send", "submission_key": "not-a-uuid"}
    )
    assert response.status_code == 400
    assert Item.objects.count() == 0


def test_a_form_replayed_after_sign_out_is_refused_with_a_clear_page(young_person):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(young_person, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/postcards/new/")
    token = page.context["csrf_token"]
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    response = client.post(
        "/postcards/new/",
        {
            **answers(),
            "step": "send",
            "submission_key": str(uuid.uuid4()),
            "csrfmiddlewaretoken": str(token),
        },
    )
    assert response.status_code == 403
    assert "This page has expired" in response.content.decode()
    assert Item.objects.count() == 0


def test_an_urgent_worry_shows_who_can_help_now_and_still_goes_through(young_person):
    client = client_for(young_person)
    response, _ = send(
        client, answers(kind="worry", words="my carer hits me and i dont feel safe at home")
    )
    item = Item.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert item.safeguarding and item.priority == "urgent"
    assert item.safeguarding_reasons
    assert "Get help now" in page and "0800 1111" in page and "999" in page
    assert Event.objects.filter(item=item, kind="submitted").exists()


def test_a_complaint_offers_an_advocate_and_records_the_request(young_person):
    client = client_for(young_person)
    page = client.get("/complaints/new/").content.decode()
    assert "advocate" in page.lower()
    send(client, answers(kind="complaint", advocate_requested="on"), url="/complaints/new/")
    assert Item.objects.get().advocate_requested is True


def test_staff_cannot_use_the_young_persons_form(caseworker):
    assert client_for(caseworker).get("/postcards/new/").status_code == 404


def test_the_tracking_code_is_shown_once_and_pages_are_not_cached(reference_data):
    client = client_for(None)
    response, _key = send(client, answers(identity="anonymous", audience="in_care"))
    first = client.get(response["Location"])
    code = first.context["tracking_code"]
    assert code and code in first.content.decode()
    assert first["Cache-Control"] == "no-store"
    again = client.get(response["Location"]).content.decode()
    assert code not in again and "not shown again" in again


def test_line_breaks_count_once_towards_the_limit(young_person):
    words = ("line\r\n" * 1000)[:-2] + "!"  # 5,000 characters once each break counts once
    response = client_for(young_person).post(
        "/postcards/new/", {**answers(words=words), "step": "check"}
    )
    assert response.status_code == 200
    assert "\r" not in response.context["data"]["words"]


def test_the_confirmation_of_an_item_erased_since_is_not_found(reference_data):
    client = client_for(None)
    response, _key = send(client, answers(identity="anonymous", audience="in_care"))
    Item.objects.all().delete()  # as retention would, or an admin correcting a test entry
    assert client.get(response["Location"]).status_code == 404


def test_the_confirmation_says_what_happens_to_a_child_at_risk_and_a_held_postcard(
    reference_data, settings
):
    client = client_for(None)
    urgent, _key = send(
        client, answers(identity="anonymous", audience="in_care", words="He hits me at home")
    )
    page = client.get(urgent["Location"]).content.decode()
    assert Item.objects.get().safeguarding
    assert "Get help now" in page and "team that keeps children safe" in page

    settings.SUBMISSION_RATE = "1/h"
    held, _key = send(client, answers(identity="anonymous", audience="in_care", kind="complaint"))
    page = client.get(held["Location"]).content.decode()
    assert Item.objects.filter(held=True).count() == 1
    assert "a person will check this one" in page and "Get help now" not in page
    assert "Your complaint has been sent" in page


def test_every_page_that_holds_or_held_the_words_is_kept_nowhere(item, care_leaver, caseworker):
    """no-store: no cache keeps them, and Chromium's back-forward cache skips the page."""
    client = client_for(care_leaver)
    words = item.words
    data = answers(topic=Topic.objects.get(slug="housing"), words=words)
    check = client.post("/postcards/new/", {**data, "step": "check"})
    sent, key = send(client, data)
    again = client.post(
        "/postcards/new/", {**data, "words": "Other words", "step": "send", "submission_key": key}
    )
    pages = {
        "form": client.get("/postcards/new/"),
        "check": check,
        "send again": again,
        "sent": client.get(sent["Location"]),
        "item": client.get(f"/postcards/{item.reference}/"),
        "staff item": client_for(caseworker).get(f"/staff/items/{item.reference}/"),
    }
    assert words in pages["item"].content.decode()
    assert words in pages["staff item"].content.decode()
    for name, response in pages.items():
        assert response.status_code in (200, 409), name
        assert response["Cache-Control"] == "no-store", name


def test_the_browser_is_told_not_to_refill_the_words_or_the_code(item, care_leaver):
    client = client_for(care_leaver)
    form = client.get("/postcards/new/").content.decode()
    assert re.search(r'<form method="post"[^>]* autocomplete="off"', form)
    assert re.search(r'<textarea [^>]*name="words"[^>]* autocomplete="off"', form)
    reply = client.get(f"/postcards/{item.reference}/").content.decode()
    assert re.search(r'<textarea [^>]*name="text"[^>]* autocomplete="off"', reply)
    track = client_for(None).get("/track/").content.decode()
    assert re.search(r'<input [^>]*name="code"[^>]* autocomplete="off"', track)


def _owner(response):
    return re.search(r'data-draft-owner="([^"]*)"', response.content.decode()).group(1)


def test_each_page_names_whose_draft_it_may_keep_without_naming_them(young_person, care_leaver):
    jade = client_for(young_person)
    jades = {_owner(jade.get(url)) for url in ("/postcards/new/", "/postcards/", "/privacy/")}
    sams = _owner(client_for(care_leaver).get("/postcards/new/"))
    assert len(jades) == 1 and sams not in jades and "" not in jades | {sams}
    (tag,) = jades
    assert str(young_person.pk) != tag and len(tag) == 32

    visitor = client_for(None)
    assert _owner(visitor.get("/privacy/")) == ""  # nobody known until a draft may begin
    first = _owner(visitor.get("/postcards/new/"))
    assert first and _owner(visitor.get("/privacy/")) == first
    assert visitor.session.session_key not in first
    visitor.get("/exit/")
    assert _owner(visitor.get("/postcards/new/")) not in ("", first)


@pytest.mark.parametrize("path", ["sql compiled once", "plain orm"])
def test_the_confirmation_reads_the_same_on_its_quick_and_plain_paths(
    reference_data, monkeypatch, path
):
    from feedback import models

    assert models._just_sent_sql() is not None  # the quick path is the one in use here
    if path == "plain orm":
        monkeypatch.setattr(models, "_just_sent_sql", lambda: None)
    client = client_for(None)
    response, _key = send(
        client, answers(identity="anonymous", audience="in_care", words="He hits me at home")
    )
    item = Item.objects.get()
    found = models.JustSent.find(item.reference)
    assert found == models.JustSent(item.reference, item.kind, "anonymous", True, False, False)
    assert models.JustSent.find("ZZZ-99Z") is None
    page = client.get(response["Location"]).content.decode()
    assert "Get help now" in page and item.reference in page
