"""What each role may do: the one place permissions are decided.

Views use ``capability_required``, the API uses ``HasCapability``, templates read
``caps`` (voc.context_processors); all three ask ``has_capability``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache, wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import BasePermission

from voc.models import User


class Capability(StrEnum):
    LOG_NOTES = "log_notes"
    VIEW_OWN_NOTES = "view_own_notes"
    VIEW_SITE_NOTES = "view_site_notes"
    VIEW_THEMES = "view_themes"
    CURATE_THEMES = "curate_themes"
    READ_NEWSLETTERS = "read_newsletters"
    EDIT_NEWSLETTERS = "edit_newsletters"
    READ_REPORTS = "read_reports"
    SUBSCRIBE = "subscribe"
    RECORD_ACTIONS = "record_actions"
    # "You said, we did": everyone reads what was done, agents included (they hear back).
    READ_ACTIONS = "read_actions"
    # Questions: hq, leads and executives ask and read them; leads confirm or reject the notes
    # matched to them (notes of their sites); agents "+1" open questions from the quick form.
    READ_QUESTIONS = "read_questions"
    ASK_QUESTIONS = "ask_questions"
    CONFIRM_MATCHES = "confirm_matches"
    HEAR_BACK = "hear_back"
    BUDDY_CASES = "buddy_cases"
    HANDLE_CASES = "handle_cases"
    LOG_LISTENING = "log_listening"
    VIEW_PROGRAMME = "view_programme"
    # The dashboard: slice and drill into the notes one may read (leads: their sites).
    EXPLORE = "explore"
    ADMINISTER = "administer"


C = Capability
_HQ = {
    C.VIEW_THEMES,
    C.READ_ACTIONS,
    C.READ_NEWSLETTERS,
    C.READ_REPORTS,
    C.SUBSCRIBE,
    C.RECORD_ACTIONS,
    C.ASK_QUESTIONS,
    C.READ_QUESTIONS,
    C.LOG_LISTENING,
    C.VIEW_PROGRAMME,
    C.EXPLORE,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    User.Role.AGENT: frozenset(
        {
            C.LOG_NOTES,
            C.VIEW_OWN_NOTES,
            C.READ_NEWSLETTERS,
            C.LOG_LISTENING,
            C.SUBSCRIBE,
            C.HEAR_BACK,
            C.READ_QUESTIONS,
            C.READ_ACTIONS,
        }
    ),
    User.Role.LEAD: frozenset(
        {
            C.LOG_NOTES,
            C.VIEW_OWN_NOTES,
            C.VIEW_SITE_NOTES,
            C.VIEW_THEMES,
            C.CURATE_THEMES,
            C.READ_NEWSLETTERS,
            C.EDIT_NEWSLETTERS,
            C.BUDDY_CASES,
            C.LOG_LISTENING,
            C.SUBSCRIBE,
            C.RECORD_ACTIONS,
            C.READ_ACTIONS,
            C.ASK_QUESTIONS,
            C.READ_QUESTIONS,
            C.CONFIRM_MATCHES,
            C.HEAR_BACK,
            C.EXPLORE,
        }
    ),
    User.Role.HQ: frozenset(_HQ),
    User.Role.EXECUTIVE: frozenset(_HQ | {C.HANDLE_CASES}),
    User.Role.ADMIN: frozenset(_HQ | {C.ADMINISTER}),
}


def capabilities(user: Any) -> frozenset[Capability]:
    """Everything ``user`` may do; nothing for anonymous or inactive users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def has_capability(user: Any, capability: Capability) -> bool:
    return capability in capabilities(user)


class HasCapability(BasePermission):
    """DRF: ``permission_classes = [HasCapability.of(Capability.X)]``."""

    capability: Capability

    @classmethod
    @cache  # one class per capability, not one per request
    def of(cls, capability: Capability) -> type[HasCapability]:
        return type(f"Has{capability.name.title().replace('_', '')}", (cls,), {"capability": capability})

    def has_permission(self, request: Any, view: Any) -> bool:
        return has_capability(request.user, self.capability)


def capability_required(capability: Capability):
    """Function views: 403 unless the signed-in person's role grants ``capability``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
