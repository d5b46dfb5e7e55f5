from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit
from kombu import Connection

from portal.forms import AcceptInvitationForm, InvitationCodeForm
from portal.models import (
    Audience,
    Invitation,
    Membership,
    Service,
    User,
    YoungPerson,
    hash_code,
    normalise_code,
)
from portal.permissions import staff_required

INVITATION_SESSION_KEY = "invitation_id"
# A page that gives nothing away about what the young person was looking at.
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if user.is_service_staff:
            return redirect("feedback:queue")
        if user.is_council_member:
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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    state = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        state["database"] = f"down: {type(exc).__name__}"
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
    healthy = all(value == "ok" for value in state.values())
    return JsonResponse(state, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "portal/expired.html", status=403)


def _find_invitation(hashed: str, field: str) -> tuple[Invitation | None, str]:
    invitation = Invitation.objects.filter(**{field: hashed}).first()
    if invitation is None:
        return None, _("We could not find that code. Check it and try again, or ask for a new one.")
    if invitation.used_at is not None or invitation.expires_at <= timezone.now():
        return None, _("This invitation has already been used or has run out. Ask for a new one.")
    return invitation, ""


@ratelimit(key="ip", rate="10/10m", method="POST", block=False)
def invitation_code(request: HttpRequest) -> HttpResponse:
    form = InvitationCodeForm(request.POST or None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.is_valid()
            form.add_error(None, _("Too many tries. Wait ten minutes, then try again."))
        elif form.is_valid():
            invitation, error = _find_invitation(
                hash_code(normalise_code(form.cleaned_data["code"])), "code_hash"
            )
            if invitation:
                request.session[INVITATION_SESSION_KEY] = invitation.pk
                return redirect("invitation_accept")
            form.add_error("code", error)
    return render(request, "portal/invitation_code.html", {"form": form})


@ratelimit(key="ip", rate="20/10m", block=False)
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        messages.error(request, _("Too many tries. Wait ten minutes, then try again."))
        return redirect("invitation_code")
    invitation, error = _find_invitation(hash_code(token), "token_hash")
    if invitation is None:
        messages.error(request, error)
        return redirect("invitation_code")
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    return redirect("invitation_accept")


def invitation_accept(request: HttpRequest) -> HttpResponse:
    invitation = (
        Invitation.objects.usable().filter(pk=request.session.get(INVITATION_SESSION_KEY)).first()
    )
    if invitation is None:
        messages.error(request, _("Enter your invitation code to make your account."))
        return redirect("invitation_code")
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Claim it: a second tab or a replayed form finds it used.
            if (
                not Invitation.objects.usable()
                .filter(pk=invitation.pk)
                .update(used_at=timezone.now())
            ):
                messages.error(request, _("This invitation has already been used."))
                return redirect("invitation_code")
            user = User.objects.create_user(
                username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
            if invitation.kind == Invitation.Kind.STAFF:
                if invitation.service_id:
                    Membership.objects.create(
                        user=user,
                        service_id=invitation.service_id,
                        role=invitation.role or Membership.Role.CASEWORKER,
                    )
            else:
                YoungPerson.objects.create(
                    user=user,
                    audience=invitation.audience or Audience.IN_CARE,
                    year_of_birth=invitation.year_of_birth,
                    council_member=invitation.council_member,
                )
            Invitation.objects.filter(pk=invitation.pk).update(used_by=user)
        request.session.pop(INVITATION_SESSION_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. You are signed in."))
        return redirect("home")
    return render(request, "portal/invitation_accept.html", {"form": form})


class NewInvitationForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Invite"), choices=Invitation.Kind.choices)
    audience = forms.ChoiceField(
        label=gettext_lazy("In care or care leaver"),
        choices=[("", "—"), *Audience.choices],
        required=False,
    )
    year_of_birth = forms.IntegerField(
        label=gettext_lazy("Year of birth"), min_value=1995, max_value=2025, required=False
    )
    council_member = forms.BooleanField(
        label=gettext_lazy("Sits on the Children in Care Council"), required=False
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service (staff only)"),
        queryset=Service.objects.active(),
        required=False,
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role (staff only)"),
        choices=[("", "—"), *Membership.Role.choices],
        required=False,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == Invitation.Kind.YOUNG_PERSON and not cleaned.get("audience"):
            self.add_error(
                "audience", gettext_lazy("Say whether they are in care or a care leaver.")
            )
        if cleaned.get("kind") == Invitation.Kind.STAFF and not cleaned.get("service"):
            self.add_error("service", gettext_lazy("Choose the service they work in."))
        return cleaned


@staff_required
def invitation_new(request: HttpRequest) -> HttpResponse:
    form = NewInvitationForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request.user
        if data["kind"] == Invitation.Kind.STAFF and not (
            user.is_complaints_manager or data["service"].pk in user.managed_service_ids
        ):
            form.add_error("service", _("Only that service's manager can invite its staff."))
        elif data["council_member"] and not user.is_complaints_manager:
            # Council members see everyone's themes: the complaints manager decides who.
            form.add_error(
                "council_member", _("Only the complaints manager can invite council members.")
            )
        else:
            invitation, token, code = Invitation.issue(
                created_by=user,
                kind=data["kind"],
                audience=data["audience"] or "",
                year_of_birth=data["year_of_birth"],
                council_member=data["council_member"],
                service=data["service"] if data["kind"] == Invitation.Kind.STAFF else None,
                role=data["role"] if data["kind"] == Invitation.Kind.STAFF else "",
            )
            issued = {
                "link": request.build_absolute_uri(f"/invite/{token}/"),
                "code": code,
                "expires_at": invitation.expires_at,
            }
    return render(request, "portal/invitation_new.html", {"form": form, "issued": issued})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
