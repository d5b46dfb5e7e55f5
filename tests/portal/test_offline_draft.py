"""The marks the offline-draft script (static/src/draft.js) reads, without a browser:
a fresh form takes the draft, a form sent back keeps its answers, the promise is hidden
until the script shows it, and the confirmation page deletes the draft.
The browser test is tests/browser/test_offline_draft.py."""

from __future__ import annotations

import pytest

from feedback.models import Topic
from portal.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NOTE = (
    "What you type is kept on this phone for one day, or until you send it or press Exit this page."
)


def test_a_fresh_form_takes_the_draft_and_the_promise_waits_for_the_script(
    young_person: User,
) -> None:
    page = client_for(young_person).get("/postcards/new/").content.decode()
    assert 'data-draft="fresh"' in page
    assert f'<p class="govuk-body" data-draft-note hidden>{NOTE}</p>' in page


def test_a_form_sent_back_with_errors_keeps_its_own_answers(young_person: User) -> None:
    response = client_for(young_person).post("/postcards/new/", {"step": "check"})
    assert response.status_code == 400
    assert 'data-draft="kept"' in response.content.decode()


def test_the_confirmation_page_tells_the_script_to_delete_the_draft(young_person: User) -> None:
    client = client_for(young_person)
    answers = {
        "kind": "idea",
        "topic": Topic.objects.get(slug="school").pk,
        "words": "A homework club please",
        "identity": "named",
        "contact_wanted": "no",
    }
    check = client.post("/postcards/new/", {**answers, "step": "check"})
    key = check.context["submission_key"]
    sent = client.post("/postcards/new/", {**answers, "step": "send", "submission_key": key})
    page = client.get(sent["Location"]).content.decode()
    assert "data-draft-sent" in page
    assert "data-draft=" not in page  # nothing on it is saved as a draft
