"""Writing the audit log: one function every part calls, and the framework's own
sign-in signals (the only hook allauth and Django give for them)."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.http import HttpRequest

from portal.models import AuditEntry, AuditKind, User
from portal.permissions import passed_council_second_factor
from portal.proxy import client_ip


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    item_reference: str = "",
    detail: str = "",
) -> AuditEntry:
    """Append one entry. `detail` is ours (a route's id, an export's name), never free text."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    known = user if isinstance(user, User) and user.pk else None
    return AuditEntry.objects.create(
        kind=kind,
        # By id only (AuditEntry says why); the log shows staff names as it is read.
        user_id=known.pk if known else None,
        address=client_ip(request)[:45] if request is not None else "",
        item_reference=_printable(item_reference)[:12],
        detail=_printable(detail)[:200],
    )


def _printable(text: str) -> str:
    """A path or name as it can be stored and read: PostgreSQL refuses NUL in text, and a
    404 for `/staff/items/%00/` must still be on record."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _signed_in(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    detail = ""
    if kwargs.get("sociallogin") is not None:  # the council's account (portal/oidc.py)
        detail = "council account"
        if passed_council_second_factor(request):
            detail += ", council's second factor"
    record(AuditKind.SIGN_IN, request=request, user=user, detail=detail)


def _signed_out(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    record(AuditKind.SIGN_OUT, request=request, user=user)


def _sign_in_failed(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    login = str(credentials.get("username") or credentials.get("email") or "")
    # Whose account was tried is kept only when it is a member of staff's: a young
    # person's, or a stranger's guess, is not.
    staff = User.objects.filter(username__iexact=login, young_person_profile__isnull=True).first()
    record(AuditKind.SIGN_IN_FAILED, request=request, user=staff)


def _mfa_added(sender: object, request: HttpRequest, authenticator: Any, **kwargs: object) -> None:
    record(AuditKind.SECOND_FACTOR_ADDED, request=request, detail=str(authenticator.type))


def _mfa_removed(
    sender: object, request: HttpRequest, authenticator: Any, **kwargs: object
) -> None:
    record(AuditKind.SECOND_FACTOR_REMOVED, request=request, detail=str(authenticator.type))


def _mfa_failed(sender: object, request: HttpRequest, user: Any = None, **kwargs: object) -> None:
    record(AuditKind.SECOND_FACTOR_FAILED, request=request, user=user)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="portal.audit.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="portal.audit.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="portal.audit.sign_in_failed")
    authenticator_added.connect(_mfa_added, dispatch_uid="portal.audit.mfa_added")
    authenticator_removed.connect(_mfa_removed, dispatch_uid="portal.audit.mfa_removed")
    authentication_failed.connect(_mfa_failed, dispatch_uid="portal.audit.mfa_failed")
