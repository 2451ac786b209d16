"""``{% follow_button theme=theme %}``: Follow, or Following with Unfollow, for the reader."""

from __future__ import annotations

from typing import Any

from django import template

from insights.following import services
from insights.following.models import Subscription

register = template.Library()


@register.inclusion_tag("insights/following/follow_button.html", takes_context=True)
def follow_button(context: template.Context, *, theme: Any = None, question: Any = None) -> dict[str, Any]:
    request = context["request"]
    subscription: Subscription | None = None
    if "subscribe" in (context.get("caps") or ()):
        subscription = services.subscription_of(request.user, theme=theme, question=question)
    return {
        "caps": context.get("caps", ()),
        "csrf_token": context.get("csrf_token"),
        "theme": theme,
        "question": question,
        "subscription": subscription,
        "next": request.get_full_path(),
    }
