"""The council publicises its complaints procedure and the right to an advocate."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_anyone_can_read_how_complaints_work_in_plain_words(reference_data):
    page = client_for(None).get(reverse("feedback:complaints_info"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "within 10 working days" in text and "up to 20 working days" in text
    assert "This takes 25 working days, and never more than 65" in text
    assert "within 30 working days of you asking" in text
    assert "advocate" in text and "Ombudsman" in text
    assert 'href="tel:08001111"' in text


def test_the_leaflet_fits_the_procedure_on_one_printable_page(reference_data):
    page = client_for(None).get(reverse("feedback:complaints_leaflet"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Stage 1" in text and "Stage 2" in text and "Stage 3" in text
    assert "Ombudsman" in text and "advocate" in text


def test_the_printable_postcard_has_a_qr_code_to_the_portal(reference_data, settings):
    settings.SITE_URL = "https://yourvoice.council.example"
    page = client_for(None).get(reverse("feedback:postcard_print"))
    text = page.content.decode()
    assert page.status_code == 200
    assert '<svg role="img" aria-label="QR code' in text and "<path" in text
    assert "style=" not in text  # the Content Security Policy forbids inline styles
    assert "https://yourvoice.council.example" in text


def test_the_qr_code_encodes_the_address(settings):
    from feedback.views import qr_code_svg

    one = qr_code_svg("https://a.example/", label="QR")
    other = qr_code_svg("https://b.example/", label="QR")
    assert one != other


def test_the_privacy_page_says_what_is_kept_who_sees_it_and_for_how_long(db, settings):
    settings.RETENTION_DAYS = 730
    page = client_for(None).get(reverse("feedback:privacy")).content.decode()
    assert "730 days" in page and "anonymous" in page and "ask to see everything" in page
