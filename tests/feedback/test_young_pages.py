"""The young person's pages say the right thing: who can get in touch, what is due next,
what happens with an advocate, where help is, and where Exit this page goes."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from feedback import dispatch
from feedback.forms import PaperSubmissionForm
from feedback.models import Clock, Item, Topic
from tests.conftest import client_for, submit
from tests.feedback.test_submit import answers, send

pytestmark = pytest.mark.django_db

NEXT_WEEK = datetime.date(2030, 1, 15)  # a Tuesday


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_visitor_without_an_account_is_not_asked_about_getting_in_touch(reference_data):
    page = Client().get("/postcards/new/").content.decode()
    assert 'name="contact_wanted"' not in page
    assert "get in touch" not in visible_text(page).lower()
    assert "Nobody will know it is you" in page


def test_an_anonymous_sender_never_reads_both_no_contact_and_we_will_get_in_touch(
    reference_data,
):
    data = answers(identity="anonymous", audience="in_care")
    del data["contact_wanted"]
    check = Client().post("/postcards/new/", {**data, "step": "check"})
    assert check.status_code == 200
    text = visible_text(check.content.decode())
    assert "Get in touch" not in text
    assert "read our answer with a code" in text


def test_a_signed_in_young_person_choosing_anonymous_and_contact_is_told_plainly(
    young_person,
):
    data = answers(identity="anonymous", contact_wanted="yes", contact_method="portal")
    response = client_for(young_person).post("/postcards/new/", {**data, "step": "check"})
    assert response.status_code == 400
    assert "If nobody knows it is you, nobody can get in touch." in response.content.decode()
    assert '<a href="#id_contact_wanted">' in response.content.decode()
    assert 'id="id_contact_wanted"' in response.content.decode()  # the first choice


def test_the_identity_question_comes_early_with_one_sentence_per_choice(young_person):
    page = client_for(young_person).get("/postcards/new/").content.decode()
    assert page.index('name="identity"') < page.index('name="topic"') < page.index('name="words"')
    hints = re.findall(r'class="govuk-hint govuk-radios__hint"[^>]*>([^<]+)<', page)
    assert len(hints) == 3
    assert all(hint.strip().count(".") == 1 for hint in hints)


def test_an_error_page_title_starts_with_error_and_radio_links_reach_the_first_choice(
    young_person,
):
    response = client_for(young_person).post("/postcards/new/", {"step": "check"})
    page = response.content.decode()
    assert re.search(r"<title>Error: ", page)
    assert '<a href="#id_kind">' in page and 'id="id_kind"' in page
    assert '<a href="#id_topic">' in page and 'id="id_topic"' in page


def test_over_5000_characters_are_refused_with_a_clear_message(young_person):
    response = client_for(young_person).post(
        "/postcards/new/", {**answers(words="x" * 6000), "step": "check"}
    )
    assert response.status_code == 400
    assert "That is too long. Use 5000 characters or fewer. You used 6000." in (
        response.content.decode()
    )


def test_the_item_page_names_the_acknowledgement_deadline_for_a_postcard(care_leaver):
    item = submit(care_leaver, topic="housing").item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    item.start_clock(Clock.ACKNOWLEDGE, NEXT_WEEK, NEXT_WEEK)
    item.save()
    page = client_for(care_leaver).get(reverse("feedback:item", args=[item.reference]))
    text = visible_text(page.content.decode())
    assert "The team will tell you they have seen it by Tuesday 15 January." in text
    assert "will answer" not in text


def test_the_item_page_names_the_stage_answer_deadline_for_a_complaint(care_leaver):
    item = submit(care_leaver, kind="complaint", topic="housing").item
    dispatch.route_item(item.pk)
    item.refresh_from_db()
    item.start_clock(Clock.STAGE1, NEXT_WEEK, NEXT_WEEK)
    item.save()
    page = client_for(care_leaver).get(reverse("feedback:item", args=[item.reference]))
    text = visible_text(page.content.decode())
    assert "The team will answer your complaint (stage 1) by Tuesday 15 January." in text
    assert "seen it by" not in text
    assert reverse("feedback:complaints_info") in page.content.decode()


def test_an_advocate_request_is_confirmed_with_what_happens_next(young_person):
    client = client_for(young_person)
    response, _key = send(
        client, answers(kind="complaint", advocate_requested="on"), url="/complaints/new/"
    )
    sent = client.get(response["Location"])
    promise = "They will get in touch with you within 2 working days."
    assert "We told the advocacy service straight away." in sent.content.decode()
    assert promise in sent.content.decode()
    item = Item.objects.get()
    assert item.advocate_requested
    page = client.get(reverse("feedback:item", args=[item.reference])).content.decode()
    assert "You asked for an advocate." in page and promise in page


def test_the_complaint_form_links_to_how_complaints_work(young_person):
    page = client_for(young_person).get("/complaints/new/").content.decode()
    assert f'href="{reverse("feedback:complaints_info")}"' in page


def test_phone_numbers_for_help_are_tel_links(young_person):
    client = client_for(young_person)
    page = client.get("/postcards/").content.decode()
    assert 'href="tel:999"' in page and 'href="tel:08001111"' in page
    response, _key = send(client, answers(words="My carer hits me and I am scared"))
    sent = client.get(response["Location"])
    assert "Get help now" in sent.content.decode()
    assert 'href="tel:03001234567"' in sent.content.decode()


def test_exit_this_page_says_where_it_goes_and_shift_only_for_keyboards(young_person):
    page = client_for(young_person).get("/postcards/new/").content.decode()
    assert 'data-module="govuk-exit-this-page"' in page
    assert "It signs you out and opens the BBC weather page." in page
    # Said only where a keyboard is likely: the class is shown by a hover/pointer media query.
    assert re.search(r'class="app-keyboard-only">[^<]*Shift key three times', page)
    assert page.count("Shift key") == 1


def test_the_young_persons_home_shows_you_said_we_did(young_person):
    page = client_for(young_person).get("/postcards/").content.decode()
    assert reverse("participation:board") in page


def test_pages_have_no_inline_script_or_style(young_person):
    for path in ("/postcards/new/", "/postcards/", "/track/", "/"):
        page = client_for(young_person).get(path).content.decode()
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_staff_still_type_in_paper_postcards_with_or_without_contact(young_person, caseworker):
    young_person.young_person.services.add(*caseworker.service_ids)
    school = Topic.objects.get(slug="school").pk
    paper = {"kind": "idea", "audience": "in_care", "topic": school, "words": "Homework club"}
    anonymous = PaperSubmissionForm(
        {**paper, "identity": "anonymous", "contact_wanted": "no"}, entered_by=caseworker
    )
    assert anonymous.is_valid(), anonymous.errors
    named = PaperSubmissionForm(
        {
            **paper,
            "identity": "named",
            "young_person": "jade",
            "contact_wanted": "yes",
            "contact_method": "phone",
            "contact_detail": "07123 456789",
        },
        entered_by=caseworker,
    )
    assert named.is_valid(), named.errors
    assert named.author == young_person
