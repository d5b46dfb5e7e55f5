"""Forms parse and normalise what people send. The rules about what may be done
are the services' own: a form shows a service's refusal beside the field it names."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback import access, services, submission
from feedback.models import (
    Identity,
    Item,
    Kind,
    Mood,
    Outcome,
    ReceivedBy,
    SafeguardingDecision,
    SavedReply,
    Status,
    Topic,
    active_topic,
)
from portal import channels, phones
from portal.models import Audience, ContactMethod, Service, User
from portal.refusals import Refused

# The one limit on what people write, the model's; the page's box and help text read it too.
MAX_WORDS = cast(int, Item._meta.get_field("words").max_length)

IDENTITY_HELP = {
    # One sentence each: the choice is explained where it is made, early on the form.
    Identity.NAMED: _("The team will see your name, and can talk to you about it."),
    Identity.CONFIDENTIAL: _("Only the team that deals with it will know it is you."),
    Identity.ANONYMOUS: _(
        "Nobody will know it is you, and you read our answer with a code we give you."
    ),
}


class WordsField(forms.CharField):
    """Free text whose line breaks count once, as the box counted them.

    Browsers send a line break as two characters (CRLF), so without this a
    message that fitted in the box could be refused as too long.
    """

    def to_python(self, value: object) -> str:
        return (super().to_python(value) or "").replace("\r\n", "\n")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No maxlength in the page: the browser would silently cut a long paste. The
        # character count says how far over it is, and the server refuses it plainly.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class TopicChoiceField(forms.ModelChoiceField):
    """The active topics (for `audience` only, when it is set), listed from the queryset
    and checked against the process's copy of them (feedback.models.active_topic)."""

    audience: str | None = None

    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.display_name}: {obj.display_description}"

    def to_python(self, value: Any) -> Topic | None:
        if value in self.empty_values:
            return None
        try:
            topic = active_topic(int(value))
        except (TypeError, ValueError):
            topic = None
        if topic is None or (self.audience and not topic.suits(self.audience)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return topic


def contact_choices() -> list[tuple[str, str]]:
    """The ways to get in touch the portal can keep to: text only when texts can be sent
    (portal.channels), never a promise nobody keeps."""
    return [
        (method.value, str(method.label))
        for method in ContactMethod
        if method != ContactMethod.TEXT or channels.texts_configured()
    ]


class SubmissionForm(forms.Form):
    # Online, a visitor without an account can only be anonymous, and reads the answer
    # with a tracking code: nobody can get in touch, so they are not asked.
    asks_anonymous_visitors_about_contact = False

    kind = forms.ChoiceField(
        label=_("What do you want to send?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you want to send."),
            "invalid_choice": _("Choose what you want to send."),
        },
    )
    audience = forms.ChoiceField(
        label=_("Are you in care or a care leaver?"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    identity = forms.ChoiceField(
        label=_("Who can see that it is from you?"),
        choices=Identity.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who can see that it is from you."),
            "invalid_choice": _("Choose who can see that it is from you."),
        },
    )
    topic = TopicChoiceField(
        label=_("What is it about?"),
        queryset=Topic.objects.active(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose what it is about."),
            "invalid_choice": _("Choose what it is about."),
        },
    )
    words = WordsField(
        label=_("Tell us about it"),
        help_text=_("You can use any language and emoji."),
        max_length=MAX_WORDS,
        # Off: the browser neither suggests the words to the next person nor puts them
        # back in the box when the page is shown again from history (Back after Exit).
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "dir": "auto"}),
        error_messages={
            "required": _("Tell us what happened, or what you think."),
            "max_length": _(
                "That is too long. Use %(limit_value)s characters or fewer. "
                "You used %(show_value)s."
            ),
        },
    )
    mood = forms.TypedChoiceField(
        label=_("How do you feel about it? (you can skip this)"),
        choices=[("", _("I'd rather not say")), *Mood.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_to_share = forms.BooleanField(
        label=_("You can share my words, without my name, with the Children in Care Council"),
        required=False,
    )
    contact_wanted = forms.TypedChoiceField(
        label=_("Do you want someone to get in touch with you?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
        required=False,
        empty_value=False,  # type: ignore[arg-type]  # any value will do; the stubs say str
    )
    contact_method = forms.ChoiceField(
        label=_("How should we get in touch?"),
        choices=contact_choices,
        widget=forms.RadioSelect,
        required=False,
    )
    contact_detail = forms.CharField(
        label=_("Your phone number or email"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    advocate_requested = forms.BooleanField(
        label=_("Yes, I would like an advocate"),
        help_text=_(
            "An advocate is someone who is on your side. They help you say what you want "
            "and make sure you are listened to. It is free."
        ),
        required=False,
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identities = list(Identity)
        self.user = user if user is not None and user.is_authenticated else None
        profile = self.user.young_person if self.user else None
        self.fixed_audience = profile.audience if profile else None
        if self.fixed_audience:
            del self.fields["audience"]
            self.topic_field.queryset = Topic.objects.active().for_audience(self.fixed_audience)
            self.topic_field.audience = self.fixed_audience
        else:
            self.fields["audience"].required = True
            self.fields["audience"].error_messages["required"] = _(
                "Say if you are in care or a care leaver."
            )
        if self.user is None:
            # Without an account, anonymous is the only choice: there is nobody to name.
            self.offer_identities([Identity.ANONYMOUS])
            self.identity_field.initial = Identity.ANONYMOUS
            self.contact_method_field.choices = [(ContactMethod.PORTAL, ContactMethod.PORTAL.label)]
            if not self.asks_anonymous_visitors_about_contact:
                for name in ("contact_wanted", "contact_method", "contact_detail"):
                    del self.fields[name]

    def offer_identities(self, identities: list[Identity]) -> None:
        self.identities = identities
        self.identity_field.choices = [(i.value, i.label) for i in identities]

    @property
    def topic_field(self) -> TopicChoiceField:
        return cast(TopicChoiceField, self.fields["topic"])

    @property
    def identity_field(self) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields["identity"])

    @property
    def contact_method_field(self) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields["contact_method"])

    @property
    def chosen_audience(self) -> str:
        return self.fixed_audience or self.cleaned_data.get("audience", "")

    def item_fields(self) -> submission.Answers:
        """The answers as submit_item takes them."""
        data = self.cleaned_data
        return submission.Answers(
            kind=data["kind"],
            topic=data["topic"],
            words=data["words"],
            identity=data["identity"],
            audience=self.chosen_audience,
            mood=data["mood"],
            consent_to_share=data["consent_to_share"],
            contact_wanted=data.get("contact_wanted", False),
            contact_method=data.get("contact_method", ""),
            contact_detail=data.get("contact_detail", ""),
            advocate_requested=data["advocate_requested"],
        )

    def identity_choices(self) -> list[tuple[str, str, str]]:
        return [(i.value, str(i.label), str(IDENTITY_HELP[i])) for i in self.identities]

    def clean_words(self) -> str:
        # Kept exactly as written (emoji and any language); only blank space at the ends goes.
        words = self.cleaned_data["words"]
        if not words.strip():
            raise forms.ValidationError(_("Tell us what happened, or what you think."))
        return words

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        topic = cleaned.get("topic")
        audience = self.chosen_audience
        if topic and audience and not topic.suits(audience):
            self.add_error("topic", _("That topic is not for you. Choose another one."))
        if cleaned.get("contact_wanted"):
            self._parse_contact(cleaned)
        if not self.errors:
            try:
                submission.check_answers(
                    identity=cleaned["identity"],
                    contact_wanted=cleaned.get("contact_wanted", False),
                    contact_method=cleaned.get("contact_method", ""),
                )
            except Refused as refused:
                self.add_error(refused.field, str(refused))
        return cleaned

    def _parse_contact(self, cleaned: dict[str, Any]) -> None:
        method = cleaned.get("contact_method")
        detail = cleaned["contact_detail"] = (cleaned.get("contact_detail") or "").strip()
        if not method:
            self.add_error("contact_method", _("Choose how we should get in touch."))
        elif method == ContactMethod.EMAIL:
            try:
                validate_email(detail)
            except forms.ValidationError:
                self.add_error("contact_detail", _("Enter your email, like name@example.com."))
        elif method == ContactMethod.TEXT:
            try:
                cleaned["contact_detail"] = phones.normalise_uk_mobile(detail)
            except ValueError:
                self.add_error("contact_detail", _("Enter a UK mobile number, like 07123 456789."))
        elif method == ContactMethod.PHONE:
            try:
                cleaned["contact_detail"] = phones.normalise_uk_phone(detail)
            except ValueError:
                self.add_error("contact_detail", _("Enter a UK phone number, like 07123 456789."))


SENDER_KNOWN, SENDER_UNNAMED = "young_person", "anonymous"


class PaperTopicField(TopicChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.display_name


def a_year_before(day: date) -> date:
    """The same day a year earlier (28 February for a leap day)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class PaperSubmissionForm(SubmissionForm):
    """Staff typing in a paper postcard: the questions speak to the worker, who it is from
    first, then the words, how and when it came, and the young person's own choices."""

    asks_anonymous_visitors_about_contact = True

    sender = forms.ChoiceField(
        label=_("Who is it from?"),
        choices=[
            (SENDER_KNOWN, _("A young person we work with")),
            (SENDER_UNNAMED, _("Someone who gave no name")),
        ],
        widget=forms.RadioSelect,
        # The page asks it (required there); the API says it with the identity alone.
        required=False,
        error_messages={
            "required": _("Say who it is from."),
            "invalid_choice": _("Say who it is from."),
        },
    )
    # Checked against the gate in clean (access.young_person_for_paper), not the list:
    # a name they may not choose gets the same words as one that does not exist.
    young_person = forms.CharField(
        label=_("Find them by name"),
        required=False,
        max_length=150,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    received_by = forms.ChoiceField(
        label=_("How did it reach you?"),
        choices=ReceivedBy.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say how it reached you."),
            "invalid_choice": _("Say how it reached you."),
        },
    )
    written_on = forms.DateField(
        label=_("When did they write it?"),
        help_text=_("Not known? The day it came."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date they wrote it."),
            "invalid": _("Enter the date they wrote it, like 6/12/2026."),
        },
    )

    # Shorter on a phone: selects for the topic and the mood, not long lists of radios.
    topic = PaperTopicField(
        label=_("Topic"),
        queryset=Topic.objects.active(),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        empty_label=_("Choose a topic"),
        error_messages={
            "required": _("Choose what it is about."),
            "invalid_choice": _("Choose what it is about."),
        },
    )
    mood = forms.TypedChoiceField(
        label=_("How they feel"),
        choices=[("", _("They did not say")), *Mood.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    field_order = [
        "sender",
        "young_person",
        "identity",
        "audience",
        "words",
        "received_by",
        "written_on",
        "kind",
        "advocate_requested",
        "topic",
        "mood",
        "consent_to_share",
        "contact_wanted",
        "contact_method",
        "contact_detail",
    ]

    def __init__(
        self, *args: Any, entered_by: User, asks_how_it_came: bool = False, **kwargs: Any
    ) -> None:
        """`asks_how_it_came`: the page asks how it reached the worker and when it was
        written, and needs both; the API (feedback.api.Paper) does not ask them."""
        kwargs["user"] = None
        super().__init__(*args, **kwargs)
        self.entered_by = entered_by
        if asks_how_it_came:
            self.fields["sender"].required = True
        else:
            del self.fields["received_by"], self.fields["written_on"]
        self.author: User | None = None
        self.today = timezone.localdate()
        if asks_how_it_came:
            self.fields["written_on"].initial = self.today.isoformat()  # as the input takes it
            self.fields["written_on"].widget.attrs.update(
                min=a_year_before(self.today).isoformat(), max=self.today.isoformat()
            )
        people = access.young_people_for_paper(entered_by).only(
            "username", "display_name", "first_name", "last_name"
        )
        cast(forms.Select, self.fields["young_person"].widget).choices = [
            ("", _("Choose a young person")),
            *[(p.username, f"{p.shown_name} ({p.username})") for p in people],
        ]
        # Named or confidential for a young person; anonymous is "did not give a name".
        self.offer_identities([Identity.NAMED, Identity.CONFIDENTIAL])
        self.identity_field.choices = [
            (Identity.NAMED.value, _("Named: the team may use their name")),
            (Identity.CONFIDENTIAL.value, _("Confidential: only the team that deals with it")),
        ]
        self.identity_field.label = _("Who may know it is from them?")
        self.identity_field.required = False
        self.identity_field.initial = Identity.NAMED
        self.fields["audience"].required = False
        self.fields["audience"].label = _("Are they in care or a care leaver?")
        self.contact_method_field.choices = contact_choices()
        labels = {
            "words": _("Their words, exactly as written"),
            "kind": _("What is it?"),
            "consent_to_share": _(
                "Share their words (not their name) with the Children in Care Council"
            ),
            "contact_wanted": _("Do they want us to get in touch?"),
            "contact_method": _("How should we get in touch?"),
            "contact_detail": _("Their phone number or email"),
            "advocate_requested": _("They would like an advocate"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["words"].help_text = ""
        self.fields["words"].widget.attrs["rows"] = 3
        self.fields["advocate_requested"].help_text = ""

    @property
    def chosen_sender(self) -> str:
        sender = self.cleaned_data.get("sender") or ""
        if not sender:  # sent without the question (the API's shape): the identity says
            identity = self.data.get("identity")
            sender = SENDER_UNNAMED if identity == Identity.ANONYMOUS else SENDER_KNOWN
        return sender

    @property
    def chosen_audience(self) -> str:
        if self.author is not None and self.author.young_person is not None:
            return self.author.young_person.audience
        return self.cleaned_data.get("audience", "")

    def clean_written_on(self) -> date:
        day: date = self.cleaned_data["written_on"]
        if day > self.today:
            raise forms.ValidationError(_("The date they wrote it cannot be in the future."))
        if day < a_year_before(self.today):
            raise forms.ValidationError(
                _("Enter a date in the last year. Older postcards go to the complaints team.")
            )
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        if "sender" in self.errors:
            pass
        elif not self.data.get("sender") and not self.data.get("identity"):
            self.add_error("sender", _("Say who it is from."))
        elif self.chosen_sender == SENDER_KNOWN:
            cleaned["identity"] = cleaned.get("identity") or Identity.NAMED
            if cleaned["identity"] not in (Identity.NAMED, Identity.CONFIDENTIAL):
                cleaned["identity"] = Identity.NAMED
            self.author = access.young_person_for_paper(
                self.entered_by, cleaned.get("young_person") or ""
            )
            if self.author is None:
                # The same words whether the name is unknown or not one of theirs.
                self.add_error("young_person", _("Choose a young person your service works with."))
        else:
            cleaned["identity"] = Identity.ANONYMOUS
            if not cleaned.get("audience"):
                self.add_error("audience", _("Say if they are in care or a care leaver."))
        self.errors.pop("identity", None)  # the sender question above decides it
        checked = not self.errors  # SubmissionForm.clean asks the service only then
        super().clean()
        if not checked and "contact_wanted" not in self.errors:
            # Say it now with the other errors, not after they are put right.
            try:
                submission.check_answers(
                    identity=cleaned["identity"],
                    contact_wanted=cleaned.get("contact_wanted", False),
                    contact_method=cleaned.get("contact_method", ""),
                )
            except Refused as refused:
                self.add_error(refused.field, str(refused))
        return cleaned


class OnceForm(forms.Form):
    """A form whose action must happen once however often it is sent (a double click)."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=36)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)


class ReplyForm(OnceForm):
    text = WordsField(
        label=_("Your reply"),
        max_length=MAX_WORDS,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "dir": "auto"}),
        error_messages={"required": _("Write your reply.")},
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Write your reply."))
        return text


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=20, help_text=_("Like K7M-4QP"))
    # Off: a shared phone must not offer the last person's code to the next.
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=30,
        help_text=_("Like ABCD-EFGH-JKMN"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class QueueSearchForm(forms.Form):
    """The queue's one search box: a reference, a young person's name or username, or
    words (feedback.filters.search). Django's CharField refuses a NUL with its own message."""

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        help_text=_("A reference, a young person's name or username, or words they wrote"),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"max_length": _("Search for 100 characters or fewer.")},
    )


class StaffReplyForm(ReplyForm):
    """A reply from the team. A saved reply is a start: on the page, choosing one and
    pressing Use puts it in the reply box (`filled_from_saved_reply`), where the worker
    reads and changes it; only what is in the box is sent. (The API, where a program
    names the saved reply itself, may still send one as it is: `send_saved_as_is`.)"""

    saved_reply = forms.ModelChoiceField(
        label=_("Start from a saved reply"),
        queryset=SavedReply.objects.none(),
        required=False,
        empty_label=_("Choose a saved reply"),
        help_text=_("Press Use to put it in the reply box. You can change it before you send it."),
        error_messages={"invalid_choice": _("Choose one of the saved replies.")},
    )
    as_team = forms.BooleanField(label=_("Reply as the team, not by my name"), required=False)
    change = forms.ChoiceField(
        label=_("Does this reply plan or make a change?"),
        choices=[("", _("No")), ("planned", _("Change planned")), ("made", _("Change made"))],
        required=False,
    )
    change_description = forms.CharField(
        label=_("Describe the change"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["key", "saved_reply", "text", "as_team", "change", "change_description"]

    def __init__(
        self,
        *args: Any,
        status: str = "",
        advocate: bool = False,
        service_id: int | None = None,
        send_saved_as_is: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.send_saved_as_is = send_saved_as_is
        self._status, self._advocate, self._service_id = status, advocate, service_id
        self.fields["text"].required = False
        saved_reply = cast(forms.ModelChoiceField, self.fields["saved_reply"])
        saved_reply.queryset = SavedReply.objects.offered_for(
            status=status, service_id=service_id
        ).order_by("order", "title")
        if advocate:
            # An advocate writes their own words, as the advocacy service, and plans no
            # change of the council's: the team's saved replies and change are not theirs.
            for name in ("saved_reply", "as_team", "change", "change_description"):
                del self.fields[name]

    def clean_text(self) -> str:
        return self.cleaned_data.get("text", "")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        saved = cleaned.get("saved_reply")
        if not (cleaned.get("text") or "").strip():
            if saved and self.send_saved_as_is:
                cleaned["text"] = saved.text
            elif "saved_reply" in self.fields:
                self.add_error(
                    "text", _("Write your reply, or choose a saved reply and press Use.")
                )
            else:
                self.add_error("text", _("Write your reply."))
        return cleaned

    def filled_from_saved_reply(self) -> StaffReplyForm:
        """The same form, nothing sent, with the chosen saved reply in the reply box: after
        what the worker had written, so nothing they typed is lost. Unchosen, the form
        again with the question's error."""
        field = cast(forms.ModelChoiceField, self.fields.get("saved_reply"))
        try:
            saved = field.clean(self.data.get("saved_reply")) if field else None
        except forms.ValidationError as error:
            self.add_error("saved_reply", error)
            return self
        if saved is None:
            self.add_error("saved_reply", _("Choose a saved reply, then press Use."))
            return self
        written = str(self.data.get("text", "")).replace("\r\n", "\n").rstrip()
        initial: dict[str, object] = {
            "as_team": bool(self.data.get("as_team")),
            "change": self.data.get("change", ""),
            "change_description": self.data.get("change_description", ""),
            "text": f"{written}\n\n{saved.text}" if written else saved.text,
        }
        if self.data.get("key"):  # the same key: sending it twice still sends once
            initial["key"] = self.data["key"]
        return StaffReplyForm(
            initial=initial,
            status=self._status,
            advocate=self._advocate,
            service_id=self._service_id,
        )


class NoteForm(OnceForm):
    text = WordsField(
        label=_("Internal note (staff only)"),
        max_length=MAX_WORDS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note.")},
    )


class ResolveForm(OnceForm):
    # Both may be left empty here: services.resolve says what a complaint needs.
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        # "Erased" is erasure's own outcome (feedback.privacy.erase), never chosen by staff.
        choices=[("", "—"), *[c for c in Outcome.choices if c[0] != Outcome.ERASED]],
        required=False,
    )
    text = forms.CharField(
        label=_("The answer to the young person"),
        max_length=MAX_WORDS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    # The service says what an empty answer needs, in its own words (a reason for no
    # further action); the form only offers the duty team's short list.
    decision = forms.ChoiceField(
        label=_("What was decided"),
        choices=SafeguardingDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what was decided."),
            "invalid_choice": _("Choose what was decided."),
        },
    )
    note = forms.CharField(
        label=_("Note (staff only): what was decided, by whom, and why"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    # The services that need a reason refuse an empty one, each in its own words.
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NextStageForm(forms.Form):
    # The stage the page showed: a second click finds the complaint moved on already.
    from_stage = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=3)


class StageForm(ReasonForm, NextStageForm):
    pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), *((s.value, s.label) for s in services.STAFF_STATUSES)],
        required=False,  # services.set_status asks for one
    )


class SortedForm(forms.Form):
    """The young person's answer to "Did this sort it?"."""

    answer = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )


class RerouteForm(ReasonForm):
    service = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=Service.objects.active(),
        error_messages={"required": _("Choose the service.")},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        # Only the service's members are offered; anyone else was never a choice here.
        error_messages={"invalid_choice": _("Choose someone in this item's service.")},
    )

    def __init__(self, *args: Any, service_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An item not yet routed has nobody to assign it to.
        members = User.objects.filter(memberships__service_id=service_id or 0, is_active=True)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = members.order_by(
            "username"
        )


class SavedReplyForm(forms.ModelForm):
    """A saved reply, kept by a service's manager for their service (the complaints
    manager keeps those for every service as well)."""

    class Meta:
        model = SavedReply
        fields = ["title", "text", "status", "service", "order", "active"]
        labels = {
            "title": _("Title"),
            "text": _("The reply"),
            "status": _("Offer it when the item is"),
            "service": _("For"),
            "order": _("Order in the list"),
            "active": _("Offer it to workers"),
        }
        help_texts = {
            "title": _("What workers choose it by, such as “Thank you, we have it”"),
            "text": _("Workers read and change it before they send it."),
            "order": _("Lower numbers come first"),
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, manager: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [("", _("Any status")), *Status.choices]
        service = cast(forms.ModelChoiceField, self.fields["service"])
        if manager.is_complaints_manager:
            service.queryset = Service.objects.active().order_by("name")
            service.required = False
            service.empty_label = _("Every service")
        else:
            service.queryset = Service.objects.filter(pk__in=manager.managed_service_ids).order_by(
                "name"
            )
            service.required = True
            service.empty_label = None
