"""Logs of a whole journey (young person, staff, council) hold none of the words sent,
no reset link and no tracking code."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from feedback import dispatch, services
from feedback.models import Item
from tests.conftest import client_for
from tests.feedback.test_submit import answers, send

pytestmark = pytest.mark.django_db

WORDS = "Purple elephant homework club secret words 7741"
RISK = "my carer hits me and i dont feel safe 7741"


def test_a_whole_journey_leaves_no_words_links_or_codes_in_the_logs(
    caplog,
    young_person,
    caseworker,
    council_member,
    duty_worker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    caplog.set_level(logging.DEBUG)
    jade = client_for(young_person)
    send(jade, answers(words=WORDS))
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

    logged = caplog.text
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
