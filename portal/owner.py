"""Whose browser this is, as a tag a page may carry: the offline draft on a shared phone
is kept for the person who wrote it and shown to nobody else (static/src/draft.js).

The tag is a keyed hash: a page never carries an account's id or anything of the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.http import HttpRequest

# A random token in a visitor's session: the session's own key changes at sign-in, and
# must never be in a page.
VISITOR_OWNER = "draft_owner"


def start_owner(request: HttpRequest) -> None:
    """Give a visitor's session an owner, where a draft may begin (the postcard form)."""
    if not request.user.is_authenticated and not request.session.get(VISITOR_OWNER):
        request.session[VISITOR_OWNER] = secrets.token_urlsafe(16)


def owner_tag(request: HttpRequest) -> str:
    """The account's tag, or the visitor's session's; "" for a visitor with no owner yet."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    elif token := getattr(request, "session", {}).get(VISITOR_OWNER):
        who = f"visitor:{token}"
    else:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"draft-owner:{who}".encode(), hashlib.sha256).hexdigest()[:32]
