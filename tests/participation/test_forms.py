"""Participation's forms speak plainly: their own words for what they check, the
service's words for what it checks, never Django's defaults."""

from __future__ import annotations

import pytest

from participation import forms
from tests.conftest import client_for

DJANGO_SAYS = (
    "This field is required.",
    "Enter a valid date.",
    "Enter a whole number.",
    "Select a valid choice.",
    "Ensure this value has at most",
)
FORMS = [
    forms.ThemeForm,
    forms.TagForm,
    forms.ExcerptForm,
    forms.ProposeActionForm,
    forms.AgreeActionForm,
    forms.ActionUpdateForm,
    forms.LinkItemsForm,
    forms.ItemStartActionForm,
    forms.ItemActionForm,
    forms.MeetingForm,
    forms.AgendaItemForm,
    forms.MinutesForm,
    forms.TakeoverQuestionForm,
]
JUNK = {
    "name": "x" * 81,
    "theme": "999999",
    "text": "x" * 2001,
    "you_said": "x" * 1001,
    "we_will": "x" * 1001,
    "themes": ["999999"],
    "service": "999999",
    "lead": "999999",
    "due_on": "soon",
    "review_on": "31/02/2026x",
    "progress": "half",
    "status": "finished",
    "references": "x" * 401,
    "action": "first",
    "kind": "party",
    "title": "x" * 201,
    "date": "tomorrow",
    "period_months": "5",
    "question": "x" * 1001,
}


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("data", [{}, JUNK], ids=["empty", "junk"])
def test_no_participation_form_says_django_s_default_words(reference_data, form_class, data):
    form = form_class({k: v for k, v in data.items() if k in form_class.base_fields})
    form.is_valid()
    said = [str(message) for errors in form.errors.values() for message in errors]
    assert [m for m in said if m.startswith(DJANGO_SAYS)] == []


def test_a_meeting_without_a_date_says_how_to_fix_it(participation_officer):
    response = client_for(participation_officer).post(
        "/council/meetings/", {"kind": "council", "title": "Council", "period_months": "12"}
    )
    assert response.status_code == 400
    assert "Give the date of the meeting." in response.content.decode()


def test_a_meeting_without_a_title_shows_the_service_s_words_beside_it(participation_officer):
    response = client_for(participation_officer).post(
        "/council/meetings/",
        {"kind": "council", "title": " ", "date": "2026-11-20", "period_months": "12"},
    )
    assert response.status_code == 400
    assert "Give the meeting a title." in response.content.decode()


def test_a_proposal_with_an_error_keeps_its_theme_and_then_saves_it(council_member):
    from participation.models import Action
    from tests.participation.conftest import theme_of

    theme = theme_of("housing")
    client = client_for(council_member)
    response = client.post("/council/actions/new/", {"you_said": "", "themes": [theme.pk]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert f'name="themes" value="{theme.pk}"' in page
    checked = page.split(f'value="{theme.pk}"')[1].split(">")[0]
    assert "checked" in checked
    client.post("/council/actions/new/", {"you_said": "Flats far away", "themes": [theme.pk]})
    assert list(Action.objects.get(you_said="Flats far away").themes.all()) == [theme]


def test_an_error_in_a_closed_section_opens_it_and_names_the_error_in_the_title(story, manager):
    action = story["action"]
    response = client_for(manager).post(f"/council/actions/{action.pk}/link/", {"references": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert "<details open><summary>Link items to this action" in page
    assert "govuk-error-summary" in page.split("<details open>")[1]
