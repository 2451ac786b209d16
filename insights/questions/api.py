"""/api/v1/questions/: questions with their live counts; ask, reword, close; agents' "+1";
leads' matches to confirm or reject."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from insights.models import Theme
from insights.questions import counts, services
from insights.questions.models import Question, QuestionMatch
from voc.access import lead_site_ids
from voc.api_fields import Ids
from voc.audit import client_ip
from voc.http import signed_in
from voc.models import Insight, ProductArea
from voc.roles import Capability, HasCapability


class QuestionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(  # type: ignore[assignment]  # the stubs know ``label`` as a caption
        read_only=True, help_text="The wording in the reader's language."
    )
    themes: serializers.PrimaryKeyRelatedField[Theme] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    product_areas: serializers.PrimaryKeyRelatedField[ProductArea] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    count_week = serializers.IntegerField(read_only=True, help_text="Customers who asked it in the last 7 days.")
    count_month = serializers.IntegerField(read_only=True, help_text="Customers who asked it in the last 30 days.")
    ready = serializers.BooleanField(
        read_only=True, help_text="False until a worker has embedded the question and matched past notes."
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "text",
            "text_es",
            "label",
            "department",
            "status",
            "themes",
            "product_areas",
            "count_week",
            "count_month",
            "confirmed",
            "ready",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class AskSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=Question.TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    text_es = serializers.CharField(max_length=Question.TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    department = serializers.CharField(max_length=services.DEPARTMENT_MAX_LENGTH, required=False, allow_blank=True)
    themes = Ids(queryset=Theme.objects.filter(status__in=services.LINKABLE_THEMES), required=False)
    product_areas = Ids(queryset=ProductArea.objects.filter(is_active=True), required=False)


class EditSerializer(AskSerializer):
    text = serializers.CharField(max_length=Question.TEXT_MAX_LENGTH, required=False, allow_blank=True)
    text_es = serializers.CharField(max_length=Question.TEXT_MAX_LENGTH, required=False, allow_blank=True)


class CloseSerializer(serializers.Serializer):
    reopen = serializers.BooleanField(default=False)


class HeardSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Insight.Channel.choices)


class MatchSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="note.text", read_only=True, help_text="The note, redacted.")
    site = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = QuestionMatch
        fields = ["id", "note", "text", "state", "score", "site", "channel", "language", "occurred_at"]
        read_only_fields = fields


class DecideSerializer(serializers.Serializer):
    match = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = serializers.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])


def _with_counts(questions: list[Question]) -> list[dict[str, Any]]:
    """The questions as the API shows them, with their live counts (two queries for them all)."""
    live = counts.counts(question_ids=[q.pk for q in questions])
    for question in questions:
        question.count_week = live[question.pk].week  # type: ignore[attr-defined]
        question.count_month = live[question.pk].month  # type: ignore[attr-defined]
        question.ready = bool(question.weights)  # type: ignore[attr-defined]
    return list(QuestionSerializer(questions, many=True).data)


class QuestionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Questions with customers who asked them in the last 7 and 30 days. Everyone who logs or
    reads notes may list them; hq, leads and executives ask; leads confirm matches."""

    serializer_class = QuestionSerializer

    def get_permissions(self) -> list[BasePermission]:
        needed = {
            "create": Capability.ASK_QUESTIONS,
            "partial_update": Capability.ASK_QUESTIONS,
            "close": Capability.ASK_QUESTIONS,
            "heard": Capability.LOG_NOTES,
            "matches": Capability.CONFIRM_MATCHES,
            "decide": Capability.CONFIRM_MATCHES,
        }.get(self.action or "", Capability.READ_QUESTIONS)
        return [IsAuthenticated(), HasCapability.of(needed)()]

    def get_queryset(self) -> QuerySet[Question]:
        questions = Question.objects.prefetch_related("themes", "product_areas").order_by("-created_at", "-id")
        if self.action == "list":
            wanted = self.request.query_params.get("status", "")
            if wanted in Question.Status.values:
                questions = questions.filter(status=wanted)
            department = self.request.query_params.get("department", "")
            if department:
                questions = questions.filter(department=department)
        return questions

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Question.Status.values, description="open or closed"),
            OpenApiParameter("department", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(_with_counts(list(page or [])))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_with_counts([self.get_object()])[0])

    @extend_schema(request=AskSerializer, responses={201: QuestionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AskSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = services.ask_question(
            by=signed_in(request), ip=client_ip(request._request), **payload.validated_data
        )
        return Response(_with_counts([question])[0], status=status.HTTP_201_CREATED)

    @extend_schema(request=EditSerializer, responses=QuestionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        payload = EditSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.edit_question(
            question=question, by=signed_in(request), ip=client_ip(request._request), **payload.validated_data
        )
        question.refresh_from_db()
        return Response(_with_counts([question])[0])

    @extend_schema(request=CloseSerializer, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the question (``{"reopen": true}`` opens it again)."""
        question = self.get_object()
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.close_question(
            question=question,
            by=signed_in(request),
            reopen=payload.validated_data["reopen"],
            ip=client_ip(request._request),
        )
        return Response(_with_counts([question])[0])

    @extend_schema(request=HeardSerializer, responses={201: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def heard(self, request: Request, pk: str | None = None) -> Response:
        """An agent's "+1, heard this too": one more customer asked it."""
        question = self.get_object()
        payload = HeardSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.hear_question(question=question, agent=signed_in(request), channel=payload.validated_data["channel"])
        return Response(_with_counts([question])[0], status=status.HTTP_201_CREATED)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, methods=["get"])
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """The notes of the caller's sites matched (or nearly matched) by the machine, to decide."""
        question = self.get_object()
        matches = counts.to_decide(question=question, site_ids=lead_site_ids(signed_in(request)))
        page = self.paginate_queryset(matches)
        return self.get_paginated_response(MatchSerializer(page, many=True).data)

    @extend_schema(request=DecideSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Confirm or reject one of ``matches``; confirmations teach the question's matcher."""
        question = self.get_object()
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in(request)
        match = QuestionMatch.objects.filter(
            pk=payload.validated_data["match"], question=question, site_id__in=lead_site_ids(user)
        ).first()
        if match is None:
            raise serializers.ValidationError({"match": [_("No such match at your sites.")]})
        services.decide_match(
            match=match,
            by=user,
            confirm=payload.validated_data["decision"] == "confirm",
            ip=client_ip(request._request),
        )
        return Response(MatchSerializer(match).data)
