"""Forms validate and normalise input; the rules themselves (names in use, dates in the past,
progress 0 to 100, done needs what was done) are participation.services', shown beside the field.

An answer the service needs (a name, what was said, what happened) is not required here:
the service refuses it, in its own words, beside the field, so each sentence has one
owner. Every other message is the form's own, in plain words (never Django's "This
field is required.").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from participation.models import ActionStatus, MeetingKind, Theme
from portal.models import Service, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TEXTAREA = forms.Textarea(attrs={"rows": 4})
SHORTER = {"max_length": _("Make this shorter: %(limit_value)d characters at most.")}
DATE = {"invalid": _("Write the date like 20/11/2026.")}
NUMBER = {"invalid": _("Write a number, like 50.")}


def choose(what: StrOrPromise) -> dict[str, StrOrPromise]:
    """A choice's messages: nothing chosen, or a choice that is not on the list."""
    return {"required": what, "invalid_choice": what, "invalid_pk_value": what}


class ThemeForm(forms.Form):
    name = forms.CharField(
        label=_("Theme name"), max_length=80, required=False, error_messages=SHORTER
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Theme.objects.none(),
        empty_label=None,
        error_messages=choose(_("Choose a theme to merge into.")),
    )

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        into = cast(forms.ModelChoiceField, self.fields["into"])
        into.queryset = Theme.objects.live().exclude(pk=theme.pk)


class TagForm(forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.agreed(),
        error_messages=choose(_("Choose a theme.")),
    )


class ExcerptForm(forms.Form):
    text = forms.CharField(
        label=_("Words the council may read"),
        help_text=_("Take out names, places, schools and dates."),
        max_length=600,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.agreed(),
        required=False,
        error_messages=choose(_("Choose a theme from the list, or none.")),
    )


class ProposeActionForm(forms.Form):
    you_said = forms.CharField(
        label=_("What young people said"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    we_will = forms.CharField(
        label=_("What you would like the service to do"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.agreed(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            **choose(_("Choose themes from the list.")),
            "invalid_list": _("Choose themes from the list."),
        },
    )


class AgreeActionForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.active(),
        error_messages=choose(_("Choose the service that will do it.")),
    )
    lead = forms.ModelChoiceField(
        label=_("Lead"),
        queryset=User.objects.filter(memberships__isnull=False, is_active=True).distinct(),
        required=False,
        error_messages=choose(_("Choose a lead from the list, or none.")),
    )
    we_will = forms.CharField(
        label=_("What the service will do"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        error_messages=DATE,
    )
    review_on = forms.DateField(
        label=_("Review date"),
        help_text=_("Leave empty for six months from today."),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        error_messages=DATE,
    )
    progress = forms.IntegerField(label=_("Progress (%)"), required=False, error_messages=NUMBER)
    public = forms.BooleanField(label=_("Show on the public board"), required=False)

    def __init__(
        self, *args: Any, services: QuerySet[Service] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if services is not None:
            cast(forms.ModelChoiceField, self.fields["service"]).queryset = services


class DeclineActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not possible"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )


class ActionUpdateForm(forms.Form):
    text = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    # Empty means no change: a decision moves an action only when someone chooses to.
    status = forms.ChoiceField(
        error_messages=choose(_("Choose one of the statuses shown.")),
        label=_("Status"),
        required=False,
        choices=[
            ("", _("No change")),
            *(
                (s.value, s.label)
                for s in (
                    ActionStatus.AGREED,
                    ActionStatus.IN_PROGRESS,
                    ActionStatus.DONE,
                    ActionStatus.NOT_POSSIBLE,
                )
            ),
        ],
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        help_text=_("Leave empty for no change."),
        error_messages=NUMBER,
    )
    we_did = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    reason = forms.CharField(
        label=_("Why it is not possible"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    step_back_reason = forms.CharField(
        label=_("Why it goes back"),
        help_text=_("Only if you choose an earlier status or less progress."),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    review_on = forms.DateField(
        label=_("New review date"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        error_messages=DATE,
    )


class LinkItemsForm(forms.Form):
    references = forms.CharField(
        label=_("Item references"),
        help_text=_("One or more, like ABC-123, separated by spaces."),
        max_length=400,
        error_messages={"required": _("Write one or more item references."), **SHORTER},
    )

    def clean_references(self) -> list[str]:
        return sorted(
            {
                part.strip().upper()
                for part in self.cleaned_data["references"].replace(",", " ").split()
            }
        )


class ItemStartActionForm(forms.Form):
    you_said = forms.CharField(
        label=_("What young people said, without names"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )


class ItemActionForm(forms.Form):
    action = forms.IntegerField(
        label=_("Action number"),
        min_value=1,
        error_messages={
            "required": _("Choose an action."),
            "invalid": _("Choose an action."),
            "min_value": _("Choose an action."),
        },
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MeetingKind.choices,
        error_messages=choose(_("Choose what kind of meeting it is.")),
    )
    title = forms.CharField(
        label=_("Title"), max_length=120, required=False, error_messages=SHORTER
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput({"type": "date"}),
        error_messages={"required": _("Give the date of the meeting."), **DATE},
    )
    attendees = forms.CharField(
        label=_("Who is coming, by role"),
        help_text=_(
            'Roles only, like "4 council members, Head of Leaving Care". No names of young people.'
        ),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    period_months = forms.TypedChoiceField(
        label=_("Months of figures (board pack)"),
        choices=[(3, "3"), (6, "6"), (12, "12"), (24, "24")],
        coerce=int,
        initial=12,
        error_messages=choose(_("Choose how many months of figures.")),
    )
    invitees = forms.ModelMultipleChoiceField(
        label=_("Staff invited"),
        help_text=_(
            "Only they, the council and the participation officer can open the meeting's page."
        ),
        # Staff: every active account that is not a young person's.
        queryset=User.objects.filter(young_person_profile__isnull=True, is_active=True).order_by(
            "username"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(
        label=_("Agenda item"), max_length=200, required=False, error_messages=SHORTER
    )


class MinutesForm(forms.Form):
    attendees = forms.CharField(
        label=_("Who came, by role"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=10000,
        widget=forms.Textarea({"rows": 8}),
        required=False,
        error_messages=SHORTER,
    )

    def __init__(self, *args: Any, happened: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not happened:
            # Nobody has come to a meeting that has not happened yet.
            del self.fields["attendees"]


class TakeoverQuestionForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Service.objects.active(),
        error_messages=choose(_("Choose the team they asked.")),
    )
    question = forms.CharField(
        label=_("Question asked"),
        max_length=1000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
    finding = forms.CharField(
        label=_("What they found"),
        max_length=2000,
        widget=TEXTAREA,
        required=False,
        error_messages=SHORTER,
    )
