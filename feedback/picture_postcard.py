"""The picture postcard: a younger child taps a face and a picture, and may add a few words.

It makes an ordinary postcard through feedback.submission, like every other form, so
triage, routing, tracking codes and the confirmation page are the same. What a picture
says is kept in the fields every item already has, which staff and the council see in
words on every item; nothing new is stored:

- the face is the item's mood (feedback.models.Mood), and gives its kind: a sad face
  is a worry, a happy face a compliment, and OK an idea, the kind for "something to
  tell us" that is neither thanks nor a worry. The face itself stays in the mood, so
  nothing of what the child chose is lost to that mapping;
- the picture is the item's topic: each picture names a real topic by its slug, so
  routes match it as they match the normal form;
- the words are what the child wrote; with nothing written, what the pictures said
  ("I feel: Unhappy. It is about: School."), so staff never open an empty postcard.
  The choices are not put in front of a sentence the child wrote: English words round
  a sentence in Polish would hide it from the language check (feedback.languages)
  that gets a postcard nobody on the team can read a same-day read.

"Who is it for" is not asked: the routes, not the child, decide which team reads a
postcard, and the item has no place for a person it is meant for. Asking, then sending
it elsewhere, would be a promise the portal does not keep.

A child signed in sends it confidentially (only the team that reads it knows who sent
it, and can answer in the portal); a visitor, as on the normal form, anonymously, with
a tracking code. A visitor is taken to be in care: these pages are for younger
children, and care leavers are 16 or over.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feedback import submission
from feedback.forms import WordsField
from feedback.models import Identity, Kind, Mood, Topic
from portal.models import Audience, User

# A few words, not a letter: a small box a young child can finish.
SENTENCE_LIMIT = 200


@dataclass(frozen=True)
class Picture:
    """One picture a child can tap: its name in the page, and the topic it stands for."""

    name: str  # the drawing in feedback/_picture.html
    label: Promise
    topic_slug: str


# A handful of the reference topics (feedback.seed), each for children in care and care
# leavers alike, in the words a young child uses.
PICTURES = [
    Picture("home", _("My home"), "where-i-live"),
    Picture("school", _("School"), "school"),
    Picture("family", _("Family and friends"), "family-friends"),
    Picture("body", _("My body and feelings"), "health"),
    Picture("social-worker", _("My social worker"), "social-worker"),
    Picture("other", _("Something else"), "other"),
]

KIND_FOR_MOOD = {
    Mood.VERY_UNHAPPY: Kind.WORRY,
    Mood.UNHAPPY: Kind.WORRY,
    Mood.OK: Kind.IDEA,
    Mood.HAPPY: Kind.COMPLIMENT,
    Mood.VERY_HAPPY: Kind.COMPLIMENT,
}


def words_for(*, mood: Mood, picture: Picture, sentence: str) -> str:
    """The item's words: the child's own, or what the pictures said when they wrote none."""
    if sentence.strip():
        return sentence
    # In the staff's language whatever the child reads in: these are the pictures' words,
    # not the child's, and a Welsh or Arabic line would be sent for a same-day read.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("I feel: %(mood)s. It is about: %(about)s.") % {
            "mood": mood.label,
            "about": picture.label,
        }


class PicturePostcardForm(forms.Form):
    feeling = forms.TypedChoiceField(
        label=_("How do you feel?"),
        choices=Mood.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a face to show how you feel."),
            "invalid_choice": _("Choose a face to show how you feel."),
        },
    )
    about = forms.ChoiceField(
        label=_("What is it about?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a picture to show what it is about."),
            "invalid_choice": _("Choose a picture to show what it is about."),
        },
    )
    sentence = WordsField(
        label=_("Do you want to say more? (you can skip this)"),
        help_text=_("A few words are enough. You can use any language and emoji."),
        max_length=SENTENCE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        error_messages={
            "max_length": _(
                "That is too long. Use %(limit_value)s characters or fewer. "
                "You used %(show_value)s."
            ),
        },
    )
    # Made with the page, so a double tap on Send makes one postcard (submission_key).
    submission_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Something went wrong. Press Send my postcard again."),
            "invalid": _("Something went wrong. Press Send my postcard again."),
        },
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        profile = self.user.young_person if self.user else None
        self.audience = profile.audience if profile else Audience.IN_CARE
        # Only pictures whose topic is active and for this child: one query for them all.
        topics = Topic.objects.active().for_audience(self.audience)
        self.topics = {t.slug: t for t in topics.filter(slug__in=[p.topic_slug for p in PICTURES])}
        self.pictures = [p for p in PICTURES if p.topic_slug in self.topics]
        about = cast(forms.ChoiceField, self.fields["about"])
        about.choices = [(p.name, p.label) for p in self.pictures]

    @property
    def identity(self) -> str:
        return Identity.CONFIDENTIAL if self.user else Identity.ANONYMOUS

    def faces(self) -> list[tuple[int, str, bool]]:
        """Each face's mood, label and whether it is chosen, for the page to draw."""
        chosen = str(self["feeling"].value() or "")
        return [(mood.value, str(mood.label), str(mood.value) == chosen) for mood in Mood]

    def picture_choices(self) -> list[tuple[Picture, bool]]:
        chosen = str(self["about"].value() or "")
        return [(picture, picture.name == chosen) for picture in self.pictures]

    def item_fields(self) -> submission.Answers:
        """The answers as submit_item takes them, as the normal form gives them."""
        data = self.cleaned_data
        mood = Mood(data["feeling"])
        picture = next(p for p in self.pictures if p.name == data["about"])
        return submission.Answers(
            kind=KIND_FOR_MOOD[mood],
            topic=self.topics[picture.topic_slug],
            words=words_for(mood=mood, picture=picture, sentence=data["sentence"]),
            identity=self.identity,
            audience=self.audience,
            mood=mood.value,
            consent_to_share=False,
            contact_wanted=False,
            contact_method="",
            contact_detail="",
            advocate_requested=False,
        )
