"""Alerts reach the duty team's phones through GOV.UK Notify (a local fake of it here):
what is sent, what Notify's errors do to a message, and that nothing is lost or sent twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator

from feedback import delivery, dispatch, services
from feedback.models import Item, Notification
from feedback.notifications import site_link
from feedback.transports import placeholders, render_text
from portal.models import Membership
from tests.conftest import client_for, make_staff, submit
from tests.feedback.conftest import EMAIL_TEMPLATE, TEXT_TEMPLATES
from tests.feedback.test_submit import answers, send

pytestmark = pytest.mark.django_db

RISK = "a man at the home hits me and i dont feel safe"
DANA_MOBILE = "+447400123456"
DEE_MOBILE = "+447400654321"


def deliver_pending() -> delivery.Delivered:
    ids = list(
        Notification.objects.filter(state="pending").order_by("pk").values_list("pk", flat=True)
    )
    return delivery.deliver_all(ids)


@pytest.fixture
def dana(reference_data):
    """On the duty team, with a mobile."""
    user = make_staff("dana", "duty")
    user.phone = DANA_MOBILE
    user.save()
    return user


@pytest.fixture
def dee(reference_data):
    """The duty team's manager, with a mobile."""
    user = make_staff("dee", "duty", Membership.Role.MANAGER)
    user.phone = DEE_MOBILE
    user.save()
    return user


def urgent_item(author) -> Item:
    item = submit(author, kind="worry", words=RISK).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    return item


def test_an_urgent_arrival_texts_the_duty_team_a_reference_and_a_link(notify, care_leaver, dana):
    item = urgent_item(care_leaver)
    deliver_pending()
    [text] = notify.texts()
    assert text == {
        "phone_number": DANA_MOBILE,
        "template_id": TEXT_TEMPLATES["item-urgent"],
        "personalisation": {
            "reference": item.reference,
            "link": site_link("feedback:staff_item", item.reference),
        },
        "reference": f"arrived:{item.pk}:{item.service_id}:text:user:{dana.pk}",
    }
    assert "hits" not in str(notify.requests)  # no words, in the text or the emails
    row = Notification.objects.get(channel="sms")
    assert row.state == "sent" and item.reference in row.body and "hits" not in row.body
    # The email goes as well, by the other transport (SMTP here).
    assert Notification.objects.get(channel="email", recipient=dana).state == "sent"


def test_an_ordinary_arrival_texts_nobody(notify, care_leaver, dana):
    submit(care_leaver)
    deliver_pending()
    assert notify.texts() == []
    assert not Notification.objects.filter(channel="sms").exists()


def test_with_text_alerts_off_an_urgent_arrival_is_emailed_only(
    notify, settings, care_leaver, dana
):
    settings.TEXT_ALERTS = False
    urgent_item(care_leaver)
    deliver_pending()
    assert notify.texts() == []
    assert Notification.objects.filter(channel="email", recipient=dana, state="sent").exists()


def test_a_missed_urgent_clock_texts_the_duty_manager(notify, care_leaver, dana, dee):
    item = urgent_item(care_leaver)
    deliver_pending()
    dispatch.check_urgent_clocks(item.due_at + timedelta(minutes=1))
    deliver_pending()
    escalations = [t for t in notify.texts() if t["phone_number"] == DEE_MOBILE]
    assert [t["template_id"] for t in escalations] == [
        TEXT_TEMPLATES["item-urgent"],  # dee is on the duty team: she heard of it first
        TEXT_TEMPLATES["urgent-escalation"],
    ]
    assert escalations[1]["personalisation"] == {
        "reference": item.reference,
        "link": site_link("feedback:staff_item", item.reference),
    }


@pytest.mark.parametrize("status", [429, 500, 403])
def test_a_refused_text_waits_its_backoff_then_goes_once(notify, care_leaver, dana, status):
    with time_machine.travel("2026-11-02 10:00 +00:00", tick=False) as clock:
        urgent_item(care_leaver)
        notify.fail_next(status)
        delivered = deliver_pending()
        row = Notification.objects.get(channel="sms")
        assert delivered.refused == [row.pk]
        assert row.state == "pending" and row.attempts == 1
        assert row.last_error.startswith(f"Notify {status}")
        assert row.next_attempt_at == timezone.now() + timedelta(seconds=60)
        # Too soon: neither a late retry nor the sweep may try it yet.
        assert delivery.deliver(row.pk) == "skipped"
        assert delivery.stale_pending(timezone.now()) == []
        clock.shift(timedelta(seconds=61))
        assert delivery.stale_pending(timezone.now()) == [row.pk]
        assert delivery.deliver(row.pk) == "sent"
        assert delivery.deliver(row.pk) == "skipped"  # never twice
    assert notify.answered == [status, 201]
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 2


