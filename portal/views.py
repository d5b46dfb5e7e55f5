from __future__ import annotations

import re
from collections.abc import Callable

from allauth.account.views import email as allauth_email
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from kombu import Connection

from portal import audit, heartbeats
from portal.adapters import record_authentication
from portal.forms import (
    AcceptInvitationForm,
    InvitationCodeForm,
    NewInvitationForm,
    StaffSettingsForm,
)
from portal.limits import address_over
from portal.models import AuditKind, Invitation, code_hashes, normalise_code
from portal.permissions import SignedInRequest, council_staff_required, staff_required

INVITATION_SESSION_KEY = "invitation_id"
# A page that gives nothing away about what the young person was looking at.
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if user.is_service_staff:
            return redirect("feedback:queue")
        if user.is_council_member or user.is_participation_officer:
            return redirect("participation:council")
        if user.young_person is not None:
            return redirect("feedback:my_items")
    return render(request, "portal/home.html")


@require_GET
def exit_page(request: HttpRequest) -> HttpResponse:
    """Quick exit: end the session and go somewhere neutral. GET so it works from a plain link."""
    logout(request)
    response = redirect(NEUTRAL_SITE)
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


@never_cache
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Is this web process up and its database reachable: for a start-up wait, not a
    monitor (which reads /healthz)."""
    database = _database_state()
    if database != "ok":
        return JsonResponse({"database": database}, status=503)
    return JsonResponse({"web": "ok", "database": "ok"})


@never_cache
def healthz(
    request: HttpRequest,
    channels: Callable[[], dict[str, dict[str, object]]] | None = None,
    work: Callable[[], dict[str, int | None]] | None = None,
) -> JsonResponse:
    """For monitors, as JSON. The database, the broker, mail, beat's last tick, each
    queue's worker and the oldest unrouted item decide the status (503 with the reason);
    `channels` (each message channel's figures) and `work` (what waits, in seconds),
    given by the composition root, report."""
    state: dict[str, object] = {"database": _database_state(), "broker": "ok", "mail": "ok"}
    if settings.MAIL_GOES_NOWHERE:
        state["mail"] = "not configured: set EMAIL_HOST"
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=2,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as conn:
            # One quick try: a load balancer must get its answer before it gives up.
            conn.ensure_connection(max_retries=0, interval_start=0, timeout=1)
    except Exception as exc:
        state["broker"] = f"down: {type(exc).__name__}"
    if state["database"] == "ok":
        state.update(heartbeats.silences())
    body: dict[str, object] = dict(state)
    healthy = all(value == "ok" for value in state.values())
    if work is not None and state["database"] == "ok":
        waiting = work()
        body["waiting"] = waiting
        unrouted = waiting.get("oldest_unrouted_seconds")
        if unrouted is not None and unrouted > heartbeats.STALE_SECONDS:
            body["routing"] = f"an item has waited {unrouted} s to be routed"
            healthy = False
    if channels is not None:
        try:
            body["channels"] = channels()
        except Exception as exc:  # the database is down: said above
            body["channels"] = f"unknown: {type(exc).__name__}"
    return JsonResponse(body, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "portal/expired.html", status=403)


def _find_invitation(hashes: tuple[str, str], field: str) -> tuple[Invitation | None, str]:
    """By the keyed hash, or the unkeyed one an older invitation was stored with."""
    invitation = Invitation.objects.filter(**{f"{field}__in": hashes}).first()
    if invitation is None:
        return None, _("We could not find that code. Check it and try again, or ask for a new one.")
    if invitation.used_at is not None or invitation.expires_at <= timezone.now():
        return None, _("This invitation has already been used or has run out. Ask for a new one.")
    return invitation, ""


def invitation_code(request: HttpRequest) -> HttpResponse:
    form = InvitationCodeForm(request.POST or None)
    if request.method == "POST":
        if address_over(request, "invitation-code", "10/10m"):
            form.is_valid()
            form.add_error(None, _("Too many tries. Wait ten minutes, then try again."))
        elif form.is_valid():
            invitation, error = _find_invitation(
                code_hashes(normalise_code(form.cleaned_data["code"])), "code_hash"
            )
            if invitation:
                request.session[INVITATION_SESSION_KEY] = invitation.pk
                return redirect("invitation_accept")
            form.add_error("code", error)
    return render(request, "portal/invitation_code.html", {"form": form})


def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    if address_over(request, "invitation-link", "20/10m"):
        messages.error(request, _("Too many tries. Wait ten minutes, then try again."))
        return redirect("invitation_code")
    invitation, error = _find_invitation(code_hashes(token), "token_hash")
    if invitation is None:
        messages.error(request, error)
        return redirect("invitation_code")
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    return redirect("invitation_accept")


def invitation_accept(request: HttpRequest) -> HttpResponse:
    invitation_id = request.session.get(INVITATION_SESSION_KEY, 0)  # 0: no such invitation
    invitation = Invitation.objects.usable().filter(pk=invitation_id).first()
    if invitation is None:
        messages.error(request, _("Enter your invitation code to make your account."))
        return redirect("invitation_code")
    form = AcceptInvitationForm(request.POST or None)
    # Staff are told the authenticator app comes next.
    context = {"form": form, "for_staff": invitation.kind == Invitation.Kind.STAFF}
    if request.method == "POST" and address_over(request, "invitation-accept", "20/10m"):
        # Trying usernames one after another: slowed down, with nothing learned. The
        # answers are not checked at all, or "that username cannot be used" would tell.
        context["form"] = AcceptInvitationForm.saying(
            _("Too many tries. Wait ten minutes, then try again.")
        )
        return render(request, "portal/invitation_accept.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        user = invitation.accept(
            username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
        )
        if user is None:  # a second tab or a replayed form got there first
            messages.error(request, _("This invitation has already been used."))
            return redirect("invitation_code")
        request.session.pop(INVITATION_SESSION_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # Choosing the password is this session's sign-in, as allauth counts them: staff
        # then set up their authenticator app without typing the password again.
        record_authentication(request, user, "password", username=user.username)
        messages.success(request, _("Your account is ready. You are signed in."))
        return redirect("home")
    return render(request, "portal/invitation_accept.html", context)


@council_staff_required
def invitation_new(request: SignedInRequest) -> HttpResponse:
    form = NewInvitationForm(request.POST or None, user=request.user)
    issued = None
    if request.method == "POST" and form.is_valid():
        invitation, token, code = Invitation.issue(
            created_by=request.user, **form.invitation_fields()
        )
        issued = {
            "link": request.build_absolute_uri(f"/invite/{token}/"),
            "code": code,
            "expires_at": invitation.expires_at,
        }
    return render(request, "portal/invitation_new.html", {"form": form, "issued": issued})


@staff_required
def staff_settings(request: SignedInRequest) -> HttpResponse:
    form = StaffSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("staff_settings")
    return render(request, "portal/staff_settings.html", {"form": form})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Every gate answers "not allowed" as "not found": a signed-in person's 404 is
    recorded in the audit log, with the item's reference if the path names one."""
    if request.user.is_authenticated:
        reference = REFERENCE_IN_PATH.search(request.path)
        audit.record(
            AuditKind.ACCESS_DENIED,
            request=request,
            item_reference=reference.group(0) if reference else "",
            detail=request.path[:200],
        )
    return render(request, "404.html", status=404)


REFERENCE_IN_PATH = re.compile(r"(?<=/)[A-Z0-9]{3}-[A-Z0-9]{3}(?=/)")


def email_management(request: HttpRequest) -> HttpResponse:
    """allauth's email page, for staff only: a young person's contact details live in the
    portal's own profile, and nothing may send mail naming them to an address they added."""
    if request.user.is_authenticated and request.user.young_person is not None:
        return not_found(request)
    return allauth_email(request)


# Choosing a language sets one cookie and nothing else, so the form needs no CSRF token:
# with one, every page that shows the choice (the public board too) would start a session
# for every visitor (CSRF_USE_SESSIONS). The worst a forged post can do is change the
# language of someone's pages; it can read nothing and change nothing else.
set_language = csrf_exempt(i18n.set_language)
