from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from insights.following import services
from voc.roles import Capability, has_capability


def notifications(request: HttpRequest) -> dict[str, object]:
    """``unread``: the signed-in person's unread notifications, for the header; one indexed
    query, and only when a template shows it."""
    user = getattr(request, "user", None)
    if not has_capability(user, Capability.SUBSCRIBE):
        return {"unread": 0}
    return {"unread": SimpleLazyObject(lambda: services.unread_count(user))}  # type: ignore[arg-type]
