"""Giving a person a second factor outside allauth's own pages (demo and seeded people, tests,
benchmarks), through allauth's public model and adapter as its documentation shows
(docs.allauth.org, "Upgrading from django-allauth-2fa"), not its `internal` modules."""

from __future__ import annotations

import secrets

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator

from portal.models import User


def activate_totp(user: User, secret: str) -> Authenticator:
    """The person's authenticator app, with this base32 secret; one already set up is kept."""
    authenticator, _created = Authenticator.objects.get_or_create(
        user=user,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": get_adapter().encrypt(secret)}},
    )
    return authenticator


def recovery_codes(user: User) -> list[str]:
    """The person's unused recovery codes, made (as allauth makes them: a seed of 40 random
    bytes) the first time."""
    authenticator, _created = Authenticator.objects.get_or_create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        defaults={"data": {"seed": get_adapter().encrypt(secrets.token_hex(40)), "used_mask": 0}},
    )
    return list(authenticator.wrap().get_unused_codes())
