"""REST adapters for people: who am I, token sign-in, the API root."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from voc.accounts import api_tokens
from voc.accounts.signin_limits import UsernameRateThrottle
from voc.models import User
from voc.roles import capabilities


class MeSerializer(serializers.ModelSerializer):
    # head office, executives, admins: none
    site: serializers.StringRelatedField[Any] = serializers.StringRelatedField(allow_null=True)
    team: serializers.StringRelatedField[Any] = serializers.StringRelatedField(allow_null=True)
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "site",
            "team",
            "language",
            "capabilities",
        ]

    def get_capabilities(self, user: User) -> list[str]:
        return sorted(str(c) for c in capabilities(user))


class MeView(APIView):
    """The signed-in person, their role and what it lets them do."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange username and password for an API token; failures count toward the lock-out."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    # Per address (VOC_PROXY_COUNT decides which) and per username; failures also count toward
    # axes' lock-out and voc.accounts.signin_limits, shared with the sign-in page.
    throttle_classes = [ScopedRateThrottle, UsernameRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(http_request, **payload.validated_data)
        # During a lock-out django-axes replaces this response with its own 429 (voc.accounts.views.locked_out).
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Unable to sign in with those credentials.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": api_tokens.obtain_token(user=user).key})


class ApiRootView(APIView):
    """Where to go from here."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        names = ["note-list", "theme-list", "me", "schema", "docs", "token"]
        return Response({name: reverse(f"api:{name}", request=request) for name in names})
