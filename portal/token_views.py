"""Staff's API tokens as pages: make one (its value shown once), list them, revoke one.

The same rules as the API's (portal.tokens): a person's own tokens, everyone's for the
complaints manager; a token is made only just after confirming the authenticator code.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import ApiToken
from portal.permissions import SignedInRequest, staff_required
from portal.tokens import make_token, may_make_one_now, revoke_token, tokens_for

PAGE_SIZE = 50


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is it for?"),
        help_text=gettext_lazy("The app or system that will use it, so you know it later."),
        max_length=100,
        error_messages={"required": gettext_lazy("Say what the token is for.")},
    )
    days = forms.IntegerField(
        label=gettext_lazy("How many days should it last?"),
        help_text=gettext_lazy("From 1 to %(longest)d days.") % {"longest": ApiToken.LONGEST.days},
        min_value=1,
        max_value=ApiToken.LONGEST.days,
        initial=ApiToken.LIFETIME.days,
        error_messages={
            "required": gettext_lazy("Say how many days it should last."),
            "invalid": gettext_lazy("Give the number of days as a whole number, like 30."),
            "min_value": gettext_lazy("It lasts at least 1 day."),
            "max_value": gettext_lazy("It lasts at most %(limit_value)s days."),
        },
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].replace("\x00", "").strip()
        if not name:
            raise forms.ValidationError(_("Say what the token is for."))
        return name


def _confirm_url() -> str:
    """allauth's "confirm it's you" with the authenticator, and back here after."""
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': reverse('api_tokens')})}"


def _page(
    request: SignedInRequest,
    form: NewTokenForm,
    *,
    made: ApiToken | None = None,
    raw: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    page = Paginator(tokens_for(request, user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/tokens.html",
        {
            "form": form,
            "page": page,
            "now": timezone.now(),
            "everyone": user.is_complaints_manager,
            "confirmed": may_make_one_now(request, user),
            "confirm_url": _confirm_url(),
            "made": made,
            "raw": raw,
        },
        status=status,
    )


@staff_required
def tokens(request: SignedInRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, NewTokenForm())
    form = NewTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    if not may_make_one_now(request, request.user):
        # What they typed stays in the form; the page links to confirming the code.
        form.add_error(None, _("Confirm it is you with your authenticator app, then make it."))
        return _page(request, form, status=400)
    token, raw = make_token(
        request, user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
    )
    # Shown on this answer only (never stored, never in a redirect's address).
    return _page(request, NewTokenForm(), made=token, raw=raw)


def _token(request: SignedInRequest, token_id: int) -> ApiToken:
    token = tokens_for(request, request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token


@staff_required
def revoke(request: SignedInRequest, token_id: int) -> HttpResponse:
    """Asks first: "Revoke it?" with what happens; the POST revokes."""
    token = _token(request, token_id)
    if request.method == "POST":
        if revoke_token(request, token, by=request.user):
            messages.success(request, _("Token revoked. Apps using it are now refused."))
        return redirect("api_tokens")
    return render(request, "portal/tokens_revoke.html", {"token": token, "now": timezone.now()})
