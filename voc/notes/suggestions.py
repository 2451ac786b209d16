"""What else the typing assistant may suggest besides similar notes: other apps register here
(insights adds open questions and accepted themes in its AppConfig.ready()), since voc never
imports them (dependencies point one way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voc.models import User

# (typed text, already redacted; the person typing) -> items with at least "kind", "id", "text",
# "meta" and, when it can be counted, "plus_one_url".
Suggester = Callable[[str, User], list[dict[str, Any]]]
SUGGESTERS: list[Suggester] = []


def suggestions(text: str, *, viewer: User) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for suggester in SUGGESTERS:
        found.extend(suggester(text, viewer))
    return found
