from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask
from rest_framework.authtoken.models import TokenProxy

from voc import schedules
from voc.models import AuditEntry, CaseEvent, ComplaintCase, Heartbeat, JobEvent, ProductArea, Site, Team, User


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "is_active"]
    list_filter = ["country", "is_active"]
    search_fields = ["name", "city"]


@admin.register(ProductArea)
class ProductAreaAdmin(admin.ModelAdmin):
    """The list agents pick from; an area no longer offered is made inactive (its notes keep it)."""

    list_display = ["name", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: ProductArea | None = None) -> bool:
        return False  # notes point at it: make it inactive instead


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    """django-celery-beat's, with the schedule in words ("Mondays at 07:30") in the list."""

    list_display = ("name", "enabled", "when", "last_run_at")

    @admin.display(description=_("When"), ordering="crontab__hour")
    def when(self, task: PeriodicTask) -> str:
        if task.crontab is not None:
            return schedules.in_words(task.crontab)
        return str(task.interval or task.clocked or task.solar or "—")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("crontab", "interval", "clocked", "solar")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "site"]
    list_filter = ["site"]
    list_select_related = ["site"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # A department is a name on each person (head office's departments own questions and actions).
    list_display = ["username", "first_name", "last_name", "role", "site", "department", "is_active", "last_login"]
    list_filter = ["role", "site", "department", "is_active"]
    list_select_related = ["site"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Listening Post"), {"fields": ("role", "site", "team", "lead_sites", "department", "language")}),
        (_("Executive programme"), {"fields": ("rank", "remit_areas")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Listening Post"), {"fields": ("role", "site", "team", "email")}),
    )
    filter_horizontal = ["lead_sites", "remit_areas", "groups", "user_permissions"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by services, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "author", "action", "text"]
    readonly_fields = ("at", "author", "action", "text")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ComplaintCase)
class ComplaintCaseAdmin(ReadOnlyAdmin):
    """Where an escalation e-mail takes an admin: who has the case, its state and its timeline.
    The customer's contact details are not here: only the case's executive, buddy and site leads
    open them, audited, on the case page."""

    list_display = ["month", "executive", "buddy", "status", "acknowledge_by", "escalated_at"]
    list_filter = ["status", "month"]
    list_select_related = ["executive", "buddy"]
    search_fields = ["executive__username", "executive__last_name", "buddy__username"]
    date_hierarchy = "assigned_at"
    exclude = ["note"]
    readonly_fields = [f.name for f in ComplaintCase._meta.fields if f.name != "note"]
    inlines = [CaseEventInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ["created_at", "actor_name", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id", "ip_address"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


# DRF's token admin lists every person's full API key. A key is its owner's secret: people see,
# revoke and replace theirs on the API tokens page (voc/api_tokens.py), and a password change
# revokes it; an admin who must cut someone off changes or disables the account.
@admin.register(JobEvent)
class JobEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "task", "outcome", "error"]
    list_filter = ["outcome", "task"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "seen_at"]


admin.site.unregister(TokenProxy)