def test_notify_out_of_reach_is_retried_like_a_server_error(notify, settings, care_leaver, dana):
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:1"  # nothing listens there
    urgent_item(care_leaver)
    deliver_pending()
    row = Notification.objects.get(channel="sms")
    assert row.state == "pending" and row.last_error == "Notify 503"
    assert row.next_attempt_at is not None


def test_an_invalid_number_fails_that_text_for_good_and_the_email_still_goes(
    notify, care_leaver, dana
):
    notify.fail_next(400)
    item = urgent_item(care_leaver)
    delivered = deliver_pending()
    text = Notification.objects.get(channel="sms")
    assert text.state == "failed"
    assert text.last_error == "Notify 400: phone_number Not a UK mobile number"
    assert text.failed_at is not None
    assert delivered.refused == []
    assert Notification.objects.get(channel="email", recipient=dana).state == "sent"
    Item.objects.get(pk=item.pk, status="routed")  # the item went on regardless
    assert delivery.stale_pending(timezone.now() + timedelta(days=1)) == []  # not retried


def test_a_text_that_keeps_failing_is_marked_failed_after_the_last_attempt(
    notify, care_leaver, dana
):
    urgent_item(care_leaver)
    row = Notification.objects.get(channel="sms")
    Notification.objects.filter(pk=row.pk).update(attempts=delivery.MAX_ATTEMPTS - 1)
    notify.fail_next(500)
    assert delivery.deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == delivery.MAX_ATTEMPTS


def test_email_can_go_through_notify(notify, settings, care_leaver, caseworker):
    settings.EMAIL_TRANSPORT = "notify"
    item = submit(care_leaver).item
    dispatch.route_item(item.pk)
    deliver_pending()
    row = Notification.objects.get(recipient=caseworker, channel="email")
    [email] = [e for e in notify.emails() if e["email_address"] == caseworker.email]
    assert email["template_id"] == EMAIL_TEMPLATE
    assert email["personalisation"] == {"subject": row.subject, "body": row.body}
    assert row.state == "sent"


def test_a_young_person_who_chose_texts_gets_one_through_notify(notify, care_leaver, caseworker):
    item = submit(
        care_leaver,
        words="private words",
        contact_wanted=True,
        contact_method="text",
        contact_detail="07400 111222",
    ).item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    services.staff_reply(item=item, by=caseworker, text="We will call you tomorrow")
    deliver_pending()
    [text] = notify.texts()
    assert text["template_id"] == TEXT_TEMPLATES["update"]
    assert text["personalisation"] == {
        "reference": item.reference,
        "link": site_link("feedback:item", item.reference),
    }
    assert "private" not in str(text) and "tomorrow" not in str(text)


@pytest.mark.parametrize("name", sorted(TEXT_TEMPLATES))
def test_each_text_fills_its_placeholders_and_fits_in_one_message(name):
    assert placeholders(name) == {"reference", "link"}
    link = "https://yourvoice.council.example.gov.uk/staff/items/K7M-4QP/"
    assert len(render_text(name, {"reference": "K7M-4QP", "link": link})) <= 160


def test_every_text_template_has_a_setting(settings):
    names = {path.stem for path in Path(settings.BASE_DIR, "templates", "texts").glob("*.txt")}
    assert names == set(settings.NOTIFY_TEXT_TEMPLATES)


def test_healthz_reports_each_channel_from_its_messages(notify, settings, care_leaver, dana):
    settings.CELERY_BROKER_URL = "memory://"
    with time_machine.travel("2026-11-02 10:00 +00:00", tick=False) as clock:
        urgent_item(care_leaver)
        notify.fail_next(400)
        deliver_pending()  # the text fails, the emails go
        sent_at = timezone.now()
        clock.shift(timedelta(minutes=30))
        body = client_for(None).get("/healthz").json()
        assert body["channels"] == {
            "email": {
                "configured": True,
                "last_success": sent_at.isoformat(),
                "failures_last_hour": 0,
            },
            "sms": {"configured": True, "last_success": None, "failures_last_hour": 1},
        }
        clock.shift(timedelta(minutes=31))
        assert client_for(None).get("/healthz").json()["channels"]["sms"]["failures_last_hour"] == 0


def test_healthz_says_texts_are_not_configured_without_notify(settings, beat_and_workers_alive):
    settings.CELERY_BROKER_URL = "memory://"
    settings.NOTIFY_API_KEY = ""
    response = client_for(None).get("/healthz")
    assert response.status_code == 200  # texts not offered: the portal is healthy
    assert response.json()["channels"]["sms"] == {
        "configured": False,
        "last_success": None,
        "failures_last_hour": 0,
    }


