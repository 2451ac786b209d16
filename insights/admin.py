from django.contrib import admin

from insights.models import Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """Owners (executives' remits) are set here; names and merges go through the theme pages,
    which record every change."""

    list_display = ["name", "status", "parent"]
    list_filter = ["status"]
    search_fields = ["name"]
    fields = ["name", "status", "owners"]
    readonly_fields = ["name", "status"]
    filter_horizontal = ["owners"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
