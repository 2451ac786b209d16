"""What text and times coming in from people and other systems must be, checked at the door.

Control characters are refused wherever input enters (``ControlCharacterMiddleware`` for query
strings and form fields, ``config.api.StrictJSONParser`` for API bodies): PostgreSQL cannot
store a NUL, so one in a filter or a lookup would otherwise surface as a server error, and the
others only ever arrive by accident or on purpose. Tab, line feed and carriage return are text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from voc.errors import DomainError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Notes are about contacts that happened: none predates the product's oldest data source, and a
# few minutes ahead allows for clocks that disagree.
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: only whitespace and invisible format characters
    (zero-width spaces and joiners, word joiners, byte-order marks, soft hyphens)."""
    return all(ch.isspace() or unicodedata.category(ch) in {"Cf", "Cc"} for ch in text)


def check_occurred_at(value: datetime | None, *, now: datetime | None = None) -> datetime:
    """When a note's contact happened, made aware in the current time zone; ``None`` is now.

    The one rule for the API, the forms and the import: not before 2000-01-01 and not more than
    ``CLOCK_SKEW`` in the future. Raises DomainError on ``occurred_at`` otherwise."""
    now = now or timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        if value.year < EARLIEST_OCCURRED_AT.year:
            raise DomainError(_("A note cannot be older than 1 January 2000."), field="occurred_at")
        value = timezone.make_aware(value)
    if value < EARLIEST_OCCURRED_AT:
        raise DomainError(_("A note cannot be older than 1 January 2000."), field="occurred_at")
    if value > now + CLOCK_SKEW:
        raise DomainError(_("A note cannot be about the future."), field="occurred_at")
    return value


def _strings(values: Iterable[tuple[str, list[str]]]) -> Iterable[str]:
    for key, items in values:
        yield key
        yield from items


class ControlCharacterMiddleware:
    """400 for a query string or form field holding a control character, before any view runs:
    one check for every search box, filter and form instead of one per field."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        suspect = [request.GET.lists()]
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            suspect.append(request.POST.lists())
        for values in suspect:
            if any(has_control_characters(value) for value in _strings(values)):
                message = _("The request contains a control character; remove it and try again.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=400)
                raise BadRequest(message)
        return self.get_response(request)


def row_id(value: str | None) -> int | None:
    """A database id sent as text (a query or form field), or None when it is not one: digits
    only, and within what a bigint column holds (a larger number would make PostgreSQL fail)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18:  # "²" is a digit int() refuses
        return None
    number = int(value)
    return number if 0 < number < 2**63 else None
