"""Saved replies, kept by each service's manager (and by the complaints manager for every
service): a list, and a page each to add, change and delete one. A worker starts a reply
from one on an item's page, where it fills the reply box for them to read first."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from feedback import access
from feedback.forms import SavedReplyForm
from feedback.models import SavedReply
from portal import audit
from portal.models import AuditKind
from portal.permissions import SignedInRequest, staff_required


def _changed(request: SignedInRequest, what: str, reply: SavedReply | int) -> None:
    pk = reply if isinstance(reply, int) else reply.pk
    audit.record(AuditKind.CONFIGURATION, request=request, detail=f"{what} savedreply {pk}")


@staff_required
def saved_replies(request: SignedInRequest) -> HttpResponse:
    replies = access.saved_replies_managed_by(request.user).order_by(
        "service__name", "status", "order", "title"
    )
    return render(
        request,
        "feedback/staff/saved_replies.html",
        {"replies": replies, "every_service": request.user.is_complaints_manager},
    )


@staff_required
def saved_reply_new(request: SignedInRequest) -> HttpResponse:
    access.require(access.can_manage_saved_replies(request.user))
    return _saved_reply_form(request, None)


@staff_required
def saved_reply_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    return _saved_reply_form(request, access.saved_reply_for_manager(request.user, pk))


def _saved_reply_form(request: SignedInRequest, reply: SavedReply | None) -> HttpResponse:
    """Adding a saved reply (`reply` None) or changing one, the manager's own by then."""
    form = SavedReplyForm(request.POST or None, instance=reply, manager=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        _changed(request, "added" if reply is None else "changed", saved)
        if reply is None:
            done = _("Saved reply “%(title)s” added.")
        else:
            done = _("Saved reply “%(title)s” changed.")
        messages.success(request, done % {"title": saved.title})
        return redirect("feedback:saved_replies")
    return render(
        request,
        "feedback/staff/saved_reply_form.html",
        {"form": form, "reply": reply},
        status=400 if form.is_bound else 200,
    )


@staff_required
def saved_reply_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    reply = access.saved_reply_for_manager(request.user, pk)
    if request.method == "POST":
        title = reply.title
        reply.delete()
        _changed(request, "deleted", pk)
        messages.success(request, _("Saved reply “%(title)s” deleted.") % {"title": title})
        return redirect("feedback:saved_replies")
    return render(request, "feedback/staff/saved_reply_delete.html", {"reply": reply})
