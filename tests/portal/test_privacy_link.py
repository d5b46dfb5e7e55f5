"""Every young person's page links to the privacy page in plain words (issue 12)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from feedback.models import Item
from portal.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PRIVACY_LINK = re.compile(r'<footer.*<a class="govuk-link" href="/privacy/">Your privacy</a>', re.S)


def test_every_young_persons_page_links_to_the_privacy_page(care_leaver: User, item: Item) -> None:
    signed_in = client_for(care_leaver)
    visitor = client_for(None)
    pages = {
        "home": visitor.get("/"),
        "track": visitor.get("/track/"),
        "send a postcard (visitor)": visitor.get("/postcards/new/"),
        "send a postcard": signed_in.get("/postcards/new/"),
        "the form with errors": signed_in.post("/postcards/new/", {"step": "check"}),
        "my postcards": signed_in.get("/postcards/"),
        "an item": signed_in.get(reverse("feedback:item", args=[item.reference])),
        "updates": signed_in.get("/notifications/"),
        "You Said, We Did": visitor.get("/you-said-we-did/"),
        "how complaints work": visitor.get("/complaints/how-it-works/"),
    }
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        assert PRIVACY_LINK.search(response.content.decode()), f"no privacy link on {name}"


def test_the_privacy_link_leads_to_the_privacy_page() -> None:
    page = client_for(None).get(reverse("feedback:privacy"))
    assert page.status_code == 200
    assert "<h1" in page.content.decode() and "Your privacy" in page.content.decode()
