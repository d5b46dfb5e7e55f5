"""The picture postcard for younger children: faces and pictures make an ordinary postcard,
sent, triaged and routed like any other, with its choices in words for the staff."""

import uuid

import pytest
from django.test import Client

from feedback import dispatch
from feedback.models import Identity, Item, Kind, Mood, Status, Topic
from portal.models import Audience
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/postcards/pictures/"
RISK = "a man at the home hits me and i dont feel safe"


def picture_answers(**overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "feeling": str(Mood.UNHAPPY.value),
        "about": "school",
        "sentence": "My teacher shouts at me.",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def routed(item: Item) -> Item:
    dispatch.route_item(item.pk)  # what the Celery worker does after the commit
    item.refresh_from_db()
    return item


def test_a_child_sends_a_picture_postcard_with_a_sentence_and_it_is_routed_like_any_other(
    young_person, other_caseworker
):
    client = client_for(young_person)
    response = client.post(URL, picture_answers())

    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/postcards/sent/{item.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "Your postcard has been sent" in page and item.reference in page
    assert "tracking code" not in page.lower()
    assert item.author == young_person and item.identity == Identity.CONFIDENTIAL
    assert item.kind == Kind.WORRY and item.mood == Mood.UNHAPPY
    assert item.topic.slug == "school" and item.audience == Audience.IN_CARE
    assert item.words == "My teacher shouts at me."
    assert not item.consent_to_share and not item.contact_wanted
    assert list(item.events.values_list("kind", flat=True)) == ["submitted"]

    item = routed(item)  # school goes to the Virtual School, as from the normal form
    assert item.service.slug == "virtual-school" and item.status == Status.ROUTED
    staff_page = client_for(other_caseworker).get(f"/staff/items/{item.reference}/")
    shown = staff_page.content.decode()
    assert staff_page.status_code == 200
    for words in ("My teacher shouts at me.", "Worry", "School and learning", "Unhappy"):
        assert words in shown


def test_without_a_sentence_the_words_say_what_the_pictures_said(reference_data):
    client = Client()
    response = client.post(
        URL, picture_answers(feeling=str(Mood.VERY_HAPPY.value), about="home", sentence="")
    )

    item = routed(Item.objects.get())
    assert item.words == "I feel: Very happy. It is about: My home."
    assert item.kind == Kind.COMPLIMENT and item.mood == Mood.VERY_HAPPY
    # A visitor, as on the normal form: anonymous, with a tracking code shown once.
    assert item.author is None and item.identity == Identity.ANONYMOUS
    assert item.audience == Audience.IN_CARE
    assert item.topic.slug == "where-i-live" and item.service.slug == "fostering"
    shown = client.get(response["Location"])
    assert shown.context["tracking_code"] in shown.content.decode()
    assert "Keep the reference and code safe" in shown.content.decode()


@pytest.mark.parametrize(
    ("mood", "kind"),
    [
        (Mood.VERY_UNHAPPY, Kind.WORRY),
        (Mood.UNHAPPY, Kind.WORRY),
        (Mood.OK, Kind.IDEA),
        (Mood.HAPPY, Kind.COMPLIMENT),
        (Mood.VERY_HAPPY, Kind.COMPLIMENT),
    ],
)
def test_the_face_gives_the_kind_and_is_kept_as_the_mood(young_person, mood, kind):
    client_for(young_person).post(URL, picture_answers(feeling=str(mood.value)))
    item = Item.objects.get()
    assert (item.kind, item.mood) == (kind, mood)


def test_a_risk_sentence_goes_to_the_duty_team_and_the_child_is_shown_help(reference_data):
    client = Client()
    response = client.post(URL, picture_answers(about="home", sentence=RISK))

    item = routed(Item.objects.get())
    assert item.safeguarding and item.service.is_duty_team
    page = client.get(response["Location"]).content.decode()
    assert "Get help now" in page and "0800 1111" in page
    assert "2 working days" not in page


def test_no_feeling_chosen_says_how_to_fix_it_and_keeps_every_other_answer(young_person):
    client = client_for(young_person)
    response = client.post(URL, picture_answers(feeling=None, about="family"))

    page = response.content.decode()
    assert response.status_code == 400
    assert Item.objects.count() == 0
    assert "There is a problem" in page
    assert page.count("Choose a face to show how you feel.") == 2  # summary and question
    assert 'value="family" id="id_about_2" checked' in page
    assert "My teacher shouts at me.</textarea>" in page


def test_a_sentence_over_the_limit_is_refused_plainly_and_kept(young_person):
    long = "x" * 201
    response = client_for(young_person).post(URL, picture_answers(sentence=long))
    page = response.content.decode()
    assert response.status_code == 400 and Item.objects.count() == 0
    assert "Use 200 characters or fewer. You used 201." in page
    assert f"{long}</textarea>" in page


def test_a_picture_whose_topic_is_switched_off_is_not_offered(young_person):
    Topic.objects.filter(slug="other").update(active=False)
    client = client_for(young_person)
    assert "Something else" not in client.get(URL).content.decode()
    refused = client.post(URL, picture_answers(about="other"))
    assert refused.status_code == 400 and Item.objects.count() == 0
    assert "Choose a picture to show what it is about." in refused.content.decode()


def test_a_double_tap_makes_one_postcard(young_person):
    client = client_for(young_person)
    data = picture_answers()
    first, second = client.post(URL, data), client.post(URL, data)
    assert Item.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_back_another_face_and_send_again_asks_and_loses_nothing(young_person):
    client = client_for(young_person)
    data = picture_answers()
    client.post(URL, data)
    again = client.post(URL, {**data, "feeling": str(Mood.HAPPY.value)})

    page = again.content.decode()
    assert again.status_code == 409 and Item.objects.count() == 1
    assert "Send it again to make a new one." in page
    assert f'value="{Mood.HAPPY.value}" id="id_feeling_3" checked' in page
    assert data["submission_key"] not in page  # a new key: the next Send makes a new one
    new_key = again.context["form"]["submission_key"].value()
    client.post(URL, {**data, "feeling": str(Mood.HAPPY.value), "submission_key": new_key})
    assert Item.objects.count() == 2


def test_the_page_offers_read_aloud_buttons_hidden_until_the_script_shows_them(young_person):
    page = client_for(young_person).get(URL).content.decode()
    assert page.count("data-read-aloud hidden") == 3
    assert "/static/js/picture.js" in page and "<script>" not in page


def test_staff_cannot_open_it(caseworker):
    assert client_for(caseworker).get(URL).status_code == 404


def test_the_home_page_and_my_postcards_link_to_it(young_person):
    link = 'href="/postcards/pictures/"'
    assert link in Client().get("/").content.decode()
    assert link in client_for(young_person).get("/postcards/").content.decode()


@pytest.mark.parametrize("language", ["cy", "ar"])
def test_a_child_reading_welsh_or_arabic_sends_the_pictures_words_in_english_for_staff(
    reference_data, language
):
    # The pictures' words are the portal's, not the child's: staff read them in English,
    # and they are not sent for a same-day read as a postcard in another language.
    client = Client()
    client.cookies["django_language"] = language
    form = client.get(URL).content.decode()
    assert f'lang="{language}"' in form
    client.post(URL, picture_answers(feeling=str(Mood.UNHAPPY.value), about="school", sentence=""))
    item = routed(Item.objects.get())
    assert item.words == "I feel: Unhappy. It is about: School."
    assert item.reply_language == language
    assert not item.needs_read


def test_the_young_person_s_page_names_the_team_in_their_language(young_person):
    from django.utils import translation

    client = client_for(young_person)
    client.post(URL, picture_answers())
    item = routed(Item.objects.get())
    client.cookies["django_language"] = "cy"
    page = client.get(f"/postcards/{item.reference}/").content.decode()
    with translation.override("cy"):
        team = item.service.display_in_a_sentence
    assert team != item.service.in_a_sentence  # the catalogue has it
    assert team in page.replace("&#x27;", "'")
