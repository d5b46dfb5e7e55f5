"""The young person's pages: send a postcard or complaint, follow it, reply, say if it is sorted."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import access, browser, clocks, codes, services, submission
from feedback.forms import NextStageForm, ReplyForm, SortedForm, SubmissionForm, TrackForm
from feedback.models import Item, JustSent, Kind, Notification
from feedback.picture_postcard import PicturePostcardForm
from portal.limits import address_over
from portal.models import User
from portal.owner import start_owner
from portal.permissions import SignedInRequest, young_person_required
from portal.refusals import Refused


def _acting(request: HttpRequest) -> User | None:
    """The signed-in person, or nobody: a visitor without an account."""
    return request.user if isinstance(request.user, User) else None


def submit(request: HttpRequest, kind: str | None = None) -> HttpResponse:
    """One short page, then check your answers, then send.

    The answers travel in the form itself, not the session, so nothing of the
    young person's words is stored until they press send.
    """
    access.require(access.can_send_online(request.user))
    # The offline draft starts on this form: a visitor's session gets an owner to tie it
    # to, which every page then carries (portal.context_processors).
    start_owner(request)
    user = _acting(request)
    step = request.POST.get("step", "")
    initial = {"kind": kind} if kind in Kind.values else {}
    if request.method != "POST" or step == "change":
        data = request.POST if step == "change" else None
        form = SubmissionForm(user=user, initial=dict(data.items()) if data else initial)
        return render(request, "feedback/submit.html", {"form": form, "kind": kind})

    form = SubmissionForm(request.POST, user=user)
    if not form.is_valid():
        return render(request, "feedback/submit.html", {"form": form, "kind": kind}, status=400)
    if step != "send":
        return _answers_page(request, form, "feedback/check.html")
    try:
        submission_key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return render(request, "feedback/submit.html", {"form": form, "kind": kind}, status=400)
    # Every send counts against the limits, a replayed form too; none is ever discarded.
    held = access.sent_while_flooding(request)
    try:
        result = submission.submit_item(
            **form.item_fields(), author=user, submission_key=submission_key, held=held
        )
    except submission.KeyReused:
        # Back, new words, send again: ask, with a new key, rather than drop the new words.
        return _answers_page(request, form, "feedback/send_again.html", status=409)
    return _confirmation(request, result, submission_key)


def _confirmation(
    request: HttpRequest, result: submission.Submitted, submission_key: uuid.UUID
) -> HttpResponse:
    """To the page that says it was sent, which only this browser may open."""
    response = redirect("feedback:sent", reference=result.item.reference)
    # The tracking code is derived from the form's key, which only this browser holds
    # (in a short-lived cookie): a replayed form shows the confirmation without it.
    code_key = str(submission_key) if result.created and result.tracking_code else ""
    browser.remember_sent(request, response, result.item.reference, code_key)
    return response


def picture_postcard(request: HttpRequest) -> HttpResponse:
    """The picture postcard for younger children (feedback.picture_postcard): faces and
    pictures, a few words if they like, and Send; no check page, since there is little to
    check. Whoever may send the normal postcard may send this one."""
    access.require(access.can_send_online(request.user))
    user = _acting(request)
    if request.method != "POST":
        return _picture_page(request, PicturePostcardForm(user=user))
    form = PicturePostcardForm(request.POST, user=user)
    if not form.is_valid():
        return _picture_page(request, form, status=400)
    submission_key = form.cleaned_data["submission_key"]
    held = access.sent_while_flooding(request)
    try:
        result = submission.submit_item(
            **form.item_fields(), author=user, submission_key=submission_key, held=held
        )
    except submission.KeyReused as reused:
        # Back, another face, Send again: keep every answer, say so, and offer a new key.
        again = PicturePostcardForm(
            {**request.POST.dict(), "submission_key": str(uuid.uuid4())}, user=user
        )
        again.is_valid()
        again.add_error(None, str(reused))
        return _picture_page(request, again, status=409)
    return _confirmation(request, result, submission_key)


def _picture_page(
    request: HttpRequest, form: PicturePostcardForm, status: int = 200
) -> HttpResponse:
    return render(request, "feedback/picture_postcard.html", {"form": form}, status=status)


def _answers_page(
    request: HttpRequest, form: SubmissionForm, template: str, status: int = 200
) -> HttpResponse:
    """A page that shows the answers and sends them on, under a new key, in hidden fields."""
    context = {"form": form, "data": form.cleaned_data, "submission_key": uuid.uuid4()}
    return render(request, template, context, status=status)


def sent(request: HttpRequest, reference: str) -> HttpResponse:
    just_sent = browser.just_sent(request)
    if reference not in just_sent:
        raise Http404
    item = JustSent.find(reference)
    if item is None:  # withdrawn and erased since, or never saved
        raise Http404
    tracking_code = ""
    if just_sent[reference] and item.is_anonymous:
        try:
            tracking_code = codes.tracking_code_for(uuid.UUID(just_sent[reference]))
        except ValueError:
            tracking_code = ""
    response = render(request, "feedback/sent.html", {"item": item, "tracking_code": tracking_code})
    if tracking_code:  # shown once: the cookie keeps only that this page may be seen
        browser.remember_sent(request, response, reference, "")
    return response


@young_person_required
def my_items(request: SignedInRequest) -> HttpResponse:
    items = access.items_for_young_person(request.user).select_related("topic", "service")
    return render(request, "feedback/my_items.html", {"items": items})


def _item_page(
    request: HttpRequest, item: Item, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "item": item,
        "events": list(item.events.for_young_person().order_by("created_at", "id")),
        "reply_form": reply_form or ReplyForm(),
    }
    return render(request, "feedback/item.html", context, status=status)


def item_detail(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_young_person(request, reference)
    if (user := _acting(request)) is not None:
        Notification.objects.filter(
            recipient=user,
            item=item,
            read_at__isnull=True,
            channel=Notification.Channel.PORTAL,
        ).update(read_at=timezone.now())
    return _item_page(request, item)


# --- The young person's actions: gate, form, service, back to the item ---------------


def _done(request: HttpRequest, item: Item, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("feedback:item", reference=item.reference)


def _refused(request: HttpRequest, item: Item, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("feedback:item", reference=item.reference)


@require_POST
def item_reply(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_young_person(request, reference)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, reply_form=form, status=400)
    data = form.cleaned_data
    try:
        services.young_person_reply(
            item=item, by=_acting(request), text=data["text"], key=data["key"]
        )
    except Refused as refused:
        return _refused(request, item, str(refused))
    return _done(request, item, _("Your reply was sent."))


@require_POST
def item_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_young_person(request, reference)
    try:
        services.withdraw(item=item, by=_acting(request))
    except Refused as refused:
        return _refused(request, item, str(refused))
    return _done(request, item, _("You withdrew it. Nobody will work on it now."))


@require_POST
def item_stop_sharing(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_young_person(request, reference)
    try:
        services.stop_sharing(item=item, by=_acting(request))
    except Refused as refused:
        return _refused(request, item, str(refused))
    return _done(request, item, _("Your words are not shared now. The council cannot read them."))


@require_POST
def item_sorted(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_young_person(request, reference)
    form = SortedForm(request.POST)
    if not form.is_valid():
        return _refused(request, item, str(form.errors["answer"][0]))
    sorted_ = form.cleaned_data["answer"]
    try:
        services.answer_sorted(item=item, by=_acting(request), sorted_=sorted_)
    except Refused as refused:
        return _refused(request, item, str(refused))
    if sorted_:
        return _done(request, item, _("Thank you. It is now closed."))
    return _done(request, item, _("Thank you for telling us. The team will look at it again."))


@require_POST
def item_next_stage(request: HttpRequest, reference: str) -> HttpResponse:
    item = access.item_for_young_person(request, reference)
    form = NextStageForm(request.POST)
    # A stage the page never showed is the service's to refuse, like a stale one.
    from_stage = form.cleaned_data["from_stage"] if form.is_valid() else None
    try:
        services.request_next_stage(item=item, by=_acting(request), from_stage=from_stage)
    except Refused as refused:
        return _refused(request, item, str(refused))
    return _done(request, item, _("Your complaint has gone to the next stage."))


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if address_over(request, codes.TRACKING_LIMIT, settings.TRACKING_RATE):
            form.is_valid()
            form.add_error(None, _("Too many tries. Wait ten minutes, then try again."))
            status = 429
        elif form.is_valid():
            item = access.item_for_tracking(
                form.cleaned_data["reference"], form.cleaned_data["code"]
            )
            if item is not None:
                response = redirect("feedback:item", reference=item.reference)
                browser.remember_tracked(request, response, item)
                return response
            form.add_error(
                None,
                _(
                    "We could not find a postcard with that reference and code. Check both and try again."
                ),
            )
            status = 404
        else:
            status = 400
    return render(request, "feedback/track.html", {"form": form}, status=status)


@young_person_required
def notifications(request: SignedInRequest) -> HttpResponse:
    rows = list(
        Notification.objects.filter(
            recipient=request.user, channel=Notification.Channel.PORTAL
        ).select_related("item")[:50]
    )
    Notification.objects.unread_in_portal(request.user).update(read_at=timezone.now())
    return render(request, "feedback/notifications.html", {"notifications": rows})


# --- How complaints work: for everyone, signed in or not --------------------------


def complaints_info(request: HttpRequest) -> HttpResponse:
    """The statutory procedure in plain words, as the council must publicise it."""
    return render(request, "feedback/complaints_info.html", _procedure_context())


def complaints_leaflet(request: HttpRequest) -> HttpResponse:
    """The same on one printable page, for homes and offices."""
    return render(request, "feedback/complaints_leaflet.html", _procedure_context())


def postcard_print(request: HttpRequest) -> HttpResponse:
    """A printable postcard with a QR code to the portal, for paper distribution."""
    return render(
        request,
        "feedback/postcard_print.html",
        {
            "qr_svg": qr_code_svg(
                settings.SITE_URL + "/", label=_("QR code: scan it to open Your Voice")
            ),
            "site_url": settings.SITE_URL,
        },
    )


def _procedure_context() -> dict[str, object]:
    stages = clocks.STAGES
    return {
        "stage1": stages[1],
        "stage2": stages[2],
        "stage3": stages[3],
        "duty_team_phone": settings.DUTY_TEAM_PHONE,
        "site_url": settings.SITE_URL,
    }


def qr_code_svg(url: str, *, label: str) -> SafeString:
    """The QR code as an SVG element (one path, no style attribute: the CSP forbids
    those), named for screen readers. Drawn here from the code's matrix, so the only
    text in it that is not ours is the label, which is escaped."""
    # Imported here: qrcode brings Pillow's drawing modules (5 MB in every web worker)
    # for two printable pages.
    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    squares = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return format_html(
        '<svg role="img" aria-label="{}" class="qr" width="{}mm" height="{}mm" viewBox="0 0 {} {}"'
        ' xmlns="http://www.w3.org/2000/svg"><path d="{}"/></svg>',
        label,
        size,
        size,
        size,
        size,
        squares,
    )


def privacy(request: HttpRequest) -> HttpResponse:
    """What is kept, why, who sees it and for how long, in plain words."""
    return render(request, "feedback/privacy.html", {"retention_days": settings.RETENTION_DAYS})
