from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from feedback import services
from feedback.models import (
    Event,
    Item,
    LocalClosure,
    Notification,
    Route,
    SavedReply,
    StaffView,
    Topic,
)
from portal.admin import AuditedAdmin


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "audience", "order", "active")
    list_editable = ("order", "active")
    prepopulated_fields = {"slug": ("name",)}


class RouteForm(forms.ModelForm):
    class Meta:
        model = Route
        fields = ["kind", "topic", "audience", "service", "order", "active"]

    def clean_service(self):
        service = self.cleaned_data["service"]
        if not service.active:
            raise forms.ValidationError(_("That service is not active. Choose an active service."))
        return service


@admin.register(Route)
class RouteAdmin(SimpleHistoryAdmin, AuditedAdmin):
    form = RouteForm
    list_display = ("order", "kind", "topic", "audience", "service", "active")
    list_editable = ("active",)
    list_filter = ("service", "active")


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "order", "active")
    list_filter = ("status", "active")


@admin.register(LocalClosure)
class LocalClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    """Admin is for configuration: an item here is its routing and clock, nothing that
    says who sent it or what they wrote. Items change only through feedback.services,
    and every look at one here is recorded as a staff view."""

    list_display = ("reference", "kind", "topic", "status", "service", "due_on", "safeguarding")
    list_filter = ("status", "kind", "service", "safeguarding")
    search_fields = ("reference",)
    # A whitelist: a field added to Item later stays out of admin until chosen here.
    fields = (
        "reference", "kind", "topic", "channel", "status", "priority", "safeguarding", "held",
        "service", "route", "routed_at", "stage", "clock", "clock_started_on", "due_on",
        "due_at", "clock_extended", "clock_state", "escalated", "outcome", "created_at",
        "closed_at", "anonymised_at",
    )  # fmt: skip

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        item = self.get_object(request, object_id)
        if item is not None and response.status_code == 200 and request.user.is_authenticated:
            services.record_staff_view(item=item, by=request.user)
        return response


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    # No body, data or actor: words, a change's description, or who sent it.
    list_display = ("item", "kind", "visibility", "created_at")
    fields = ("item", "kind", "visibility", "created_at")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    # Delivery state for the complaints manager; never an address, a recipient or a text.
    list_display = ("key", "channel", "state", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("state", "channel")
    fields = (
        "key", "channel", "template", "item", "state", "attempts", "next_attempt_at",
        "last_error", "created_at", "sent_at", "read_at",
    )  # fmt: skip


@admin.register(StaffView)
class StaffViewAdmin(ReadOnlyAdmin):
    list_display = ("item", "user", "viewed_at")
