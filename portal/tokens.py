"""Apps sign in with a token: `Authorization: Bearer yv_...`.

A token belongs to one person, expires, and can be revoked by them or by the
complaints manager (portal.api). Its second factor is its own: the sign-in that made
it, recorded on the row, never the session of whatever browser sends it.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.mfa.utils import is_mfa_enabled
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from portal import audit
from portal.adapters import signed_in_recently
from portal.models import ApiToken, AuditKind, User, hash_code
from portal.permissions import passed_second_factor

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


def may_make_one_now(request: HttpRequest, user: User) -> bool:
    """Staff (and anyone with an authenticator) confirmed their code in the last few
    minutes (allauth's reauthentication timeout): signing in this morning is not enough
    for a token that opens items for a month."""
    return not needs_second_factor(user) or signed_in_recently(request, method="mfa")


def tokens_for(request: HttpRequest, user: User) -> QuerySet[ApiToken]:
    """A person's own tokens; everyone's for the complaints manager (after the second
    factor), who revokes a lost phone's or a leaver's. The API and the page both ask this."""
    if user.is_complaints_manager and passed_second_factor(request):
        return ApiToken.objects.select_related("user")
    return ApiToken.objects.filter(user=user).select_related("user")


def make_token(
    request: HttpRequest, *, user: User, name: str, days: int | None
) -> tuple[ApiToken, str]:
    """A new token for `user` (the caller checked may_make_one_now) and its value, shown
    once; on the audit record by which token and whose, never its name (their own words)."""
    token, raw = ApiToken.issue(
        user=user,
        name=name,
        with_second_factor=needs_second_factor(user),
        lifetime=timedelta(days=days) if days else None,
    )
    audit.record(
        AuditKind.CONFIGURATION,
        request=request,
        detail=f"API token {token.pk} made, for {days or ApiToken.LIFETIME.days} days",
    )
    return token, raw


def revoke_token(request: HttpRequest, token: ApiToken, *, by: User) -> bool:
    """Revoke it, on the audit record; False (and nothing recorded) if it already was."""
    if not token.revoke(by=by):
        return False
    audit.record(
        AuditKind.CONFIGURATION,
        request=request,
        detail=f"API token {token.pk} of user {token.user_id} revoked",
    )
    return True


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
