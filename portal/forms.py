from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from portal import oidc
from portal.models import Audience, Invitation, Membership, Service, User, normalise_reference
from portal.permissions import (
    can_invite_council_members,
    can_invite_staff_to,
    can_link_young_person_to,
)
from portal.phones import normalise_uk_mobile


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your invitation code"),
        help_text=_("It has 8 letters and numbers. Someone from the council gave it to you."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


USERNAME_REFUSED = _("That username cannot be used. Try another one.")


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(
        label=_("Choose a username"),
        help_text=_("You will use this to sign in. Letters, numbers and . _ - only."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    @classmethod
    def saying(cls, message: str) -> "AcceptInvitationForm":
        """An empty form with only this message: the answers typed are not checked, so
        the page tells nothing about them (whether a username is taken, say)."""
        form = cls()
        form.cleaned_data = {}
        form.add_error(None, message)
        return form

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            # Says no more than "not this one": whether someone has it is nobody's business.
            raise forms.ValidationError(USERNAME_REFUSED)
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are different. Type them again."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(username=cleaned.get("username", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class NewInvitationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Invite"), choices=Invitation.Kind.choices)
    audience = forms.ChoiceField(
        label=_("In care or care leaver"), choices=[("", "—"), *Audience.choices], required=False
    )
    year_of_birth = forms.IntegerField(
        label=_("Year of birth"), min_value=1995, max_value=2025, required=False
    )
    council_member = forms.BooleanField(
        label=_("Sits on the Children in Care Council"), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        help_text=_(
            "Staff: the service they will work in. A young person: the service that works "
            "with them, so its staff can enter their paper postcards (leave empty if none)."
        ),
        queryset=Service.objects.active(),
        required=False,
    )
    role = forms.ChoiceField(
        label=_("Role (staff only)"), choices=[("", "—"), *Membership.Role.choices], required=False
    )

    email = forms.EmailField(
        label=_("Council email (staff only)"),
        help_text=_("They can then sign in with their council account, without the code."),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not oidc.configured():  # staff sign in only with the portal's own accounts
            del self.fields["email"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind, service = cleaned.get("kind"), cleaned.get("service")
        if kind == Invitation.Kind.YOUNG_PERSON and not cleaned.get("audience"):
            self.add_error("audience", _("Say whether they are in care or a care leaver."))
        if (
            kind == Invitation.Kind.YOUNG_PERSON
            and service
            and not can_link_young_person_to(self.user, service)
        ):
            self.add_error("service", _("Choose a service you work in."))
        if kind == Invitation.Kind.STAFF:
            if not service:
                self.add_error("service", _("Choose the service they work in."))
            elif not can_invite_staff_to(self.user, service):
                self.add_error("service", _("Only that service's manager can invite its staff."))
        if cleaned.get("council_member") and not can_invite_council_members(self.user):
            self.add_error(
                "council_member", _("Only the complaints manager can invite council members.")
            )
        return cleaned

    def invitation_fields(self) -> dict[str, object]:
        """The answers as Invitation.issue takes them; the role is for staff only."""
        data = self.cleaned_data
        staff = data["kind"] == Invitation.Kind.STAFF
        return {
            "kind": data["kind"],
            "audience": data["audience"] or "",
            "year_of_birth": data["year_of_birth"],
            "council_member": data["council_member"],
            "service": data["service"],
            "role": data["role"] if staff else "",
            "email": data.get("email", "") if staff else "",
        }


class AuditFilterForm(forms.Form):
    """The complaints manager's filters on the audit log: person, item and dates."""

    person = forms.CharField(label=_("Username"), max_length=150, required=False)
    item = forms.CharField(label=_("Item reference"), max_length=12, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_item(self) -> str:
        return normalise_reference(self.cleaned_data.get("item") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must be on or after the start date."))
        return cleaned


class StaffSettingsForm(forms.ModelForm):
    """A member of staff's own alert settings: their mobile and the daily digest."""

    class Meta:
        model = User
        fields = ["phone", "daily_digest"]
        help_texts = {
            "phone": _(
                "A UK mobile. On the duty team, we text you when a child may be at risk. "
                "Leave it empty for no texts."
            ),
        }
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def clean_phone(self) -> str:
        typed = self.cleaned_data["phone"].strip()
        if not typed:
            return ""
        try:
            return normalise_uk_mobile(typed)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a UK mobile number. It starts with 07 and has 11 numbers.")
            ) from None
