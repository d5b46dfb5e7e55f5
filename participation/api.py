"""The council's and the public's API: the pages' gates, figures and services, in JSON.

The figures are the dashboard's own (participation.figures), protected the same way:
nothing finer than the page shows ever leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from participation import access, figures, services
from participation.forms import ProposeActionForm
from participation.models import Action, ActionQuerySet, Theme
from portal import api as kit  # the API's error shape and checks, shared with feedback
from portal.models import User
from portal.permissions import passed_second_factor

# --- Shapes --------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer[Action]):
    service = serializers.CharField(source="service.name", default=None, allow_null=True)
    themes = serializers.SlugRelatedField[Theme](slug_field="name", many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Action
        fields = [
            "id",
            "you_said",
            "we_will",
            "we_did",
            "status",
            "status_label",
            "progress",
            "service",
            "themes",
            "due_on",
            "review_on",
            "updated_at",
        ]


class ProposeRequest(serializers.Serializer[dict[str, object]]):
    you_said = serializers.CharField(max_length=1000, validators=kit.SAID)
    we_will = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, validators=kit.NO_NUL
    )
    themes = serializers.ListField(
        child=serializers.IntegerField(**kit.ID), required=False, help_text="Agreed themes' ids."
    )


class RowSerializer(serializers.Serializer[figures.Row]):
    # DRF's metaclass takes declared fields out of the class; mypy sees Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    cells = serializers.SerializerMethodField(help_text="null where a count is hidden.")

    def get_cells(self, row: figures.Row) -> list[int | None]:
        return [cell.value for cell in row.cells]


class TableSerializer(serializers.Serializer[figures.Table]):
    slug = serializers.CharField()
    title = serializers.CharField()
    row_heading = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = RowSerializer(many=True)
    summary = serializers.CharField(help_text="The figures in one line of plain words.")
    note = serializers.CharField(help_text="Why the figures do not add up, when they do not.")


class FiguresSerializer(serializers.Serializer[figures.Figures]):
    period = serializers.CharField()
    audience = serializers.CharField()
    threshold = serializers.IntegerField(help_text="Counts under this are hidden.")
    total = serializers.IntegerField(source="total.value", allow_null=True)
    tables = TableSerializer(many=True)


# --- Gates ---------------------------------------------------------------------------


def _allowed(request: Request, view: APIView, allowed: Callable[[User], bool]) -> bool:
    """The pages' gate: signed out 403; not allowed the same 404; staff only after the
    second factor of this sign-in."""
    user = request.user
    if kit.unhandled(request, view):
        return True
    if not user.is_authenticated:
        return False
    if not allowed(user) or (access.is_staff(user) and not passed_second_factor(request._request)):
        raise Http404
    return True


class CouncilViewers(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return _allowed(request, view, access.is_council_viewer)


class ActionReaders(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return _allowed(
            request, view, lambda user: access.is_council_viewer(user) or access.is_staff(user)
        )


# --- Endpoints -----------------------------------------------------------------------


@extend_schema(
    summary='The public "You Said, We Did" board',
    responses=kit.responses({200: ActionSerializer(many=True)}, 404),
)
class PublicActions(generics.ListAPIView[Action]):
    serializer_class = ActionSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> ActionQuerySet:
        return Action.objects.public().with_updates().order_by("-updated_at", "id")


@extend_schema(
    summary="The council's figures, with small counts hidden (as the dashboard)",
    parameters=[
        OpenApiParameter("period", str, enum=list(figures.PERIODS)),
        OpenApiParameter("who", str, enum=list(figures.AUDIENCES)),
    ],
    responses=kit.responses({200: FiguresSerializer}, 400, *kit.READ),
)
class CouncilFigures(APIView):
    permission_classes = [CouncilViewers]

    def get(self, request: Request) -> Response:
        period = request.query_params.get("period", figures.DEFAULT_PERIOD)
        audience = request.query_params.get("who", "")
        # The page falls back to its defaults; an app is told its value is not one.
        if period not in figures.PERIODS:
            raise kit.FieldError(_("Choose one of the periods."), "period")
        if audience not in figures.AUDIENCES:
            raise kit.FieldError(_("Choose who the figures are about."), "who")
        result = figures.figures(period=period, audience=audience)
        return Response(FiguresSerializer(result).data)


class CouncilActions(generics.ListCreateAPIView[Action]):
    serializer_class = ActionSerializer

    def get_permissions(self) -> list[BasePermission]:
        return [CouncilViewers()] if self.request.method == "POST" else [ActionReaders()]

    def get_queryset(self) -> ActionQuerySet:
        return access.actions_for(kit.signed_in(self.request)).with_updates().order_by("-id")

    @extend_schema(
        summary="Actions", responses=kit.responses({200: ActionSerializer(many=True)}, *kit.READ)
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Propose an action",
        request=ProposeRequest,
        responses=kit.responses({201: ActionSerializer}, 400, 403, 404),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = kit.checked(ProposeActionForm(kit.typed_data(request, ProposeRequest)))
        action = services.propose_action(
            you_said=data["you_said"],
            we_will=data["we_will"],
            themes=data["themes"],
            by=kit.signed_in(request),
        )
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("public/actions/", PublicActions.as_view(), name="public_actions"),
    path("council/figures/", CouncilFigures.as_view(), name="council_figures"),
    path("council/actions/", CouncilActions.as_view(), name="council_actions"),
]
