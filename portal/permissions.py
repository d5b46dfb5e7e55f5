"""Who may open which kind of page. Each failing check is a 404, never a hint."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.models import ApiToken, Service, User

View = Callable[..., HttpResponse]


class SignedInRequest(HttpRequest):
    """The request a view behind staff_required or young_person_required gets: signed in."""

    user: User


def can_invite_staff_to(user: User, service: Service) -> bool:
    """A service's managers invite its staff; the complaints manager invites anyone's."""
    return user.is_complaints_manager or service.pk in user.managed_service_ids


def can_invite_council_members(user: User) -> bool:
    # Council members see everyone's themes: the complaints manager decides who.
    return user.is_complaints_manager


def token_of(request: HttpRequest) -> ApiToken | None:
    """The token a request signed in with (DRF puts it on the request it wraps)."""
    token = getattr(request, "auth", None)
    return token if isinstance(token, ApiToken) else None


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included the second factor, not just a password.

    Having an authenticator is not enough: a session made some other way (an
    old admin sign-in, say) must not reach young people's items.
    """
    token = token_of(request)
    if token is not None:  # an app's request: its token's sign-in, never a browser's session
        return token.with_second_factor and is_mfa_enabled(token.user)
    records = get_authentication_records(request, request.user)
    return any(record.get("method") in SECOND_FACTOR_METHODS for record in records)


# A sign-in record (allauth's, kept in the session) for the council's own second factor,
# trusted by OIDC_TRUST_MFA when its server says one was used (portal/oidc.py).
COUNCIL_SECOND_FACTOR = "council_mfa"
SECOND_FACTOR_METHODS = frozenset({"mfa", COUNCIL_SECOND_FACTOR})


def passed_council_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == COUNCIL_SECOND_FACTOR for record in records)


def is_staff_with_second_factor(request: HttpRequest) -> bool:
    """Staff whose sign-in included the second factor: who may read the API's schema and
    docs, and use the API's staff endpoints (feedback.access asks the same)."""
    user = request.user
    return user.is_authenticated and user.is_service_staff and passed_second_factor(request)


def second_factor_gate(request: HttpRequest) -> HttpResponse | None:
    """The second factor, for any member of staff: an authenticator set up, and used for
    this session's sign-in. None when both hold; else where to go to put it right.

    The one gate both apps' staff checks use (staff_required here, and participation's
    page gates for staff who may have no service, such as a participation officer).
    A sign-in with the council's own second factor, where trusted, needs no app here."""
    if token_of(request) is None and passed_council_second_factor(request):
        return None
    if not is_mfa_enabled(request.user):
        messages.info(
            request,
            _(
                "Set up a second factor (an authenticator app) before you open young people's items."
            ),
        )
        return redirect("mfa_activate_totp")
    if not passed_second_factor(request):
        path = request.get_full_path()
        logout(request)
        messages.info(request, _("Sign in again, with your authenticator app."))
        return redirect_to_login(path)
    return None


def staff_required(view: View) -> View:
    """Service staff only, and only once they have set up a second factor."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_service_staff:
            raise Http404
        return second_factor_gate(request) or view(request, *args, **kwargs)

    return wrapper


def council_staff_required(view: View) -> View:
    """As staff_required, for the council's own staff only: an advocate or a partner
    organisation's worker (User.is_outside_staff) opens the items sent to them and no
    page that reaches the council's young people (invitations, paper postcards)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.is_outside_staff:
            raise Http404
        return staff_required(view)(request, *args, **kwargs)

    return wrapper


def young_person_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.young_person is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def can_link_young_person_to(user: User, service: Service) -> bool:
    """Staff say a young person works with their own service; the complaints manager,
    with any. Only that service's staff may then enter paper postcards in their name."""
    return user.is_complaints_manager or service.pk in user.service_ids
