"""Serializer fields the API shares."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

MAX_IDS = 500


@extend_schema_field(serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=MAX_IDS))
class Ids(serializers.Field):
    """Several rows by id, as a JSON list (or a repeated form field): whole numbers only (not
    1.5, "1e3", true or an object), at most ``MAX_IDS``, read in one query whatever their number.
    Ids outside ``queryset`` (unknown, or not to be chosen) are named in the error. The API's
    counterpart of ``voc.notes.filters.IdsField``."""

    default_error_messages = {
        "not_a_list": _("Send a list of ids."),
        "not_an_id": _("“{value}” is not an id."),
        "too_many": _("Send at most {max} ids."),
        "unknown": _("Nothing to choose has the id {ids}."),
    }

    def __init__(self, *, queryset: QuerySet[Any], **kwargs: Any) -> None:
        self.queryset = queryset
        super().__init__(**kwargs)

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary):
            return dictionary.getlist(self.field_name) if self.field_name in dictionary else empty
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        if len(data) > MAX_IDS:
            self.fail("too_many", max=MAX_IDS)
        ids = []
        for item in data:
            whole = isinstance(item, int) and not isinstance(item, bool)
            digits = isinstance(item, str) and item.isascii() and item.isdigit() and len(item) <= 18
            if not (whole or digits) or not 0 < int(item) < 2**63:
                self.fail("not_an_id", value=str(item)[:20])
            ids.append(int(item))
        wanted = list(dict.fromkeys(ids))
        found = {row.pk: row for row in self.queryset.filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            self.fail("unknown", ids=", ".join(map(str, missing[:10])))
        return [found[pk] for pk in wanted]

    def to_representation(self, value: Any) -> list[int]:
        rows = value.all() if hasattr(value, "all") else value
        return [row.pk for row in rows]
