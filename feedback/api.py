"""The REST API: the same gate as the pages (feedback.access), read-only for now."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from feedback import access, services
from feedback.models import Item, ItemQuerySet
from feedback.serializers import StaffItemSerializer, YoungPersonItemSerializer
from portal.models import User


def _signed_in(request: Request) -> User:
    """The user, once a permission class below has let them in (so never anonymous)."""
    return cast(User, request.user)


class YoungPeopleOnly(BasePermission):
    """Signed out is a 403; anyone signed in but not a young person gets the pages' 404."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user.is_authenticated:
            return False
        access.require(access.is_young_person(request.user))
        return True


class StaffWithSecondFactor(BasePermission):
    """Signed out is a 403; anyone else but staff who passed the second factor gets a 404.

    Checked before the list and the detail alike, so neither can be reached without it.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user.is_authenticated:
            return False
        access.require(access.is_staff_with_second_factor(request._request))
        return True


class MyItems(generics.ListAPIView):
    serializer_class = YoungPersonItemSerializer
    permission_classes = [YoungPeopleOnly]

    def get_queryset(self) -> ItemQuerySet:
        return access.items_for_young_person(_signed_in(self.request)).select_related(
            "topic", "service"
        )


class MyItem(generics.RetrieveAPIView):
    serializer_class = YoungPersonItemSerializer

    def get_object(self) -> Item:
        return access.item_for_young_person(self.request._request, self.kwargs["reference"])


@extend_schema(summary="Items routed to my services")
class StaffItems(generics.ListAPIView):
    serializer_class = StaffItemSerializer
    permission_classes = [StaffWithSecondFactor]

    def get_queryset(self) -> ItemQuerySet:
        return (
            access.items_for_staff(_signed_in(self.request))
            .select_related("topic", "service")
            .order_by("due_on", "id")
        )


class StaffItem(generics.RetrieveAPIView):
    serializer_class = StaffItemSerializer
    permission_classes = [StaffWithSecondFactor]

    def get_object(self) -> Item:
        user = _signed_in(self.request)
        item = access.item_for_staff(user, self.kwargs["reference"])
        services.record_staff_view(item=item, by=user)
        return item
