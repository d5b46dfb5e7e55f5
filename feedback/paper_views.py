"""Paper postcards: a worker types in one a young person wrote (or said on the phone), and
is told where it went."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from feedback import access, submission
from feedback.forms import SENDER_KNOWN, PaperSubmissionForm
from feedback.models import Channel, Item
from portal.models import Service
from portal.permissions import SignedInRequest, council_staff_required


def _duty_team_name() -> str:
    duty = Service.objects.filter(is_duty_team=True).only("name").first()
    return duty.name if duty else _("duty team")


def _page(request: SignedInRequest, form: PaperSubmissionForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "feedback/staff/paper_new.html",
        {"form": form, "submission_key": uuid.uuid4(), "known": SENDER_KNOWN},
        status=status,
    )


@council_staff_required
def paper_new(request: SignedInRequest) -> HttpResponse:
    form = PaperSubmissionForm(request.POST or None, entered_by=request.user, asks_how_it_came=True)
    if request.method != "POST" or not form.is_valid():
        return _page(request, form)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        key = uuid.uuid4()
    try:
        result = submission.submit_item(
            **form.item_fields(),
            author=form.author,
            submission_key=key,
            channel=Channel.PAPER,
            entered_by=request.user,
            received_by=form.cleaned_data["received_by"],
            written_on=form.cleaned_data["written_on"],
        )
    except submission.KeyReused as refused:  # Back, changed, saved again: say so
        form.add_error(None, str(refused))
        return _page(request, form, status=409)
    if result.tracking_code:
        # Shown once, here: the confirmation page cannot make it again.
        messages.info(
            request,
            _("Write its tracking code on the reply slip: %(code)s")
            % {"code": result.tracking_code},
        )
    return redirect("feedback:paper_done", reference=result.item.reference)


@council_staff_required
def paper_done(request: SignedInRequest, reference: str) -> HttpResponse:
    """Where the paper postcard she entered went: its service, the duty team at once for a
    child at risk, or, honestly, that it is still being routed."""
    item: Item = access.item_entered_by(request.user, reference)
    return render(
        request,
        "feedback/staff/paper_done.html",
        {"item": item, "duty_team": _duty_team_name() if item.safeguarding else ""},
    )
