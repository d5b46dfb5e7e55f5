from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.models import Invitation, Membership, Service, User, YoungPerson


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
class PortalUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Portal", {"fields": ("display_name", "is_complaints_manager")}),
    )
    list_display = ("username", "display_name", "email", "is_complaints_manager", "is_active")
    inlines = [YoungPersonInline, MembershipInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
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
