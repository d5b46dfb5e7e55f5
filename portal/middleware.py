import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from portal.adapters import REMEMBER_DEVICE_META, remember_device


def privacy_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Pages are never kept by the browser or a proxy: on a shared phone, Back
    must not bring up a young person's words after they pressed Exit this page.
    (Static files are served above this, by WhiteNoise, and still cache.) And no
    page may use the camera, the microphone or where the phone is."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response

    return middleware


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def known_device(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """After a full sign-in, remember the browser for that account (see portal.adapters)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        username = request.META.get(REMEMBER_DEVICE_META)
        if username:
            remember_device(response, username)
        return response

    return middleware


STAFF_LAST_ACTIVE = "staff_last_active"
# Requests a staff page's script makes on its own (the queue's 30-second refresh, the check
# of how long the session has left) are not a person at work: they must not keep a session
# alive, or a queue left open would never be signed out. They are told "signed out" with a
# 401 rather than a redirect to the sign-in page, so the page can say so instead of quietly
# turning into the sign-in form.
BACKGROUND_REFRESH_HEADER = "HTTP_X_QUEUE_REFRESH"


def idle_seconds_left(request: HttpRequest) -> int | None:
    """Seconds until staff_idle_timeout signs this session out; None if it never does."""
    last = request.session.get(STAFF_LAST_ACTIVE)
    if not last:
        return None
    return max(0, int(settings.STAFF_IDLE_MINUTES * 60 - (time.time() - last)))


def _signed_out_marker() -> HttpResponse:
    return HttpResponse(
        _("You have been signed out."), status=401, content_type="text/plain; charset=utf-8"
    )


def staff_idle_timeout(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Staff are signed out after STAFF_IDLE_MINUTES without a request, on a plain page
    that says why: a laptop left open on a desk must not show children's words.
    Young people keep their sessions (they sign in less easily, on their own phones).
    Staff means every account that is not a young person's: a participation officer or a
    complaints manager works in no service, and reads children's words all the same."""

    def middleware(request: HttpRequest) -> HttpResponse:
        background = bool(request.META.get(BACKGROUND_REFRESH_HEADER))
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return _signed_out_marker() if background else get_response(request)
        session = request.session
        last = session.get(STAFF_LAST_ACTIVE)
        if last is None:
            # Decided once a session, so young people's pages pay no query for it.
            last = session[STAFF_LAST_ACTIVE] = time.time() if user.young_person is None else False
        if last is False:
            return get_response(request)
        now = time.time()
        if now - last > settings.STAFF_IDLE_MINUTES * 60:
            logout(request)
            if background:
                return _signed_out_marker()
            return render(
                request,
                "feedback/staff/signed_out_idle.html",
                {
                    "minutes": settings.STAFF_IDLE_MINUTES,
                    # Back to the page they were on; a form's address only takes a POST.
                    "next": request.get_full_path() if request.method == "GET" else "",
                },
            )
        # Written at most once a minute, not on every request.
        if now - last >= 60 and not background:
            session[STAFF_LAST_ACTIVE] = now
        return get_response(request)

    return middleware


def history_for_signed_in(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """simple_history's request middleware, for signed-in people only: history records
    who changed a route, and only staff can. A young person's page, or an anonymous
    postcard, has nobody to record and skips the thread-local bookkeeping."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return get_response(request)
        HistoricalRecords.context.request = request
        try:
            return get_response(request)
        finally:
            del HistoricalRecords.context.request

    return middleware


HEALTH_PATHS = ("/healthz", "/healthz/live", "/metrics")


def health_probes(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """/healthz, /healthz/live and /metrics answer whatever Host a probe or a scraper
    sends: a container's healthcheck asks by 127.0.0.1, not by the operator's domain in
    ALLOWED_HOSTS (which answered it 400). Before the other middleware; they read no
    session and carry no personal data (/metrics keeps its own gate: portal.metrics)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info in HEALTH_PATHS:
            match = resolve(request.path_info)
            return match.func(request, *match.args, **match.kwargs)
        return get_response(request)

    return middleware
