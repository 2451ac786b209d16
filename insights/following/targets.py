"""What a subscription follows: its notes and its name."""

from __future__ import annotations

from django.db.models import QuerySet

from insights.following.models import Subscription
from insights.questions.models import QuestionMatch
from voc.models import Insight


def target_notes(subscription: Subscription) -> QuerySet[Insight]:
    """The notes a subscription follows (active ones)."""
    notes = Insight.objects.active()
    if subscription.theme_id:
        notes = notes.filter(assignment__theme_id=subscription.theme_id)
    if subscription.question_id:
        notes = notes.filter(
            question_matches__question_id=subscription.question_id,
            question_matches__state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED],
        )
    if subscription.site_id:
        notes = notes.filter(site_id=subscription.site_id)
    if subscription.product_area_id:
        notes = notes.filter(product_area_id=subscription.product_area_id)
    if subscription.kind:
        notes = notes.filter(kind=subscription.kind)
    return notes


def describe(subscription: Subscription) -> str:
    """What a subscription follows, in words ("Complaint · Madrid")."""
    parts = []
    if subscription.theme:
        parts.append(subscription.theme.label)  # in the active language
    if subscription.question:
        parts.append(subscription.question.label)
    if subscription.kind:
        parts.append(str(Insight.Kind(subscription.kind).label))
    if subscription.product_area:
        parts.append(subscription.product_area.name)
    if subscription.site:
        parts.append(subscription.site.name)
    return " · ".join(parts)
