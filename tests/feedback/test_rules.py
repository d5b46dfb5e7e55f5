"""Each rule has one owner, the service: the API and tasks get it too, and the
forms show the service's own words beside the field it names."""

import pytest
from django.urls import reverse

from feedback import dispatch, services, submission
from feedback.forms import MAX_WORDS, PaperSubmissionForm, SubmissionForm
from feedback.models import Event, Item, Topic
from portal.models import Service
from portal.refusals import Refused
from tests.conftest import client_for, submit

pytestmark = pytest.mark.django_db

ANONYMOUS_BY_PHONE = {
    "identity": "anonymous",
    "contact_wanted": True,
    "contact_method": "phone",
    "contact_detail": "07123 456789",
}


@pytest.fixture
def complaint(young_person, complaints_manager) -> Item:
    item = submit(young_person, kind="complaint", topic="where-i-live").item
    dispatch.route_item(item.pk)
    return Item.objects.get(pk=item.pk)


def refusal(call, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(**kwargs)
    return caught.value


# --- Through the service -------------------------------------------------------------


def test_nobody_offers_to_get_in_touch_with_an_anonymous_sender(young_person):
    refused = refusal(submit, author=young_person, **ANONYMOUS_BY_PHONE)
    assert refused.field == "contact_wanted" and "nobody can get in touch" in str(refused)
    in_app = refusal(
        submit, author=young_person, identity="anonymous", contact_wanted=True,
        contact_method="portal",
    )  # fmt: skip
    assert in_app.field == "contact_wanted"
    assert not Item.objects.exists()
    kept = submit(young_person, identity="anonymous", contact_wanted=False)
    assert kept.item.contact_wanted is False and kept.item.author is None


def test_an_advocate_is_kept_for_complaints_only(young_person):
    idea = submit(young_person, kind="idea", advocate_requested=True, topic="school").item
    complaint = submit(young_person, kind="complaint", advocate_requested=True).item
    assert idea.advocate_requested is False
    assert complaint.advocate_requested is True


def test_contact_details_are_not_kept_when_no_contact_is_wanted(care_leaver):
    item = submit(
        care_leaver, contact_wanted=False, contact_method="phone", contact_detail="07123 456789"
    ).item
    item.refresh_from_db()
    assert (item.contact_method, item.contact_detail) == ("", "")
    in_app = submit(
        care_leaver, contact_wanted=True, contact_method="portal", contact_detail="07123 456789"
    ).item
    assert (in_app.contact_method, in_app.contact_detail) == ("portal", "")


def test_a_change_in_a_reply_needs_describing(caseworker, item):
    refused = refusal(
        services.staff_reply, item=item, by=caseworker, text="Thanks", change="planned"
    )
    assert (refused.field, str(refused)) == ("change_description", "Describe the change.")
    assert not Event.objects.filter(item=item, kind="staff_reply").exists()


def test_a_complaint_is_resolved_with_an_outcome_and_an_answer(complaint, complaints_manager):
    refused = refusal(
        services.resolve, item=complaint, by=complaints_manager, outcome="", text="Sorted"
    )
    assert (refused.field, str(refused)) == ("outcome", "Choose the outcome of the complaint.")
    refused = refusal(
        services.resolve, item=complaint, by=complaints_manager, outcome="upheld", text="  "
    )
    assert (refused.field, str(refused)) == ("text", "Write the answer to the young person.")
    assert not Event.objects.filter(item=complaint, kind="resolved").exists()


def test_a_status_must_be_one_staff_may_set(caseworker, item):
    refused = refusal(services.set_status, item=item, by=caseworker, status="closed")
    assert (refused.field, str(refused)) == ("status", "Choose a status.")


def test_extending_a_clock_needs_a_reason(complaint, complaints_manager):
    refused = refusal(services.extend_clock, item=complaint, by=complaints_manager, reason=" ")
    assert (refused.field, str(refused)) == ("reason", "Give the reason for the extension.")


def test_staff_moving_a_complaint_on_give_a_reason_and_a_young_person_need_not(
    complaint, complaints_manager, young_person
):
    refused = refusal(
        services.move_stage, item=complaint, by=complaints_manager, reason="", from_stage=1
    )
    assert (refused.field, str(refused)) == ("reason", "Give the reason for moving it on.")
    services.resolve(item=complaint, by=complaints_manager, outcome="not_upheld", text="No.")
    complaint.refresh_from_db()
    services.request_next_stage(item=complaint, by=young_person, from_stage=1)
    complaint.refresh_from_db()
    assert complaint.stage == 2


def test_rerouting_needs_a_reason(caseworker, item):
    health = Service.objects.get(slug="lac-health")
    refused = refusal(services.reroute, item=item, by=caseworker, service=health, reason="")
    assert (refused.field, str(refused)) == ("reason", "Give the reason for moving it.")
    item.refresh_from_db()
    assert item.service.slug == "leaving-care"


# --- The forms show the service's words --------------------------------------------


def test_the_submission_form_shows_the_services_words_on_anonymous_contact(young_person):
    form = SubmissionForm(
        {
            "kind": "idea",
            "topic": Topic.objects.get(slug="school").pk,
            "words": "Homework club",
            **ANONYMOUS_BY_PHONE,
            "contact_wanted": "yes",
        },
        user=young_person,
    )
    assert not form.is_valid()
    with pytest.raises(Refused) as caught:
        submission.check_answers(identity="anonymous", contact_wanted=True, contact_method="phone")
    assert form.errors["contact_wanted"] == [str(caught.value)]


def test_staff_entering_a_paper_postcard_see_the_services_words_too(caseworker):
    form = PaperSubmissionForm(
        {
            "kind": "idea",
            "audience": "in_care",
            "topic": Topic.objects.get(slug="school").pk,
            "words": "Homework club",
            **ANONYMOUS_BY_PHONE,
            "contact_wanted": "yes",
        },
        entered_by=caseworker,
    )
    assert not form.is_valid()
    assert "nobody can get in touch" in form.errors["contact_wanted"][0]


def post_action(user, item, action, **data):
    return client_for(user).post(reverse(f"feedback:staff_{action}", args=[item.reference]), data)


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("reply", {"text": "Hi", "change": "made"}, "change_description", "Describe the change."),
        ("resolve", {"text": "Sorted"}, "outcome", "Choose the outcome of the complaint."),
        ("resolve", {"outcome": "upheld"}, "text", "Write the answer to the young person."),
        ("status", {"status": ""}, "status", "Choose a status."),
        ("extend", {"reason": ""}, "reason", "Give the reason for the extension."),
        ("stage", {"reason": "", "from_stage": 1}, "reason", "Give the reason for moving it on."),
        ("reroute", {"reason": ""}, "reason", "Give the reason for moving it."),
    ],
)
def test_a_staff_form_shows_the_services_words_beside_the_field(
    complaint, complaints_manager, action, data, field, message
):
    if action == "reroute":
        data = {**data, "service": Service.objects.get(slug="lac-health").pk}
    response = post_action(complaints_manager, complaint, action, **data)
    assert response.status_code == 400
    assert response.context[f"{action}_form"].errors[field] == [message]
    assert message in response.content.decode()


def test_the_status_is_chosen_from_a_list_the_service_gives(caseworker, item):
    page = client_for(caseworker).get(reverse("feedback:staff_item", args=[item.reference]))
    choices = [value for value, _label in page.context["status_form"].fields["status"].choices]
    assert choices == ["", *services.STAFF_STATUSES]
    assert 'name="status"' in page.content.decode()


def test_the_words_limit_is_the_models_and_the_page_shows_it(young_person):
    assert Item._meta.get_field("words").max_length == MAX_WORDS
    page = client_for(young_person).get("/postcards/new/").content.decode()
    assert f'data-maxlength="{MAX_WORDS}"' in page  # the character count's limit
    assert f"You can write up to {MAX_WORDS:,} characters" in page
    # No maxlength: the browser would cut a long paste short without a word.
    assert " maxlength=" not in page
