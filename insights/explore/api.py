"""``GET /api/v1/dashboard/``: the dashboard's figures for the same filters as the page, with
the same permissions (leads: their sites; hq and executives: every site, small counts shown as
"fewer than N"). Bad filters answer 400 with the field errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights.explore import figures, services
from voc.http import signed_in
from voc.roles import Capability, HasCapability


class SliceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The filter value that selects these notes (e.g. kind=complaint).")
    label = serializers.CharField()  # type: ignore[assignment]  # the field's name, not Field.label
    count = serializers.IntegerField(allow_null=True, help_text="Null when under the publication threshold.")
    shown = serializers.CharField(help_text='What the page prints: the number, or "fewer than 3".')
    share = serializers.FloatField(allow_null=True)
    withheld = serializers.BooleanField(help_text="Under the publication threshold: count and share are null.")


class RisingSerializer(serializers.Serializer):
    theme = SliceSerializer()
    previous = serializers.IntegerField()
    change = serializers.FloatField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="first")
    date_to = serializers.DateField(source="last")
    total = serializers.IntegerField(allow_null=True, help_text="Null when under the publication threshold.")
    previous_total = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=["day", "week"])
    partial = serializers.BooleanField(  # type: ignore[assignment]  # the field's name, not Serializer.partial
        help_text="The last point of the series is a period still running."
    )
    series = SliceSerializer(many=True)
    kinds = SliceSerializer(many=True)
    sites = SliceSerializer(many=True)
    channels = SliceSerializer(many=True)
    languages = SliceSerializer(many=True)
    products = SliceSerializer(many=True)
    themes = SliceSerializer(many=True)
    rising = RisingSerializer(many=True)
    failure_demand = SliceSerializer(allow_null=True)
    suppressed = serializers.BooleanField(help_text="Counts under the publication threshold are withheld.")


FLAGS = ("customer_abroad", "caused_by_us", "lonely", "vulnerable")
FILTER_PARAMETERS = [
    OpenApiParameter("period", str, enum=["last_week", "last_4_weeks", "this_month", "last_90_days", "custom"]),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("site", int, many=True, explode=True),
    OpenApiParameter("channel", str, many=True, explode=True),
    OpenApiParameter("kind", str, many=True, explode=True),
    OpenApiParameter("language", str, many=True, explode=True),
    OpenApiParameter("product_area", int, many=True, explode=True),
    OpenApiParameter("theme", int, many=True, explode=True),
    *(OpenApiParameter(flag, bool) for flag in FLAGS),
]


def _withheld(data: dict[str, Any], suppressed: bool) -> dict[str, Any]:
    """Counts under the threshold leave the API as null (``shown`` says "fewer than N")."""
    if not suppressed:
        return data

    def clean(item: Any) -> Any:
        if isinstance(item, dict):
            if item.get("withheld"):
                item = {**item, "count": None, "share": None}
            return {key: clean(value) for key, value in item.items()}
        if isinstance(item, list):
            return [clean(value) for value in item]
        return item

    return clean(data)


class DashboardView(APIView):
    """The dashboard's figures for a filtered set of notes."""

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated(), HasCapability.of(Capability.EXPLORE)()]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        board_view = services.view(signed_in(request), request.query_params)
        if not board_view.filter.is_valid():
            return Response(board_view.filter.form.errors, status=400)
        board = services.dashboard(board_view)
        data: dict[str, Any] = dict(DashboardSerializer(board).data)
        if figures.withheld(board.total, suppress=board.suppressed):
            data["total"] = None
        return Response(_withheld(data, board.suppressed))
