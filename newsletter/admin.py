from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from newsletter.models import Delivery, Fact, Issue, MonthlyPack, Subscription
from newsletter.services import EDITABLE, request_issue_pdf
from voc import audit
from voc.http import signed_in


def _editable(issue: Issue | None) -> bool:
    """Only what the intranet lets a lead edit (drafts and reviewed issues) can be edited here:
    an approved issue is what its approver read, and a sent one is what its readers got."""
    return issue is None or issue.status in EDITABLE


def _audit_change(request: HttpRequest, action: str, form: forms.ModelForm, details: dict[str, Any]) -> None:
    """Write an admin's change to the product's audit log, like every change the services make:
    which fields, from what to what (the audit log stores text redacted)."""
    if not form.changed_data:
        return
    changes = {
        name: {"before": _plain(form.initial.get(name)), "after": _plain(form.cleaned_data.get(name))}
        for name in form.changed_data
    }
    audit.record(
        actor=signed_in(request),
        action=action,
        obj=form.instance,
        ip_address=audit.client_ip(request),
        details={**details, "changes": changes},
    )


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


class FactInline(admin.TabularInline):
    model = Fact
    extra = 0
    fields = ["position", "included", "key", "number", "base", "sentence_en", "sentence_es", "sentence_gl"]
    readonly_fields = ["key", "number", "base"]

    # Facts come from the generators; here a draft's facts are reordered, dropped or reworded.
    def has_add_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)


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

    def has_change_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Issue, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            _audit_change(request, "newsletter.admin_changed", form, {})

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        for fact_form in formset.forms:
            if {"sentence_en", "sentence_es", "sentence_gl"} & set(fact_form.changed_data):
                fact_form.instance.edited = True  # as the intranet marks a lead's rewording
        super().save_formset(request, form, formset, change)
        for fact_form in formset.forms:
            if fact_form.instance.pk:
                _audit_change(request, "newsletter.fact_admin_changed", fact_form, {"issue": form.instance.pk})

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(formset.has_changed() for formset in formsets)):
            # the rendered PDF shows the old text: the next reader gets a fresh one
            Issue.objects.filter(pk=form.instance.pk).update(pdf_rendered_at=None)
            request_issue_pdf(issue=form.instance)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["issue", "pack", "email", "status", "attempts", "sent_at", "error"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Delivery._meta.fields]


admin.site.register(Subscription)
admin.site.register(MonthlyPack)
