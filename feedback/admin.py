from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

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
class RouteAdmin(SimpleHistoryAdmin):
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
    # Items change only through feedback.services; admin shows no words.
    list_display = ("reference", "kind", "topic", "status", "service", "due_on", "safeguarding")
    list_filter = ("status", "kind", "service", "safeguarding")
    search_fields = ("reference",)
    exclude = ("words", "contact_detail")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("item", "kind", "visibility", "created_at")
    exclude = ("body",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("key", "channel", "state", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("state", "channel")


@admin.register(StaffView)
class StaffViewAdmin(ReadOnlyAdmin):
    list_display = ("item", "user", "viewed_at")
