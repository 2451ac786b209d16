"""API wiring shared by every app: one exception handler, turning domain errors into 400s, and
the parsers every API view reads bodies with."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from voc.errors import DomainError, NotAllowed
from voc.input_guard import has_control_characters

# No payload of this API nests deeper than a few levels; the limit leaves room and stops a body
# built to exhaust the recursion of whatever walks it next.
MAX_JSON_DEPTH = 32


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, refusing with 400 what would otherwise fail later as a 500: nesting
    deeper than ``MAX_JSON_DEPTH`` and control characters in any key or string
    (voc.input_guard)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        _check(data)
        return data


class StrictFormParser(FormParser):
    """DRF's form parser, refusing control characters like ``StrictJSONParser``: Django's own
    middleware check (voc.input_guard) reads only POST forms, and PUT/PATCH bodies come here."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _check([*data.keys(), *(value for values in data.lists() for value in values[1])])
        return data


class StrictMultiPartParser(MultiPartParser):
    """DRF's multipart parser, refusing control characters in the form fields (not the files)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        data = parsed.data
        _check([*data.keys(), *(value for values in data.lists() for value in values[1])])
        return parsed


def _check(data: Any) -> None:
    """Walk ``data`` without recursion (its depth is what is being checked)."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if has_control_characters(value):
                raise ParseError(_("The request contains a control character; remove it and try again."))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ParseError(_("The JSON is nested too deeply."))
        items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
        for key, item in items:
            if key is not None:
                pending.append((key, depth))
            pending.append((item, depth + 1))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        # Every problem found at once: a field's under its name, the request's as "detail".
        body: dict[str, Any] = {
            field or "detail": [message] if field else message for field, message in exc.problems().items()
        }
        refused = isinstance(exc, NotAllowed)
        return Response(body, status=status.HTTP_403_FORBIDDEN if refused else status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
