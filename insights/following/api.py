"""/api/v1/subscriptions/ and /api/v1/notifications/: the signed-in person's own."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from insights.following import services
from insights.following.models import Notification, Subscription
from insights.models import Theme
from insights.questions.models import Question
from voc.http import signed_in
from voc.models import Insight, ProductArea, Site
from voc.roles import Capability, HasCapability


class SubscriptionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="A note kind (need, want, …), or empty for any.")

    class Meta:
        model = Subscription
        fields = [
            "id",
            "theme",
            "question",
            "site",
            "product_area",
            "kind",
            "in_app",
            "alert_on_spike",
            "alert_threshold",
            "alert_email",
            "digest",
            "created_at",
        ]
        read_only_fields = fields


class FollowSerializer(serializers.Serializer):
    theme = serializers.PrimaryKeyRelatedField(queryset=Theme.objects.all(), required=False, allow_null=True)
    question = serializers.PrimaryKeyRelatedField(queryset=Question.objects.all(), required=False, allow_null=True)
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False, allow_null=True)
    product_area = serializers.PrimaryKeyRelatedField(
        queryset=ProductArea.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Insight.Kind.choices, required=False, allow_blank=True)
    in_app = serializers.BooleanField(required=False, default=True)
    alert_on_spike = serializers.BooleanField(required=False, default=True)
    alert_threshold = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=services.MAX_ALERT_THRESHOLD
    )
    alert_email = serializers.BooleanField(required=False, default=False)
    digest = serializers.ChoiceField(choices=Subscription.Digest.choices, required=False, default="", allow_blank=True)


class Own:
    """Pages and actions over the caller's own rows; anyone who may follow."""

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated(), HasCapability.of(Capability.SUBSCRIBE)()]


class SubscriptionViewSet(
    Own, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """What the caller follows. ``POST`` with ``{"question": id}`` or ``{"theme": id}`` (or
    ``site``, ``product_area``, ``kind``, combinable) and how to hear of it (``in_app``,
    ``alert_on_spike``, ``alert_threshold``, ``alert_email``, ``digest``: ``daily``, ``weekly``
    or empty); following the same target again updates the choices."""

    serializer_class = SubscriptionSerializer

    def get_queryset(self) -> QuerySet[Subscription]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no person
            return Subscription.objects.none()
        return Subscription.objects.filter(user=signed_in(self.request)).order_by("-created_at", "-id")

    @extend_schema(request=FollowSerializer, responses={201: SubscriptionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = FollowSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = {k: v for k, v in payload.validated_data.items() if v is not None or k == "alert_threshold"}
        subscription = services.follow(user=signed_in(request), **data)
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="shown_title", read_only=True, help_text="In the caller's language.")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "unread", "created_at", "updated_at", "read_at"]
        read_only_fields = fields

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None


class NotificationViewSet(Own, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, unread first."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(user=signed_in(self.request)).order_by(
            F("read_at").asc(nulls_first=True), "-updated_at", "-id"
        )

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        services.mark_read(notifications=Notification.objects.filter(pk=notification.pk))
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ReadAll", fields={"read": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"read": services.mark_read(notifications=self.get_queryset())})
