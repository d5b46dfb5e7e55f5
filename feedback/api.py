"""The REST API: the same gate as the pages (feedback.access), read-only for now."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request

from feedback import access, services
from feedback.models import Item, ItemQuerySet
from feedback.serializers import StaffItemSerializer, YoungPersonItemSerializer
from portal.permissions import passed_second_factor


class MyItems(generics.ListAPIView):
    serializer_class = YoungPersonItemSerializer

    def get_queryset(self) -> ItemQuerySet:
        if self.request.user.young_person is None:
            raise Http404
        return access.items_for_young_person(self.request.user).select_related("topic", "service")


class MyItem(generics.RetrieveAPIView):
    serializer_class = YoungPersonItemSerializer

    def get_object(self) -> Item:
        return access.item_for_young_person(self.request._request, self.kwargs["reference"])


def _staff_only(request: Request) -> None:
    if not request.user.is_service_staff or not passed_second_factor(request._request):
        raise Http404


class StaffItems(generics.ListAPIView):
    serializer_class = StaffItemSerializer

    @extend_schema(summary="Items routed to my services")
    def get(self, request: Request, *args: object, **kwargs: object):
        _staff_only(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> ItemQuerySet:
        return (
            access.items_for_staff(self.request.user)
            .select_related("topic", "service")
            .order_by("due_on", "id")
        )


class StaffItem(generics.RetrieveAPIView):
    serializer_class = StaffItemSerializer

    def get_object(self) -> Item:
        _staff_only(self.request)
        item = access.item_for_staff(self.request.user, self.kwargs["reference"])
        services.record_staff_view(item=item, by=self.request.user)
        return item
