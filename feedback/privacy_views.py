"""The complaints manager's data-protection pages: what is held about a young person
(page and JSON), and erasure on request."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from feedback import access, privacy, subject_access
from feedback.models import SubjectAccessRelease
from portal import audit
from portal.models import AuditKind, Service, User
from portal.permissions import SignedInRequest, staff_required


class PersonForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Young person's username"), max_length=150)


class LinkedServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Services that work with them"),
        help_text=gettext_lazy(
            "Only their staff may enter paper postcards in this young person's name."
        ),
        queryset=Service.objects.active().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (for example: their request of 3 March, reference DP-123)"),
        max_length=150,
        widget=forms.TextInput,
        error_messages={"required": gettext_lazy("Give the reason for the erasure.")},
    )


def _person(request: SignedInRequest, username: str) -> User:
    access.require(access.can_read_audit(request.user))
    person = privacy.young_person_for_staff(username)
    if person is None:
        raise Http404
    return person


@staff_required
def people(request: SignedInRequest) -> HttpResponse:
    access.require(access.can_read_audit(request.user))
    form = PersonForm(request.GET or None)
    if form.is_valid():
        person = privacy.young_person_for_staff(form.cleaned_data["username"])
        if person is not None:
            return redirect("feedback:person_data", username=person.username)
        form.add_error("username", _("There is no young person with that username."))
    return render(request, "feedback/staff/people.html", {"form": form})


@staff_required
def person_data(request: SignedInRequest, username: str) -> HttpResponse:
    """What is held, in words, with each part that may be withheld before it is released."""
    person = _person(request, username)
    answer = subject_access.readable_answer(person, read_by=request.user)
    audit.record(AuditKind.EXPORT, request=request, detail=f"subject access page #{person.pk}")
    return render(
        request,
        "feedback/staff/person_data.html",
        {
            "person": person,
            "answer": answer,
            "groups": _candidate_groups(answer["candidates"]),
            "services_form": _services_form(person),
            "releases": SubjectAccessRelease.objects.filter(person=person).select_related(
                "released_by"
            ),
        },
    )


def _candidate_groups(candidates: list[subject_access.Candidate]) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "label": label,
            "candidates": [c for c in candidates if c.kind == kind],
        }
        for kind, label in subject_access.WITHHELD_KINDS.items()
    ]


@staff_required
@require_POST
def person_release(request: SignedInRequest, username: str) -> HttpResponse:
    """Release the answer with the parts ticked withheld, on record; then show it."""
    person = _person(request, username)
    offered = subject_access.readable_answer(person, read_by=request.user)["candidates"]
    released = subject_access.release(
        person=person, by=request.user, withheld=request.POST.getlist("withhold"), offered=offered
    )
    return redirect("feedback:person_released", username=person.username, release=released.pk)


@staff_required
def person_released(request: SignedInRequest, username: str, release: int) -> HttpResponse:
    """The released answer, as the young person is sent it: printable, parts withheld."""
    person = _person(request, username)
    released = (
        SubjectAccessRelease.objects.filter(person=person, pk=release)
        .select_related("released_by")
        .first()
    )
    if released is None:
        raise Http404
    now = subject_access.readable_answer(person, read_by=request.user)["candidates"]
    answer = subject_access.readable_answer(
        person, read_by=request.user, withheld=subject_access.withheld_now(released, now)
    )
    audit.record(
        AuditKind.EXPORT,
        request=request,
        detail=f"subject access release {released.pk} read #{person.pk}",
    )
    return render(
        request,
        "feedback/staff/person_released.html",
        {
            "person": person,
            "answer": answer,
            "released": released,
            "released_on": subject_access.in_words(released.released_at),
            "counts": [
                (label, released.counts.get(kind, 0))
                for kind, label in subject_access.WITHHELD_KINDS.items()
            ],
        },
    )


def _services_form(person: User, data: QueryDict | None = None) -> LinkedServicesForm:
    profile = person.young_person
    linked = list(profile.services.values_list("pk", flat=True)) if profile else []
    return LinkedServicesForm(data, initial={"services": linked})


@staff_required
@require_POST
def person_services(request: SignedInRequest, username: str) -> HttpResponse:
    """The complaints manager says which services work with a young person."""
    person = _person(request, username)
    form = _services_form(person, request.POST)
    profile = person.young_person
    if form.is_valid() and profile is not None:
        chosen = form.cleaned_data["services"]
        profile.services.set(chosen)
        audit.record(
            AuditKind.CONFIGURATION,
            request=request,
            detail=f"services of young person #{person.pk}: " + ",".join(str(s.pk) for s in chosen),
        )
        messages.success(request, _("Saved the services that work with them."))
    return redirect("feedback:person_data", username=person.username)


@staff_required
def person_data_json(request: SignedInRequest, username: str) -> HttpResponse:
    person = _person(request, username)
    audit.record(AuditKind.EXPORT, request=request, detail=f"subject access JSON #{person.pk}")
    return HttpResponse(
        json.dumps(
            privacy.subject_access(person, read_by=request.user), indent=2, ensure_ascii=False
        ),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="subject-access-{person.pk}.json"'},
    )


@staff_required
def person_erase(request: SignedInRequest, username: str) -> HttpResponse:
    """Erasure asks first, saying what will happen; then erases, and says so once."""
    person = _person(request, username)
    form = ErasureForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                count = privacy.erase(
                    person=person, by=request.user, reason=form.cleaned_data["reason"]
                )
            except privacy.ErasureRefused as refused:
                form.add_error("reason", str(refused))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Erased. %(count)s item keeps only its figures.",
                        "Erased. %(count)s items keep only their figures.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("feedback:people")
    return render(
        request,
        "feedback/staff/person_erase.html",
        {"person": person, "plan": privacy.erasure_plan(person), "erasure_form": form},
        status=status,
    )
