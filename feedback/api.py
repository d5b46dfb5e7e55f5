"""The REST API: the pages' gates (feedback.access), forms and services, answering in JSON.

Each endpoint is the page's view again: gate, form, service, answer. A rule about who
may do what lives in access.py, a rule about an answer in forms.py, a rule about an
item's state in services.py; this module only translates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, pagination, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from feedback import access, browser, codes, services, submission
from feedback.filters import QueueFilter
from feedback.forms import (
    AssignForm,
    NextStageForm,
    NoteForm,
    PaperSubmissionForm,
    ReasonForm,
    ReplyForm,
    RerouteForm,
    ResolveForm,
    SortedForm,
    StaffReplyForm,
    StageForm,
    StatusForm,
    SubmissionForm,
    TrackForm,
)
from feedback.models import Channel, Item, ItemQuerySet, Notification, ReadPlace, Topic
from feedback.serializers import (
    AssignRequest,
    NextStageRequest,
    NotificationSerializer,
    PaperRequest,
    ReasonRequest,
    RerouteRequest,
    ResolveRequest,
    SentSerializer,
    SortedRequest,
    StaffItemDetailSerializer,
    StaffItemSerializer,
    StaffReplyRequest,
    StageRequest,
    StatusRequest,
    SubmitRequest,
    TextRequest,
    TopicSerializer,
    TrackRequest,
    YoungPersonItemDetailSerializer,
    YoungPersonItemSerializer,
    help_now,
)
from portal.api import (
    READ,
    WRITE,
    FieldError,
    checked,
    responses,
    signed_in,
    typed_data,
    unhandled,
)
from portal.limits import address_over, parse_rate
from portal.models import User

IDEMPOTENCY_KEY = "Idempotency-Key"
# A key is 16 to 100 printable ASCII characters, with no space at either end.
KEY_PATTERN = r"[!-~][ -~]{14,98}[!-~]"
# HTTP servers trim what a header's value ends with before the portal sees it (wsgiref
# with str.strip, so these; a client cannot send whitespace at the start, RFC 9110), so
# the schema allows them there and the portal checks the key without them.
TRIMMED_AFTER = r"[\t\x0b\x0c\x1c-\x1f \x85\xa0]*"


def _acting(request: Request) -> User | None:
    return request.user if isinstance(request.user, User) else None


# --- Who may call what: the gate's answers -------------------------------------------


class _Gate(BasePermission):
    """Signed out is a 403; signed in but not `allowed`, the pages' 404."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if unhandled(request, view):
            return True
        if not request.user.is_authenticated:
            return False
        access.require(self.allowed(request))
        return True

    def allowed(self, request: Request) -> bool:
        raise NotImplementedError


class YoungPeopleOnly(_Gate):
    """Young people only."""

    def allowed(self, request: Request) -> bool:
        return access.is_young_person(request.user)


class StaffWithSecondFactor(_Gate):
    """Staff who passed the second factor. Checked before the list and the detail alike,
    so neither can be reached without it."""

    def allowed(self, request: Request) -> bool:
        return access.is_staff_with_second_factor(request._request)


class CouncilStaffWithSecondFactor(_Gate):
    """As StaffWithSecondFactor, for the council's own staff: an advocate or a partner
    organisation's worker gets the 404 (paper postcards name the council's young people)."""

    def allowed(self, request: Request) -> bool:
        return access.is_council_staff_with_second_factor(request._request)


