from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from portal.models import User


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your invitation code"),
        help_text=_("It has 8 letters and numbers. Someone from the council gave it to you."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


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

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken. Try another one."))
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
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
