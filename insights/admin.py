from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from insights.following import webhooks
from insights.models import Mail, Theme, Webhook, WebhookCall
from voc.errors import DomainError


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


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("address"), max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["name", "url", "subscription", "department", "language", "active"]

    def clean_url(self) -> str:
        try:
            return webhooks.check_url(self.cleaned_data["url"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("subscription") and not data.get("department"):
            raise forms.ValidationError(_("Choose a subscription or a department for this webhook."))
        return data


class FailedCalls(admin.TabularInline):
    model = WebhookCall
    verbose_name_plural = _("calls that failed or wait for a retry")
    fields = readonly_fields = ("event_key", "status", "attempts", "response_status", "next_attempt_at", "error")
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookCall]:
        return super().get_queryset(request).exclude(status=WebhookCall.Status.SENT)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Admins register where a subscription's alerts or a department's news are posted; the
    signing secret is made here and shown to be copied to the receiver."""

    form = WebhookForm
    list_display = ["name", "url", "department", "subscription", "active", "failed_calls"]
    list_filter = ["active", "department"]
    search_fields = ["name", "url", "department"]
    readonly_fields = ["secret", "created_at"]
    raw_id_fields = ["subscription"]
    inlines = [FailedCalls]

    @admin.display(description=_("failed calls"))
    def failed_calls(self, obj: Webhook) -> int:
        return obj.calls.filter(status=WebhookCall.Status.FAILED).count()

    def save_model(self, request: HttpRequest, obj: Webhook, form: forms.ModelForm, change: bool) -> None:
        if not obj.secret:
            obj.secret = webhooks.new_secret()
        super().save_model(request, obj, form, change)


@admin.register(WebhookCall)
class WebhookCallAdmin(admin.ModelAdmin):
    list_display = ["event_key", "webhook", "status", "attempts", "response_status", "sent_at", "error"]
    list_filter = ["status", "webhook"]
    search_fields = ["event_key"]
    readonly_fields = [f.name for f in WebhookCall._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    list_display = ["event_key", "email", "kind", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "kind"]
    search_fields = ["email", "event_key"]
    readonly_fields = [f.name for f in Mail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
