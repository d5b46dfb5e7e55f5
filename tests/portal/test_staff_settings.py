"""Staff set their own mobile (for urgent texts) and whether they take the daily digest."""

from __future__ import annotations

import pytest

from portal.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/staff/settings/"


def test_staff_save_their_mobile_and_take_the_daily_digest(caseworker):
    client = client_for(caseworker)
    response = client.post(URL, {"phone": "07400 123 456", "daily_digest": "on"}, follow=True)
    assert "Your settings are saved." in response.text
    caseworker.refresh_from_db()
    assert caseworker.phone == "+447400123456"
    assert caseworker.daily_digest is True
    page = client.get(URL).text
    assert 'value="+447400123456"' in page and "checked" in page


def test_a_number_that_is_not_a_uk_mobile_is_refused_with_how_to_fix_it(caseworker):
    response = client_for(caseworker).post(URL, {"phone": "020 7946 0000"})
    assert response.status_code == 200
    assert "Enter a UK mobile number. It starts with 07 and has 11 numbers." in response.text
    assert User.objects.get(pk=caseworker.pk).phone == ""


def test_leaving_both_empty_means_no_texts_and_an_email_an_item(caseworker):
    caseworker.phone, caseworker.daily_digest = "+447400123456", True
    caseworker.save()
    client_for(caseworker).post(URL, {"phone": ""})
    caseworker.refresh_from_db()
    assert (caseworker.phone, caseworker.daily_digest) == ("", False)


def test_a_young_person_gets_not_found(young_person):
    assert client_for(young_person).get(URL).status_code == 404
    assert client_for(young_person).post(URL, {"daily_digest": "on"}).status_code == 404
    young_person.refresh_from_db()
    assert young_person.daily_digest is False
