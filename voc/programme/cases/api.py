"""/api/v1/cases/: an executive's own cases, a buddy's supported cases; head office none.
Read-only; the customer's contact details never appear here (the case page shows them, audited)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission

from voc.http import signed_in
from voc.models import ComplaintCase
from voc.programme.cases import services as cases


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class MonthField(serializers.DateField):
    """A case's month as ``YYYY-MM`` (the schema says so; a plain DateField would claim a date)."""


class CaseSerializer(serializers.ModelSerializer):
    month = MonthField(format="%Y-%m")
    executive = serializers.CharField(source="executive.username")
    buddy = serializers.CharField(source="buddy.username", allow_null=True, default=None)
    complaint = serializers.CharField(source="note.text")
    site = serializers.CharField(source="note.site.name")
    customer = serializers.SerializerMethodField(help_text="Masked: first letter of the name only.")

    class Meta:
        model = ComplaintCase
        fields = [
            "id",
            "month",
            "executive",
            "buddy",
            "status",
            "complaint",
            "site",
            "customer",
            "matched_remit",
            "assigned_at",
            "acknowledge_by",
            "acknowledged_at",
            "contacted_at",
            "closed_at",
            "root_cause",
            "outcome",
            "action_taken",
            "learned",
            "handback_reason",
        ]

    def get_customer(self, case: ComplaintCase) -> str | None:
        contact = getattr(case.note, "contact", None)
        return f"{contact.name[:1]}••••" if contact is not None else None


class WorksOnCases(BasePermission):
    def has_permission(self, request, view) -> bool:
        return cases.works_on_cases(request.user)


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    permission_classes = [WorksOnCases]

    def get_queryset(self) -> QuerySet[ComplaintCase]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is drawn without a person
            return ComplaintCase.objects.none()
        return cases.visible_cases(signed_in(self.request)).order_by("-month", "id")
