"""allauth, fitted to the portal: no open sign-up, and sign-in limits nobody can turn
against someone else."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records

# allauth has no public way to record a sign-in step the portal takes itself (a password
# chosen on an invitation, an authenticator app set up), nor to check a code against a
# secret without spending it: these two come from its internal modules, here and nowhere
# else in the apps, and the sign-in journeys' tests (tests/portal/test_signin_pages.py,
# tests/browser/test_signin.py) fail if they move or change.
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal.auth import validate_totp_code  # see record_authentication
from allauth.mfa.utils import is_mfa_enabled
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from portal.proxy import client_ip

# A device someone has signed in on before (password and, for staff, the second
# factor): a signed cookie naming the account. Failures from elsewhere never
# count against it, so a stranger cannot keep the duty worker out.
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "portal.known-device"
KNOWN_DEVICE_AGE = 60 * 60 * 24 * 90
REMEMBER_DEVICE_META = "portal.remember_device"


def known_device_login(request: HttpRequest) -> str | None:
    """The login this browser has signed in with before, if its cookie is genuine."""
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def remember_device(response: HttpResponse, username: str) -> None:
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(username.lower(), salt=KNOWN_DEVICE_SALT),
        max_age=KNOWN_DEVICE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "Your email or password is not correct. Check them and try again."
        ),
        "username_password_mismatch": _(
            "Your username or password is not correct. Check them and try again."
        ),
        "incorrect_password": _("That password is not correct. Check it and try again."),
        "enter_current_password": _("Enter your current password."),
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts. Wait a few minutes, then try again."
        ),
        "rate_limited": _("Too many tries. Wait a minute, then try again."),
        "invalid_password_reset": _(
            "This link to reset your password does not work any more. Ask for a new one."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come only from invitations (portal.views.accept_invitation).
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """No mail to an address nobody has shown is theirs: one added through allauth and
        never verified would otherwise get mail naming the account. The address the
        portal holds for the account itself (set at invitation) is theirs."""
        added = EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(
            user__email__iexact=email
        )
        if added.exists():
            return
        super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address, behind the same trusted proxies, as every other limit.
        return client_ip(request) or "unknown"

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed sign-ins are counted per (address, username), never per username alone:
        usernames are not secret, and a count on the name would let anyone lock anyone
        out; nor per address (ACCOUNT_RATE_LIMITS), which a whole children's home shares.
        A browser that has signed in to this account before counts on its own."""
        login = credentials.get("email", credentials.get("username", "")).lower()
        if known_device_login(request) == login:
            return f"device:{login}"
        return f"{self.get_client_ip(request)}:{login}"

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        # Set on the way out by portal.middleware.known_device (there is no response here).
        request.META[REMEMBER_DEVICE_META] = user.get_username()

    def get_login_stages(self) -> list[str]:
        # The second-factor step, skipped for a council sign-in whose own second factor
        # is trusted (OIDC_TRUST_MFA, portal/oidc.py); the same step for everyone else.
        return [
            "portal.oidc.AuthenticateStage" if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]  # fmt: skip

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A sign-in a few minutes old counts as confirming it is you.

        allauth counts only an explicit "confirm it is you" step, so someone who has just
        made their account, or just signed in, would be asked for their password again
        before setting up their authenticator app. Within the same time allauth allows a
        confirmation to last, the sign-in itself is as good. Once they have a second
        factor, only a recent code counts (typed at sign-in or at setup): a password
        alone never turns the authenticator off or shows new recovery codes.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        if is_mfa_enabled(self.request.user):
            return not signed_in_recently(self.request, method="mfa")
        return not signed_in_recently(self.request)

    def get_reauthentication_methods(self, user: Any) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            method["description"] = REAUTHENTICATION_WORDS.get(method["id"], method["description"])
        return methods


REAUTHENTICATION_WORDS = {
    "reauthenticate": _("Use your password instead"),
    "mfa_reauthenticate": _("Use a code from your authenticator app instead"),
}


