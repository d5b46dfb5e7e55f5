"""allauth, fitted to the portal: no open sign-up, and sign-in limits nobody can turn
against someone else."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponse

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
        out. A browser that has signed in to this account before counts on its own."""
        login = credentials.get("email", credentials.get("username", "")).lower()
        if known_device_login(request) == login:
            return f"device:{login}"
        return f"{self.get_client_ip(request)}:{login}"

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        # Set on the way out by portal.middleware.known_device (there is no response here).
        request.META[REMEMBER_DEVICE_META] = user.get_username()


class MFAAdapter(DefaultMFAAdapter):
    """Second-factor secrets (TOTP keys, recovery-code seeds) are encrypted at rest,
    with a key that lives in the settings, never in the database."""

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
