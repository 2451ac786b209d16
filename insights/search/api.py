"""/api/v1/search/: the notes the caller may read that match ``q`` (redacted text, highlighted),
paginated, plus matching themes, questions and sent newsletter issues; the dashboard's filters.
/api/v1/search/similar/{id}/: notes most like one (stored sentence vectors)."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights.explore.filters import ExploreFilter
from insights.search import services
from voc.errors import DomainError
from voc.http import signed_in
from voc.models import Insight


class SearchPagination(PageNumberPagination):
    page_size = services.PAGE_SIZE


class NoteHitSerializer(serializers.ModelSerializer):
    """A note found; the context holds ``marked`` (note id -> highlighted text) and ``request``."""

    highlighted = serializers.SerializerMethodField(
        help_text="The text, HTML-escaped, with the matched words in <mark>…</mark>."
    )
    site = serializers.StringRelatedField()  # type: ignore[var-annotated]
    similar_url = serializers.SerializerMethodField(help_text="Notes most like this one (API).")

    def get_highlighted(self, note: Insight) -> str:
        marked = self.context.get("marked") or {}
        return str(marked.get(note.pk) or services.highlight(note.text, ""))

    def get_similar_url(self, note: Insight) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:search-similar", args=[note.pk]))

    class Meta:
        model = Insight
        fields = [
            "id",
            "kind",
            "text",
            "highlighted",
            "channel",
            "language",
            "site",
            "occurred_at",
            "customer_abroad",
            "caused_by_us",
            "lonely",
            "product_area",
            "similar_url",
        ]
        read_only_fields = fields


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["theme", "question", "issue"])
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="In the language of the request.")
    url = serializers.CharField(help_text="The page that shows it.")
    detail = serializers.CharField()


SearchResponse = inline_serializer(
    "SearchResponse",
    {
        "count": serializers.IntegerField(help_text="Matching notes."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": NoteHitSerializer(many=True),
        "date_from": serializers.DateField(help_text="First day searched."),
        "date_to": serializers.DateField(help_text="Last day searched."),
        "themes": HitSerializer(many=True, help_text="Accepted themes (readers of themes only)."),
        "questions": HitSerializer(many=True),
        "issues": HitSerializer(many=True, help_text="Sent newsletter issues."),
    },
)


def _filter_parameters() -> list[OpenApiParameter]:
    parameters = []
    for name, f in ExploreFilter.base_filters.items():
        many = isinstance(f, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter)
        kind: Any = OpenApiTypes.STR
        if isinstance(f, django_filters.DateFilter):
            kind = OpenApiTypes.DATE
        elif isinstance(f, django_filters.BooleanFilter):
            kind = OpenApiTypes.BOOL
        elif isinstance(f, django_filters.ModelMultipleChoiceFilter):
            kind = OpenApiTypes.INT
        choices = (
            [value for value, _label in f.extra.get("choices", [])] if not callable(f.extra.get("choices")) else None
        )
        parameters.append(
            OpenApiParameter(name, kind, many=many or None, enum=choices or None, description=str(f.label or ""))
        )
    return parameters


class SearchView(GenericAPIView):
    pagination_class = SearchPagination
    serializer_class = NoteHitSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description='Web-search syntax: words, "a phrase", -word, or.'),
            OpenApiParameter("sort", str, enum=[value for value, _label in services.SORTS], default="relevance"),
            OpenApiParameter("page", int),
            *_filter_parameters(),
        ],
        responses={200: SearchResponse},
    )
    def get(self, request: Request) -> Response:
        viewer = signed_in(request)
        with services.quick_plans():
            try:
                found = services.search_notes(
                    viewer=viewer,
                    query=request.query_params.get("q", ""),
                    sort=request.query_params.get("sort") or "relevance",
                    filters=request.query_params,
                )
            except services.InvalidSearch as exc:
                raise ValidationError(exc.errors) from exc
            page: list[Insight] = self.paginate_queryset(cast(Any, found.notes)) or []  # pages like a QuerySet
            marked = services.highlighted(page, found.query)
        serializer = NoteHitSerializer(page, many=True, context={"request": request, "marked": marked})
        response = self.get_paginated_response(serializer.data)
        response.data["date_from"], response.data["date_to"] = found.bounds
        others = services.search_others(viewer=viewer, query=found.query, language=get_language() or "en")
        for name in ("themes", "questions", "issues"):
            response.data[name] = HitSerializer(others.get(name, []), many=True).data
        return response


class SimilarView(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "SimilarResponse", {"note": NoteHitSerializer(), "results": NoteHitSerializer(many=True)}
            )
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            source, notes = services.more_like_this(viewer=signed_in(request), note_id=pk)
        except DomainError as exc:
            raise NotFound(exc.message) from exc
        context = {"request": request}
        return Response(
            {
                "note": NoteHitSerializer(source, context=context).data,
                "results": NoteHitSerializer(notes, many=True, context=context).data,
            }
        )
