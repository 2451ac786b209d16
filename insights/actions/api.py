"""/api/v1/actions/: what departments did about themes and questions, with the measured effect."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from insights.actions import effect, services
from insights.actions.models import Action
from insights.models import Theme
from insights.questions.models import Question
from insights.questions.services import LINKABLE_THEMES
from voc.api_fields import Ids
from voc.audit import client_ip
from voc.http import signed_in
from voc.input_guard import row_id
from voc.roles import Capability, HasCapability


class EffectSerializer(serializers.Serializer):
    before = serializers.ListField(child=serializers.IntegerField(), help_text="Customers a week, oldest first.")
    after = serializers.ListField(child=serializers.IntegerField())
    before_period = serializers.ListField(child=serializers.DateField())
    after_period = serializers.ListField(child=serializers.DateField(), allow_null=True)
    before_n = serializers.IntegerField()
    after_n = serializers.IntegerField()
    published = serializers.BooleanField(help_text="False when a period is under VOC_PUBLISH_THRESHOLD.")
    sentence = serializers.CharField()


class ActionSerializer(serializers.ModelSerializer):
    themes: serializers.PrimaryKeyRelatedField[Theme] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    questions: serializers.PrimaryKeyRelatedField[Question] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    effect = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "department",
            "owner",
            "status",
            "themes",
            "questions",
            "started_on",
            "done_on",
            "effect",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema(responses=EffectSerializer(allow_null=True))
    def get_effect(self, action: Action) -> dict[str, Any] | None:
        measured = effect.measure(action=action)
        if measured is None:
            return None
        return EffectSerializer(
            {**measured.__dict__, "sentence": measured.sentence, "before_period": list(measured.before_period),
             "after_period": list(measured.after_period) if measured.after_period else None}
        ).data  # fmt: skip


class ActionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX, required=False, allow_blank=True)
    department = serializers.CharField(max_length=services.DEPARTMENT_MAX, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Action.Status.choices, required=False)
    themes = Ids(queryset=Theme.objects.filter(status__in=LINKABLE_THEMES), required=False)
    questions = Ids(queryset=Question.objects.all(), required=False)
    started_on = serializers.DateField(required=False, allow_null=True)
    done_on = serializers.DateField(required=False, allow_null=True)


class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Actions with their status and measured effect. Everyone reads them; hq,
    leads and executives record them; whoever recorded or owns one, its department and
    administrators change it (``PATCH``)."""

    serializer_class = ActionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[BasePermission]:
        needed = Capability.RECORD_ACTIONS if self.action in {"create", "partial_update"} else Capability.READ_ACTIONS
        return [IsAuthenticated(), HasCapability.of(needed)()]

    def get_queryset(self) -> QuerySet[Action]:
        actions = Action.objects.prefetch_related("themes", "questions").order_by("-updated_at", "-id")
        if self.action == "list":
            params = self.request.query_params
            if params.get("status") in Action.Status.values:
                actions = actions.filter(status=params["status"])
            for key in ("theme", "question"):
                pk = row_id(params.get(key))
                if pk is not None:
                    actions = actions.filter(**{f"{key}s": pk})
        return actions

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Action.Status.values),
            OpenApiParameter("theme", int),
            OpenApiParameter("question", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ActionInputSerializer, responses={201: ActionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ActionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        action = services.record_action(by=signed_in(request), ip=client_ip(request._request), **payload.validated_data)
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionInputSerializer, responses=ActionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action = self.get_object()
        payload = ActionInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.update_action(
            action=action, by=signed_in(request), ip=client_ip(request._request), **payload.validated_data
        )
        action.refresh_from_db()
        return Response(ActionSerializer(action).data)
