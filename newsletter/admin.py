from django.contrib import admin

from newsletter.models import Delivery, Fact, Issue, MonthlyPack, Subscription


class FactInline(admin.TabularInline):
    model = Fact
    extra = 0
    fields = ["position", "included", "key", "number", "base", "sentence_en", "sentence_es"]
    readonly_fields = ["key", "number", "base"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["label", "status", "notes_count", "approved_at", "sent_at", "pdf_rendered_at"]
    list_filter = ["status"]
    # The editorial flow (review, approve, send) runs through the intranet's services, which check
    # and audit each step; here the state is shown, never set by hand.
    readonly_fields = [
        "week_start",
        "status",
        "notes_count",
        "drafted_at",
        "reviewed_by",
        "reviewed_at",
        "approved_by",
        "approved_at",
        "sent_at",
        "pdf",
        "pdf_rendered_at",
        "pdf_requested_at",
    ]
    inlines = [FactInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["issue", "pack", "email", "status", "attempts", "sent_at", "error"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Delivery._meta.fields]


admin.site.register(Subscription)
admin.site.register(MonthlyPack)
