"""Staff sign in with the council's own accounts, through allauth's generic OpenID Connect
provider (a Microsoft Entra ID tenant is one: https://login.microsoftonline.com/<tenant>/v2.0).
Switched on by the OIDC_* settings; without them the button, the pages and the callback
are not there (404).

Nobody signs up this way. A council account signs in only as the member of staff it was
invited as: an active member of staff with the same email, or a pending staff invitation
for it (accepted there and then, as the invitation says). The email must be one the
council's server vouches for (`email_verified`, or OIDC_TRUST_EMAIL). A young person's
account never signs in this way, and no account is linked to another by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage as AllauthAuthenticateStage
from allauth.socialaccount import views as social_views
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal import audit
from portal.adapters import record_authentication
from portal.models import AuditKind, Invitation, User
from portal.permissions import COUNCIL_SECOND_FACTOR

# RFC 8176 authentication method references, by the kind of factor each proves (NIST SP
# 800-63B: something you know, have, are). Two kinds, or the server's own "mfa", is a
# second factor; one kind alone ("otp" alone is an emailed code in Entra ID) is not.
# "ngcmfa" is Entra ID's "mfa" for Windows Hello and passkeys.
MULTIPLE_FACTORS = frozenset({"mfa", "ngcmfa"})
FACTOR_KINDS = (
    frozenset({"pwd", "pin", "kba"}),
    frozenset({"otp", "sms", "tel", "hwk", "swk", "sc", "pop"}),
    frozenset({"fpt", "face", "iris", "retina", "vbm"}),
)


def configured() -> bool:
    """Whether the OIDC_* settings set up the council's server (portal/settings.py)."""
    return bool(settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS"))


def names_a_second_factor(amr: object) -> bool:
    """Whether an ID token's `amr` claim says a second factor was used."""
    if not isinstance(amr, list):
        return False
    methods = {str(method) for method in amr}
    if methods & MULTIPLE_FACTORS:
        return True
    return sum(bool(methods & kind) for kind in FACTOR_KINDS) >= 2


def council_second_factor(sociallogin: SocialLogin) -> bool:
    """Whether this sign-in's second factor, at the council's server, stands for ours."""
    id_token = sociallogin.account.extra_data.get("id_token") or {}
    return settings.OIDC_TRUST_MFA and names_a_second_factor(id_token.get("amr"))


def verified_email(sociallogin: SocialLogin) -> str:
    """The email the council's server vouches for, or "": from the userinfo answer when it
    gives one (as allauth reads it), else from the ID token, with that source's own
    `email_verified`."""
    data = sociallogin.account.extra_data
    userinfo, id_token = data.get("userinfo") or {}, data.get("id_token") or {}
    source = userinfo if userinfo.get("email") else id_token
    email = str(source.get("email") or "").strip()
    vouched = source.get("email_verified") in (True, "true") or settings.OIDC_TRUST_EMAIL
    return email if email and vouched else ""


def is_staff(user: User) -> bool:
    return user.is_service_staff or user.is_participation_officer or user.is_staff


def _refuse(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    """The one refusal page, whatever the reason (which the audit keeps, never an email)."""
    audit.record(AuditKind.SIGN_IN_FAILED, request=request, detail=f"council account: {reason}")
    response = render(request, "socialaccount/not_invited.html", status=403)
    return ImmediateHttpResponse(response)


def _username_for(email: str) -> str:
    base = email.lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def staff_for(email: str) -> User | None:
    """The member of staff this email was invited as: an active one with it, else one
    made now from a pending staff invitation for it. None for anyone else, and for any
    email a young person's account has."""
    people = list(User.objects.filter(email__iexact=email).select_related("young_person_profile"))
    if any(person.young_person is not None for person in people):
        return None
    staff = [person for person in people if person.is_active and is_staff(person)]
    if len(staff) == 1:
        return staff[0]
    if staff:
        return None  # two accounts with one email: which one is not ours to guess
    invitation = (
        Invitation.objects.usable()
        .filter(kind=Invitation.Kind.STAFF, email__iexact=email)
        .order_by("-created_at")
        .first()
    )
    if invitation is None:
        return None
    return invitation.accept(username=_username_for(email), password=None, email=email)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # accounts come from invitations (staff_for)

    def list_apps(
        self, request: HttpRequest, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        # The settings alone say which server staff sign in with: a row made in the admin
        # would otherwise add one. Unconfigured, the sign-in page asks the database nothing.
        if not configured():
            return []
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        return [app for app in apps if app.pk is None]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Sign in as the invited member of staff, or be refused: nothing is made or linked
        otherwise. Called after allauth looked up the council account's earlier link."""
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            raise _refuse(request, "linking refused")  # no account is linked by hand
        if sociallogin.is_existing:
            # Read afresh: allauth keeps sociallogin.user in the session between sign-in
            # steps, and cannot store what the checks would cache on it.
            user = User.objects.filter(pk=sociallogin.account.user_id).first()
            if user is None or user.young_person is not None or not user.is_active:
                raise _refuse(request, "not staff")
            if not is_staff(user):
                raise _refuse(request, "not staff")
            return
        email = verified_email(sociallogin)
        if not email:
            raise _refuse(request, "email not verified")
        with transaction.atomic():  # an invitation accepted is linked, or neither
            user = staff_for(email)
            if user is not None:
                sociallogin.connect(request, User.objects.get(pk=user.pk))  # read afresh, as above
        if user is None:
            raise _refuse(request, "not invited")


class AuthenticateStage(AllauthAuthenticateStage):
    """allauth's second-factor step at sign-in, skipped when the council's server says its
    own second factor was used and OIDC_TRUST_MFA trusts it; the session then records it,
    so the staff gate (portal.permissions.second_factor_gate) passes without our code."""

    def handle(self) -> tuple:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if isinstance(sociallogin, SocialLogin) and council_second_factor(sociallogin):
            record_authentication(
                self.request,
                self.login.user,
                COUNCIL_SECOND_FACTOR,
                provider=sociallogin.account.provider,
            )
            return None, True
        return super().handle()


def _when_configured(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# allauth's own sign-in pages for the council's server, under /accounts/ as allauth puts
# them; not its sign-up or "connected accounts" pages, which no one here may use.
urlpatterns = [
    path(
        "oidc/<str:provider_id>/login/",
        _when_configured(oidc_views.login),
        name="openid_connect_login",
    ),
    path(
        "oidc/<str:provider_id>/login/callback/",
        _when_configured(oidc_views.callback),
        name="openid_connect_callback",
    ),
    path(
        "3rdparty/login/cancelled/",
        _when_configured(social_views.login_cancelled),
        name="socialaccount_login_cancelled",
    ),
    path(
        "3rdparty/login/error/",
        _when_configured(social_views.login_error),
        name="socialaccount_login_error",
    ),
]
