from typing import Any

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.models import AuditEntry, AuditKind, Invitation, Membership, Service, User, YoungPerson


class AuditedAdmin(admin.ModelAdmin):
    """Configuration changes made here go into the audit log (routes keep their own
    history too)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            AuditKind.CONFIGURATION,
            request=request,
            detail=f"{'changed' if change else 'added'} {obj._meta.model_name} {obj.pk}",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        detail = f"deleted {obj._meta.model_name} {obj.pk}"
        super().delete_model(request, obj)
        audit.record(AuditKind.CONFIGURATION, request=request, detail=detail)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit.record(
                AuditKind.CONFIGURATION,
                request=request,
                detail=f"changed {formset.model._meta.model_name}s of {form.instance._meta.model_name} {form.instance.pk}",
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class YoungPersonInline(admin.StackedInline):
    model = YoungPerson
    extra = 0
    # How they like to be contacted stays in the portal, not in admin.
    fields = ("audience", "year_of_birth", "council_member")


# Second-factor secrets are nobody's to read or edit: a person resets their own,
# and an authenticator is removed by deactivating the account.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(User)
class PortalUserAdmin(AuditedAdmin, UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Portal",
            {"fields": ("display_name", "is_complaints_manager", "is_participation_officer")},
        ),
    )
    list_display = ("username", "display_name", "email", "is_complaints_manager", "is_active")
    inlines = [YoungPersonInline, MembershipInline]


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ("name", "slug", "active", "is_duty_team", "is_triage", "provides_advocacy")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "created_by", "created_at", "expires_at", "used_at")
    readonly_fields = ("used_at", "used_by", "created_by")
    # Codes are shown once, on the staff invitation page; admin never sees them.

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the log is append-only (in PostgreSQL the table refuses rewrites)."""

    list_display = ("created_at", "kind", "who", "user_id", "item_reference", "address")
    list_filter = ("kind",)
    search_fields = ("item_reference",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return AuditEntry.objects.named()

    @admin.display(description=_("who"))
    def who(self, entry: Any) -> str:
        return entry.who or ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The council's sign-in server is configured by the OIDC_* settings alone (portal/oidc.py
# ignores SocialApp rows), and no tokens are kept: only the links between council accounts
# and staff (SocialAccount) are shown, for removing a wrong one.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
