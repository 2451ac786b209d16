"""/api/v1/newsletters/: issues with their facts and PDF links (readers: sent issues only)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from rest_framework import serializers, viewsets

from newsletter.models import Fact, Issue
from newsletter.services import visible_issues
from voc.roles import Capability, HasCapability, has_capability


class FactSerializer(serializers.ModelSerializer):
    sentence = serializers.SerializerMethodField(help_text="In the language of the request.")

    class Meta:
        model = Fact
        fields = [
            "key",
            "position",
            "included",
            "sentence",
            "sentence_en",
            "sentence_es",
            "sentence_gl",
            "number",
            "base",
            "percent",
            "period_start",
            "period_end",
            "compare_start",
            "compare_end",
            "quote",
        ]

    def get_sentence(self, fact: Fact) -> str:
        return fact.sentence()


class IssueSerializer(serializers.ModelSerializer):
    week = serializers.CharField(source="label", read_only=True)
    week_end = serializers.DateField(read_only=True)
    facts = FactSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = [
            "id",
            "week",
            "week_start",
            "week_end",
            "status",
            "notes_count",
            "editor_note",
            "approved_at",
            "sent_at",
            "facts",
            "pdf_url",
        ]

    def get_pdf_url(self, issue: Issue) -> str | None:
        if not issue.pdf_rendered_at:
            return None
        return self.context["request"].build_absolute_uri(reverse("newsletter_pdf", args=[issue.pk]))


class IssueViewSet(viewsets.ReadOnlyModelViewSet):
    """Weekly issues, newest first. Readers get sent issues and their published facts; leads
    also drafts, skipped weeks and dropped facts (``included`` false)."""

    serializer_class = IssueSerializer
    permission_classes = [HasCapability.of(Capability.READ_NEWSLETTERS)]

    def get_queryset(self) -> QuerySet[Issue]:
        facts = Fact.objects.all()
        if not has_capability(self.request.user, Capability.EDIT_NEWSLETTERS):
            facts = facts.filter(included=True)
        return (
            visible_issues(self.request.user)
            .order_by("-week_start")
            .prefetch_related(Prefetch("facts", queryset=facts))
        )
