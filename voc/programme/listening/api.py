"""/api/v1/listening/: a person's own listening sessions (list, read, log) and their progress.
Sessions are never changed or deleted through the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from voc.http import signed_in
from voc.models import Insight, ListeningSession, Site
from voc.programme.listening import services as listening
from voc.roles import Capability, HasCapability


class ListeningSessionSerializer(serializers.ModelSerializer):
    """Input shape and output shape; the rules are in listening.log_session."""

    day = serializers.DateField()
    # No bounds here: the service says what a sensible number of minutes is, in its own words.
    minutes = serializers.IntegerField()
    site = serializers.SlugRelatedField(
        slug_field="name", queryset=Site.objects.filter(is_active=True), required=False, allow_null=True
    )
    queue = serializers.CharField(required=False, allow_blank=True, max_length=listening.QUEUE_MAX)
    heard = serializers.CharField(required=False, allow_blank=True, max_length=listening.TEXT_MAX)
    surprised = serializers.CharField(required=False, allow_blank=True, max_length=listening.TEXT_MAX)
    idea = serializers.CharField(required=False, allow_blank=True, max_length=listening.TEXT_MAX)
    idea_note: serializers.PrimaryKeyRelatedField[Insight] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The note the idea became, if any."
    )

    class Meta:
        model = ListeningSession
        fields = ["id", "day", "minutes", "site", "queue", "heard", "surprised", "idea", "idea_note", "created_at"]
        read_only_fields = ["id", "idea_note", "created_at"]
        validators: list[Any] = []


class ListeningProgressSerializer(serializers.Serializer):
    is_executive = serializers.BooleanField()
    week_start = serializers.DateField()
    week_minutes = serializers.IntegerField()
    week_target = serializers.IntegerField(allow_null=True)
    week_percent = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField()
    year_minutes = serializers.IntegerField()
    year_target = serializers.IntegerField()
    year_percent = serializers.IntegerField()
    year_expected = serializers.IntegerField()
    year_behind = serializers.BooleanField()
    sessions = serializers.IntegerField()
    year_sessions = serializers.IntegerField()


class ListeningViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your own listening sessions, newest first. Creating one with an ``idea`` also records the
    idea as a note heard by you (``idea_note``)."""

    serializer_class = ListeningSessionSerializer
    permission_classes = [IsAuthenticated, HasCapability.of(Capability.LOG_LISTENING)]

    def get_queryset(self) -> QuerySet[ListeningSession]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is drawn without a person
            return ListeningSession.objects.none()
        return (
            ListeningSession.objects.filter(person=signed_in(self.request))
            .select_related("site")
            .order_by("-day", "-id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ListeningSessionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = listening.log_session(person=signed_in(request), **payload.validated_data)
        return Response(ListeningSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ListeningProgressSerializer)
    @action(detail=False, methods=["get"])
    def progress(self, request: Request) -> Response:
        """Your listening this week and this year against the commitments."""
        data = listening.progress(signed_in(request), today=timezone.localdate())
        return Response(ListeningProgressSerializer(data).data)
