"""Codes made from a form's secret submission key: what the database keeps of the key,
and the anonymous tracking code with its hash. Derived rather than stored, so a double
tap shows the same code again while the database holds only hashes."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings

from portal.models import CODE_ALPHABET, hash_code, normalise_code

# Guesses at a reference and tracking code, counted per address (TRACKING_RATE): the page
# (feedback.views.track) and the API (feedback.api.Track) share one count.
TRACKING_LIMIT = "track"


def stored_submission_key(submission_key: uuid.UUID) -> uuid.UUID:
    """What the database keeps of a form's key: a keyed hash, never the key itself, from
    which the tracking code is derived."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"submission:{submission_key}".encode(), hashlib.sha256
    ).digest()
    return uuid.UUID(bytes=digest[:16])


def tracking_hash(reference: str, code: str) -> str:
    return hash_code(f"{reference}:{normalise_code(code)}")


def tracking_code_for(submission_key: uuid.UUID) -> str:
    """The anonymous tracking code, derived from the form's secret key.

    Derived rather than stored, so a double tap can show the same code again
    while the database holds only its hash.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"tracking:{submission_key}".encode(), hashlib.sha256
    ).digest()
    chars = [CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:12]]
    return "-".join("".join(chars[i : i + 4]) for i in (0, 4, 8))