def signed_in_recently(request: HttpRequest, *, method: str | None = None) -> bool:
    """Whether this session's last sign-in step (a password, a code; or only `method`) is
    recent enough to stand in for asking again (ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    records = [
        record
        for record in get_authentication_records(request, request.user)
        if method is None or record.get("method") == method
    ]
    if not records:
        return False
    latest = max(record.get("at", 0) for record in records)
    return time.time() - latest < account_settings.REAUTHENTICATION_TIMEOUT


def count_setup_as_second_factor(
    sender: object,
    request: HttpRequest,
    user: AbstractBaseUser,
    authenticator: Authenticator,
    **kwargs: object,
) -> None:
    """Setting up an authenticator app means typing a code it shows: the session has then
    passed the second factor, as if at sign-in, and goes on to the queue without signing
    in again. (allauth records nothing for it.)"""
    if authenticator.type != Authenticator.Type.TOTP or not hasattr(request, "session"):
        return  # recovery codes prove nothing; a request with no session has nothing to mark
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def connect() -> None:
    """Called from PortalConfig.ready, like the audit's receivers."""
    authenticator_added.connect(
        count_setup_as_second_factor, dispatch_uid="portal.adapters.setup_counts_as_second_factor"
    )


class MFAAdapter(DefaultMFAAdapter):
    """Second-factor secrets (TOTP keys, recovery-code seeds) are encrypted at rest,
    with a key that lives in the settings, never in the database. Messages in plain words."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "That code did not work. Enter the code your authenticator app shows now."
        ),
        # Not one of allauth's: it refuses a used code as incorrect (see AuthenticateForm).
        "code_used": _("That code has just been used. Wait for the next one."),
        "cannot_delete_authenticator": _("You cannot turn off your authenticator app."),
        "cannot_generate_recovery_codes": _(
            "Set up an authenticator app before you make recovery codes."
        ),
        "unverified_email": _("Confirm your email address before you set up an authenticator app."),
        "add_email_blocked": _(
            "You cannot add an email address while your authenticator app is on."
        ),
    }

    def encrypt(self, text: str) -> str:
        return secrets_box().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return secrets_box().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            # Stored before encryption began; portal migration 0003 encrypts those.
            if encrypted_text.startswith(FERNET_PREFIX):
                raise
            return encrypted_text


FERNET_PREFIX = "gAAAAA"


def secrets_box() -> Fernet:
    return Fernet(settings.MFA_ENCRYPTION_KEY)


def code_just_used(user: AbstractBaseUser, code: str) -> bool:
    """Whether a refused code is the one the user's authenticator app shows right now, so
    it was refused only because it has already been used (allauth takes each once)."""
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if totp is None or not code:
        return False
    secret = get_mfa_adapter().decrypt(totp.data["secret"])
    return validate_totp_code(secret, code)


def explain_refused_code(
    user: AbstractBaseUser, code: str, error: ValidationError
) -> ValidationError:
    """allauth refuses a used code with the same "incorrect code" as a wrong one; a person
    who typed what their app shows deserves to know to wait for the next."""
    if error.code == "incorrect_code" and code_just_used(user, code):
        return get_mfa_adapter().validation_error("code_used")
    return error


class _SaysWhenACodeWasUsed:
    """allauth's code forms, telling a used code from a wrong one (explain_refused_code)."""

    user: AbstractBaseUser
    cleaned_data: dict[str, Any]

    def clean_code(self) -> str:
        try:
            code: str = super().clean_code()  # type: ignore[misc]  # allauth's form's
        except ValidationError as error:
            raise explain_refused_code(
                self.user, self.cleaned_data.get("code", ""), error
            ) from None
        return code


class AuthenticateForm(_SaysWhenACodeWasUsed, AllauthAuthenticateForm):
    """The code at sign-in (MFA_FORMS["authenticate"])."""


class ReauthenticateForm(_SaysWhenACodeWasUsed, AllauthReauthenticateForm):
    """The code when confirming it is you (MFA_FORMS["reauthenticate"])."""


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """Setting up the app (MFA_FORMS["activate_totp"]): the key shown in groups of four,
    as the apps accept it, for someone typing it in by hand."""

    @property
    def secret_in_groups(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))