def test_a_care_leaver_who_asks_for_texts_on_the_page_gets_one(notify, care_leaver, caseworker):
    # From the postcard page, as typed on a phone: the number is kept as a text needs it.
    client = client_for(care_leaver)
    data = {
        **answers(),
        "contact_wanted": "yes",
        "contact_method": "text",
        "contact_detail": "07400 111 222",
    }
    assert 'value="text"' in client.get("/postcards/new/").content.decode()
    send(client, data)
    item = Item.objects.get()
    assert (item.contact_method, item.contact_detail) == ("text", "+447400111222")
    dispatch.route_item(item.pk)
    services.staff_reply(item=Item.objects.get(), by=caseworker, text="We will ring you")
    deliver_pending()
    [text] = notify.texts()
    assert text["phone_number"] == "+447400111222"
    assert text["personalisation"]["reference"] == item.reference


@pytest.mark.parametrize("typed", ["020 7946 0000", "07400 12345", "+33 6 12 34 56 78", "text me"])
def test_text_needs_a_uk_mobile_and_says_so(notify, care_leaver, typed):
    data = {**answers(), "contact_wanted": "yes", "contact_method": "text", "contact_detail": typed}
    response = client_for(care_leaver).post("/postcards/new/", {**data, "step": "check"})
    assert response.status_code == 400
    assert "Enter a UK mobile number, like 07123 456789." in response.content.decode()
    assert Item.objects.count() == 0


def test_text_is_not_offered_where_it_cannot_be_sent(care_leaver, settings):
    settings.NOTIFY_API_KEY = ""  # no Notify: texts would only reach a log line
    client = client_for(care_leaver)
    page = client.get("/postcards/new/").content.decode()
    assert 'value="text"' not in page and 'value="phone"' in page
    data = {**answers(), "contact_wanted": "yes", "contact_method": "text"}
    response = client.post(
        "/postcards/new/", {**data, "contact_detail": "07400 111222", "step": "check"}
    )
    assert response.status_code == 400 and Item.objects.count() == 0
    api = client.post(
        "/api/v1/items/",
        {
            **data,
            "contact_detail": "07400111222",
            "topic": int(data["topic"]),
            "audience": "care_leaver",
        },
        content_type="application/json",
    )
    assert api.status_code == 400 and Item.objects.count() == 0
    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = schema["components"]["schemas"]["ContactMethodEnum"]["enum"]
    assert methods == ["portal", "phone", "email"]


@pytest.mark.parametrize(
    ("language", "template", "words"),
    [
        ("cy", "update-cy", "Eich Llais"),
        ("ar", "update-ar", "صوتك"),
        ("en-gb", "update", "Your Voice"),
    ],
)
def test_news_comes_in_the_language_the_young_person_sent_in(
    notify, care_leaver, caseworker, language, template, words
):
    client = client_for(care_leaver)
    client.cookies["django_language"] = language
    data = {
        **answers(),
        "contact_wanted": "yes",
        "contact_method": "text",
        "contact_detail": "07400 111222",
    }
    send(client, data)
    item = Item.objects.get()
    assert item.reply_language == ("" if language == "en-gb" else language)
    dispatch.route_item(item.pk)
    services.staff_reply(item=Item.objects.get(), by=caseworker, text="We will ring you")
    deliver_pending()
    [text] = notify.texts()
    assert text["template_id"] == TEXT_TEMPLATES[template]
    assert words in Notification.objects.get(channel="sms").body
    # The update in the portal is in their language too.
    with translation.override(language):
        reply = translation.gettext("You have a reply")
    assert (reply == "You have a reply") == (language == "en-gb")
    portal = Notification.objects.get(channel="portal")
    assert portal.subject == f"{reply} ({item.reference})"


def test_without_a_welsh_text_template_the_english_one_goes(
    notify, settings, care_leaver, caseworker
):
    settings.NOTIFY_TEXT_TEMPLATES = {**TEXT_TEMPLATES, "update-cy": ""}
    client = client_for(care_leaver)
    client.cookies["django_language"] = "cy"
    send(client, {**answers(), "contact_wanted": "yes", "contact_method": "text",
                  "contact_detail": "07400 111222"})  # fmt: skip
    item = Item.objects.get()
    dispatch.route_item(item.pk)
    services.staff_reply(item=Item.objects.get(), by=caseworker, text="Diolch")
    deliver_pending()
    [text] = notify.texts()
    assert text["template_id"] == TEXT_TEMPLATES["update"]
