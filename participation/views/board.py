"""The public "You Said, We Did" board: no sign-in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import decorator_from_middleware

from participation.models import Action, ActionStatus, Theme
from portal.models import Service


def _number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


# Five minutes: an action or an update reaches every reader that soon, as a notice
# board changed by hand would. A reader's own copy is asked about again after that, and
# unchanged, answered 304 with no body (the ETag below).
PUBLIC_MAX_AGE = 300


def cache_for_everyone(view: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Let a CDN or a browser keep the page, only while it is the same for every reader.

    The page is one of a few: one per language (from the language cookie, else
    Accept-Language) and per filter (in the URL). So it varies by Cookie and
    Accept-Language. A reader with a session (signed in: their menu; or a visitor whose
    session holds an offline draft's owner, a tag the page carries) gets a page of their
    own, kept by nobody (private, no-store, as every other page: see
    portal.middleware.privacy_headers, which leaves a Cache-Control it finds alone).
    The ETag is a hash of the body (ConditionalGetMiddleware, for this view only), so a
    reader asking again with If-None-Match gets a 304 while nothing shown has changed.
    """

    @decorator_from_middleware(ConditionalGetMiddleware)
    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        response = view(request)
        # Only a reader who sent no cookie but the language's is shown the page everyone
        # is: a session, a flash message waiting (its cookie is cleared by the middleware
        # after this view, so response.cookies cannot tell), or a form's token would make
        # the page or its headers theirs. Many CDNs ignore Vary: Cookie; this does not
        # rely on it.
        own_cookies = set(request.COOKIES) - {settings.LANGUAGE_COOKIE_NAME}
        token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        if own_cookies or token_used or request.user.is_authenticated or response.cookies:
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return wrapped


@cache_for_everyone
def board(request: HttpRequest) -> HttpResponse:
    """Public actions: what young people said and what services did."""
    rows = Action.objects.public()
    params = request.GET
    if (theme := _number(params.get("theme", ""))) is not None:
        rows = rows.filter(themes__pk=theme)
    if (service := _number(params.get("service", ""))) is not None:
        rows = rows.filter(service_id=service)
    if params.get("status") in ActionStatus.values:
        rows = rows.filter(status=params["status"])
    rows = rows.distinct().with_updates().order_by("-updated_at")[:100]
    return render(
        request,
        "participation/board.html",
        {
            "actions": rows,
            "themes": Theme.objects.filter(actions__in=Action.objects.public()).distinct(),
            "services": Service.objects.filter(actions__in=Action.objects.public()).distinct(),
            "statuses": [(s.value, s.label) for s in ActionStatus if s != ActionStatus.PROPOSED],
            "filters": params,
        },
    )
