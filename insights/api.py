"""/api/v1/themes/: accepted themes with their weekly counts; merge and split for leads."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from insights import figures, services
from insights.models import Theme, ThemeQuerySet
from voc.audit import client_ip
from voc.http import signed_in
from voc.roles import Capability, HasCapability


class ThemeSerializer(serializers.ModelSerializer):
    # allow_null: declared nullable in the schema, as they are null when there is none (figures
    # when the theme has no summary, e.g. a proposed or merged theme read by id).
    # The API's name for the theme above; the stubs know ``parent`` only as the enclosing serializer.
    parent: serializers.PrimaryKeyRelatedField[Theme] = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        read_only=True, allow_null=True
    )
    merged_into: serializers.PrimaryKeyRelatedField[Theme] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    notes = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    last_week = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    weekly = serializers.ListField(child=serializers.IntegerField(), read_only=True, default=None, allow_null=True)
    change = serializers.FloatField(read_only=True, default=None, allow_null=True)
    share = serializers.FloatField(read_only=True, default=None, allow_null=True)
    rising = serializers.BooleanField(read_only=True, default=False)
    # the theme's name in the reader's language; the stubs know ``label`` only as the field's caption
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="The name in the reader's language (Accept-Language or their profile)."
    )

    class Meta:
        model = Theme
        fields = [
            "id",
            "name",
            "name_es",
            "label",
            "status",
            "parent",
            "merged_into",
            "key_terms",
            "notes",
            "last_week",
            "weekly",
            "change",
            "share",
            "rising",
            "created_at",
            "updated_at",
        ]


def _with_figures(theme: Theme, summary: dict[str, Any] | None) -> dict[str, Any]:
    """The theme as the API shows it, with its figures when it has a summary (else their defaults)."""
    data = dict(ThemeSerializer(theme).data)
    if summary:
        data.update(
            notes=summary["total"],
            last_week=summary["last_week"],
            weekly=summary["series"],
            change=summary["change"],
            share=summary["share"],
            rising=summary["alert"],
        )
    return data


class MergeSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Theme.objects.all())


class SplitSerializer(serializers.Serializer):
    note_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False, max_length=10_000
    )
    name = serializers.CharField(max_length=120)


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Accepted themes (the list) and any theme by id, with mentions over the last 8 weeks."""

    serializer_class = ThemeSerializer

    def _themes(self) -> ThemeQuerySet:
        return Theme.objects.select_related("parent").order_by("name", "id")

    def get_permissions(self) -> list[BasePermission]:
        needed = Capability.CURATE_THEMES if self.action in {"merge", "split"} else Capability.VIEW_THEMES
        return [IsAuthenticated(), HasCapability.of(needed)()]

    def get_queryset(self) -> ThemeQuerySet:
        return self._themes().accepted() if self.action == "list" else self._themes()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        summaries = {s["theme"].pk: s for s in figures.theme_summaries(weeks=8)}
        data = [_with_figures(t, summaries.get(t.pk)) for t in page or []]
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        theme = self.get_object()
        summary = next((s for s in figures.theme_summaries(weeks=8) if s["theme"].pk == theme.pk), None)
        return Response(_with_figures(theme, summary))

    @extend_schema(request=MergeSerializer, responses=ThemeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Merge this theme into ``into``; answers with the theme that remains."""
        source = self.get_object()
        payload = MergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        target = payload.validated_data["into"]
        services.merge_themes(source=source, target=target, by=signed_in(request), ip=client_ip(request._request))
        target.refresh_from_db()
        return Response(ThemeSerializer(target).data)

    @extend_schema(request=SplitSerializer, responses=ThemeSerializer)
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str | None = None) -> Response:
        """Move ``note_ids`` of this theme into a new theme called ``name``; answers with the new theme."""
        theme = self.get_object()
        payload = SplitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.split_theme(
            theme=theme, by=signed_in(request), ip=client_ip(request._request), **payload.validated_data
        )
        return Response(ThemeSerializer(new).data, status=status.HTTP_201_CREATED)
