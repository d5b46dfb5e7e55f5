"""Apps sign in with a token: `Authorization: Bearer yv_...`.

A token belongs to one person, expires, and can be revoked by them or by the
complaints manager (portal.api). Its second factor is its own: the sign-in that made
it, recorded on the row, never the session of whatever browser sends it.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.mfa.utils import is_mfa_enabled
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from portal.models import ApiToken, User, hash_code

# Recording every use would write on every request; a use within this is not recorded.
LAST_USED_STEP = timedelta(minutes=5)


def needs_second_factor(user: User) -> bool:
    """Staff of any kind, and anyone who set up an authenticator."""
    return (
        user.is_service_staff
        or user.is_participation_officer
        or user.is_staff
        or is_mfa_enabled(user)
    )


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`. Checked before the session, so a request with a
    token is the token's, whatever browser cookie comes with it. A token that is
    unknown, expired or revoked is refused (403), never treated as signed out."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        raw = raw.strip()
        token = None
        if raw.startswith(ApiToken.PREFIX) and len(raw) < 100:
            token = (
                ApiToken.objects.active()
                .select_related("user")
                .filter(key_hash=hash_code(raw))
                .first()
            )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("That token has expired or been revoked. Make a new one.")
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_STEP:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
