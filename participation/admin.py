from django.contrib import admin

from participation.models import Action, Meeting, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "state", "topic", "merged_into")
    list_filter = ("state",)


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("pk", "service", "status", "progress", "review_on", "public")
    list_filter = ("status", "public")
    # Items carry young people's words: never listed here.
    exclude = ("items",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "date")
    list_filter = ("kind",)