class CanSendOnline(BasePermission):
    """Young people and visitors; staff enter paper postcards on their own endpoint (404)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if unhandled(request, view):
            return True
        access.require(access.can_send_online(request.user))
        return True


# --- Pagination ------------------------------------------------------------------------


class QueueCursor(pagination.BasePagination):
    """An opaque, signed cursor over the queue in its own order (urgent first, then the
    sort asked for). The order has expressions and empty dates a keyset cursor cannot
    follow, so the cursor holds a position; a tampered one is a 404, as DRF's is."""

    page_size = 25
    cursor_query_param = "cursor"
    salt = "feedback.api.queue"

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.request = request
        self.offset = self._offset(request.query_params.get(self.cursor_query_param))
        rows = list(queryset[self.offset : self.offset + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def _offset(self, raw: str | None) -> int:
        if not raw:
            return 0
        try:
            offset = signing.loads(raw, salt=self.salt)
        except signing.BadSignature:
            raise exceptions.NotFound(_("That page of the queue does not exist.")) from None
        if not isinstance(offset, int) or offset < 0:
            raise exceptions.NotFound(_("That page of the queue does not exist."))
        return offset

    def _link(self, offset: int | None) -> str | None:
        if offset is None:
            return None
        url = self.request.build_absolute_uri()
        if offset == 0:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(
            url, self.cursor_query_param, signing.dumps(offset, salt=self.salt)
        )

    def get_paginated_response(self, data: Any) -> Response:
        following = self.offset + self.page_size if self.has_next else None
        previous = max(self.offset - self.page_size, 0) if self.offset else None
        return Response(
            {"next": self._link(following), "previous": self._link(previous), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The cursor from the previous answer's next or previous link.",
                "schema": {"type": "string"},
            }
        ]


# --- Topics ---------------------------------------------------------------------------


@extend_schema(
    summary="Topics a postcard can be about",
    responses=responses({200: TopicSerializer(many=True)}, 404),
)
class Topics(generics.ListAPIView[Topic]):
    serializer_class = TopicSerializer
    permission_classes = [AllowAny]
    queryset = Topic.objects.active().order_by("order", "id")


# --- Young people and visitors ---------------------------------------------------------


def _submission_key(request: Request, scope: str) -> uuid.UUID:
    """The item's submission key from the Idempotency-Key header, or a fresh one.

    The key is scoped to the sender (or, without an account, kept apart from any
    account's) and only its keyed hash is stored (feedback.codes.stored_submission_key).
    """
    header = request.headers.get(IDEMPOTENCY_KEY)
    if header is None:
        return uuid.uuid4()
    # Sent but empty (or only spaces) is a client's mistake, not "no key": refused, as
    # the schema says, rather than saved without the protection the caller asked for.
    header = header.strip()
    if not re.fullmatch(KEY_PATTERN, header):
        raise FieldError(_("Use a random key of 16 to 100 characters, such as a UUID."), None)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"yourvoice:{scope}:{header}")


def _require_audience(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The page asks only visitors; the API asks everyone, so that one schema describes
    every caller (a person with an account keeps their own)."""
    if "audience" not in data:
        raise FieldError(_("Say if you are in care or a care leaver."), "audience")
    return data


def _sent(result: submission.Submitted) -> Response:
    body = {
        "item": YoungPersonItemSerializer(result.item).data,
        "tracking_code": result.tracking_code,
        "help_now": help_now() if result.item.safeguarding else None,
    }
    return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_KEY,
    # What _submission_key takes, and what HTTP may trim after it.
    {"type": "string", "pattern": f"^{KEY_PATTERN}{TRIMMED_AFTER}$"},
    OpenApiParameter.HEADER,
    description="A random key (16 to 100 characters): sent again, the first item is returned.",
)


class MyItems(generics.ListCreateAPIView[Item]):
    """A young person's own items; and sending one, signed in or not."""

    serializer_class = YoungPersonItemSerializer

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            # AllowAny first tells the schema that sending needs no sign-in at all.
            return [AllowAny(), CanSendOnline()]
        return [YoungPeopleOnly()]

    def get_queryset(self) -> ItemQuerySet:
        return access.items_for_young_person(signed_in(self.request)).select_related(
            "topic", "service"
        )

    @extend_schema(
        summary="My items", responses=responses({200: YoungPersonItemSerializer(many=True)}, *READ)
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send a postcard or complaint",
        description=(
            "The page's rules: the same answers, identity tiers and consent. Nothing sent is "
            "ever discarded: over a limit it is held for a person to check. Words that read "
            "as a child at risk go to the duty team at once and the answer says where to get "
            "help now."
        ),
        request=SubmitRequest,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: SentSerializer, 200: SentSerializer}, 400, 403, 404, 409),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _acting(request)
        form = SubmissionForm(_require_audience(typed_data(request, SubmitRequest)), user=user)
        if form.data.get("identity") not in form.identities:
            # A tier the schema lists but this caller may not use (a visitor: anonymous only).
            raise exceptions.PermissionDenied(
                _("Without an account you can only send it anonymously. Sign in to add your name.")
            )
        checked(form)
        answers = form.item_fields()
        key = _submission_key(request, f"user:{user.pk}" if user else "visitor")
        # The page's flood check: every send counts, a replay too; none is ever discarded.
        held = access.sent_while_flooding(request._request)
        result = submission.submit_item(**answers, author=user, submission_key=key, held=held)
        return _sent(result)


def _young_person_item(request: Request, reference: str) -> Response:
    item = access.item_for_young_person(request._request, reference)
    return Response(YoungPersonItemDetailSerializer(item).data)


@extend_schema(
    summary="One of my items, with its timeline",
    responses=responses({200: YoungPersonItemDetailSerializer}, 404),
)
class MyItem(APIView):
    permission_classes = [AllowAny]  # the gate: the author, or a browser that tracked it

    def get(self, request: Request, reference: str) -> Response:
        item = access.item_for_young_person(request._request, reference)
        if (user := _acting(request)) is not None:
            Notification.objects.filter(
                recipient=user, item=item, read_at__isnull=True, channel=Notification.Channel.PORTAL
            ).update(read_at=timezone.now())
        return Response(YoungPersonItemDetailSerializer(item).data)


class YoungPersonAction(APIView):
    """Gate, form, service, the item again: as the page's view."""

    permission_classes = [AllowAny]  # the gate decides, per item

    def act(self, request: Request, item: Item) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        item = access.item_for_young_person(request._request, reference)
        self.act(request, item)
        return _young_person_item(request, reference)


YP_ACTION = responses({200: YoungPersonItemDetailSerializer}, *WRITE)


@extend_schema(summary="Reply", request=TextRequest, responses=YP_ACTION)
class ItemReply(YoungPersonAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(ReplyForm(typed_data(request, TextRequest)))
        services.young_person_reply(
            item=item, by=_acting(request), text=data["text"], key=data["key"]
        )


@extend_schema(summary="Withdraw", request=None, responses=YP_ACTION)
class ItemWithdraw(YoungPersonAction):
    def act(self, request: Request, item: Item) -> None:
        services.withdraw(item=item, by=_acting(request))


@extend_schema(summary="Say whether it sorted things", request=SortedRequest, responses=YP_ACTION)
class ItemSorted(YoungPersonAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(SortedForm(typed_data(request, SortedRequest)))
        services.answer_sorted(item=item, by=_acting(request), sorted_=data["answer"])


@extend_schema(
    summary="Take a complaint to the next stage", request=NextStageRequest, responses=YP_ACTION
)
class ItemNextStage(YoungPersonAction):
    def act(self, request: Request, item: Item) -> None:
        form = NextStageForm(typed_data(request, NextStageRequest))
        # A stage never shown is the service's to refuse, like a stale one (as the page).
        from_stage = form.cleaned_data["from_stage"] if form.is_valid() else None
        services.request_next_stage(item=item, by=_acting(request), from_stage=from_stage)


@extend_schema(
    summary="Track an anonymous item with its reference and tracking code",
    description="Limited per address, as the page is (the same count).",
    request=TrackRequest,
    responses=responses({200: YoungPersonItemDetailSerializer}, 400, 403, 404),
)
class Track(APIView):
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        # The page's own count (feedback.views.track).
        if address_over(request._request, codes.TRACKING_LIMIT, settings.TRACKING_RATE):
            raise exceptions.Throttled(
                wait=parse_rate(settings.TRACKING_RATE)[1],
                detail=_("Too many tries. Wait ten minutes, then try again."),
            )
        data = checked(TrackForm(typed_data(request, TrackRequest)))
        item = access.item_for_tracking(data["reference"], data["code"])
        if item is None:
            raise exceptions.NotFound(
                _(
                    "We could not find a postcard with that reference and code. "
                    "Check both and try again."
                )
            )
        response = Response(YoungPersonItemDetailSerializer(item).data)
        browser.remember_tracked(request._request, response, item)
        return response


@extend_schema(
    summary="My updates (marked read once listed)",
    responses=responses({200: NotificationSerializer(many=True)}, *READ),
)
class MyNotifications(generics.ListAPIView[Notification]):
    serializer_class = NotificationSerializer
    permission_classes = [YoungPeopleOnly]

    def get_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.filter(
            recipient=signed_in(self.request), channel=Notification.Channel.PORTAL
        ).select_related("item")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        Notification.objects.unread_in_portal(signed_in(request)).update(read_at=timezone.now())
        return response


# --- Staff ------------------------------------------------------------------------------


@extend_schema(
    summary="The queue: items routed to my services",
    description="The queue page's filters and order (urgent first). Every row read is audited.",
    responses=responses({200: StaffItemSerializer(many=True)}, 400, *READ),
)
class Queue(generics.ListAPIView[Item]):
    serializer_class = StaffItemSerializer
    permission_classes = [StaffWithSecondFactor]
    pagination_class = QueueCursor
    # The page's filters; an unknown value the page ignores is a 400 here, saying which.
    filter_backends = [DjangoFilterBackend]
    filterset_class = QueueFilter

    def get_queryset(self) -> ItemQuerySet:
        return access.items_for_staff(signed_in(self.request), ReadPlace.API).select_related(
            "topic", "service", "assignee", "author"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert rows is not None  # noqa: S101 - the queue always pages
        # Each row's read is on record: the staff gate's queryset records what it fetches.
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def _staff_item(request: Request, reference: str) -> Response:
    user = signed_in(request)
    item = access.item_for_staff(user, reference)  # the read is on record
    return Response(StaffItemDetailSerializer(item).data)


@extend_schema(
    summary="An item with its full timeline (the read is audited)",
    responses=responses({200: StaffItemDetailSerializer}, *READ),
)
class StaffItemDetail(APIView):
    permission_classes = [StaffWithSecondFactor]

    def get(self, request: Request, reference: str) -> Response:
        return _staff_item(request, reference)


class StaffAction(APIView):
    permission_classes = [StaffWithSecondFactor]
    # Changing an item is for its own service's staff (an advocate gets the 404).
    gate = staticmethod(access.item_to_work_on)

    def act(self, request: Request, item: Item) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        item = self.gate(signed_in(request), reference)
        self.act(request, item)
        if not access.items_for_staff(signed_in(request)).filter(pk=item.pk).exists():
            return Response(status=status.HTTP_204_NO_CONTENT)  # moved out of their reach
        return _staff_item(request, reference)


STAFF_ACTION = responses({200: StaffItemDetailSerializer}, *WRITE)


@extend_schema(summary="Acknowledge", request=None, responses=STAFF_ACTION)
class Acknowledge(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        services.acknowledge(item=item, by=signed_in(request))


@extend_schema(summary="Take it (assign it to me)", request=None, responses=STAFF_ACTION)
class Take(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        services.assign(item=item, by=signed_in(request), assignee=signed_in(request))


@extend_schema(summary="Assign", request=AssignRequest, responses=STAFF_ACTION)
class Assign(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(AssignForm(typed_data(request, AssignRequest), service_id=item.service_id))
        services.assign(item=item, by=signed_in(request), assignee=data["assignee"])


@extend_schema(
    summary="Reply to the young person", request=StaffReplyRequest, responses=STAFF_ACTION
)
class StaffReply(StaffAction):
    gate = staticmethod(access.item_for_staff)  # an advocate answers too

    def act(self, request: Request, item: Item) -> None:
        advocacy = access.advocacy_for(signed_in(request), item)
        form = StaffReplyForm(
            typed_data(request, StaffReplyRequest),
            status=item.status,
            advocate=bool(advocacy),
            service_id=item.service_id,
            send_saved_as_is=True,  # a program names the saved reply it means to send
        )
        data = checked(form)
        services.staff_reply(
            item=item,
            by=signed_in(request),
            text=data["text"],
            as_team=data.get("as_team", False),
            change=data.get("change", ""),
            change_description=data.get("change_description", ""),
            key=data["key"],
            advocacy=advocacy,
        )


@extend_schema(summary="Add an internal note", request=TextRequest, responses=STAFF_ACTION)
class Note(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(NoteForm(typed_data(request, TextRequest)))
        services.add_note(item=item, by=signed_in(request), text=data["text"], key=data["key"])


@extend_schema(summary="Change the status", request=StatusRequest, responses=STAFF_ACTION)
class SetStatus(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(StatusForm(typed_data(request, StatusRequest)))
        services.set_status(item=item, by=signed_in(request), status=data["status"])


@extend_schema(summary="Resolve", request=ResolveRequest, responses=STAFF_ACTION)
class Resolve(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(ResolveForm(typed_data(request, ResolveRequest)))
        services.resolve(
            item=item,
            by=signed_in(request),
            outcome=data["outcome"],
            text=data["text"],
            key=data["key"],
        )


@extend_schema(summary="Extend the stage clock", request=ReasonRequest, responses=STAFF_ACTION)
class Extend(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(ReasonForm(typed_data(request, ReasonRequest)))
        services.extend_clock(item=item, by=signed_in(request), reason=data["reason"])


@extend_schema(
    summary="Move a complaint to the next stage", request=StageRequest, responses=STAFF_ACTION
)
class Stage(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(StageForm(typed_data(request, StageRequest)))
        services.move_stage(
            item=item, by=signed_in(request), reason=data["reason"], from_stage=data["from_stage"]
        )


@extend_schema(
    summary="Move it to another service",
    description="Answers 204 when the item is no longer in the caller's services.",
    request=RerouteRequest,
    responses=responses({200: StaffItemDetailSerializer, 204: None}, *WRITE),
)
class Reroute(StaffAction):
    def act(self, request: Request, item: Item) -> None:
        data = checked(RerouteForm(typed_data(request, RerouteRequest)))
        services.reroute(
            item=item, by=signed_in(request), service=data["service"], reason=data["reason"]
        )


@extend_schema(
    summary="Enter a paper postcard",
    request=PaperRequest,
    parameters=[IDEMPOTENCY_PARAMETER],
    responses=responses({201: SentSerializer, 200: SentSerializer}, 400, 403, 404, 409),
)
class Paper(APIView):
    permission_classes = [CouncilStaffWithSecondFactor]

    def post(self, request: Request) -> Response:
        user = signed_in(request)
        data = _require_audience(typed_data(request, PaperRequest))
        form = PaperSubmissionForm(data, entered_by=user)
        checked(form, names_a_record=("young_person",))
        answers = form.item_fields()
        result = submission.submit_item(
            **answers,
            author=form.author,
            submission_key=_submission_key(request, f"paper:{user.pk}"),
            channel=Channel.PAPER,
            entered_by=user,
        )
        return _sent(result)
