"""The quick form's suggestions besides similar notes: open questions and accepted themes whose
words the typed text shares, each with a "+1" that counts without logging a new note.

Word overlap, not vectors: the text is being typed in a web request, and embedding belongs to
the workers (HOUSE_STYLE). A question is matched by meaning once the note is saved."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insights import services
from insights.models import Assignment, Theme
from insights.questions import counts
from insights.questions.models import Question
from voc.models import Insight, Tally, User
from voc.notes.similarity import terms
from voc.roles import Capability, has_capability

LIMIT = 3
MIN_SCORE = 0.3
MAX_QUESTIONS = 500


def _score(query: set[str], other: set[str]) -> float:
    if not query or not other:
        return 0.0
    return len(query & other) / math.sqrt(len(query) * len(other))


def _question_score(query: set[str], question: Question) -> float:
    """The share of the typed words the question knows, from its wordings and the words its
    notes use most; at least two words in common."""
    known = terms(" ".join([question.text, question.text_es, *map(str, question.key_terms or [])]))
    common = len(query & known)
    return common / len(query) if common >= 2 else 0.0


def suggest(text: str, viewer: User) -> list[dict[str, Any]]:
    """Up to three open questions and three accepted themes like ``text``, for someone who logs notes."""
    if not has_capability(viewer, Capability.LOG_NOTES):
        return []
    query = terms(text)
    if not query:
        return []
    return _questions(query, viewer) + _themes(query, viewer)


def _questions(query: set[str], viewer: User) -> list[dict[str, Any]]:
    open_questions = (
        Question.objects.open().order_by("-created_at").only("pk", "text", "text_es", "key_terms")[:MAX_QUESTIONS]
    )
    scored = [(_question_score(query, q), q) for q in open_questions]
    best = sorted((s for s in scored if s[0] >= MIN_SCORE), key=lambda s: -s[0])[:LIMIT]
    live = counts.counts(question_ids=[q.pk for _, q in best])
    return [
        {
            "kind": "question",
            "kind_label": _("Question"),
            "id": question.pk,
            "text": question.label,
            "meta": question_meta(live[question.pk].month),
            "plus_one_url": reverse("question_heard", args=[question.pk]),
        }
        for _score_value, question in best
    ]


def question_meta(month: int) -> str:
    """What the quick form says under a suggested question (and again after a +1)."""
    return ngettext(
        "Head office asks · %(count)d customer in 30 days", "Head office asks · %(count)d customers in 30 days", month
    ) % {"count": month}


def theme_customers(theme_ids: list[int]) -> dict[int, int]:
    """Customers in the last 30 days per theme: its notes and agents' +1s on them; two queries."""
    since = timezone.now() - counts.MONTH
    found: Counter[int] = Counter()
    notes = Assignment.objects.filter(
        theme__in=theme_ids, note__status=Insight.Status.ACTIVE, note__occurred_at__gte=since
    ).values_list("theme_id")
    tallies = Tally.objects.filter(
        note__assignment__theme__in=theme_ids, note__status=Insight.Status.ACTIVE, created_at__gte=since
    ).values_list("note__assignment__theme_id")
    for rows in (notes, tallies):
        found.update(dict(rows.annotate(n=Count("pk"))))
    return dict(found)


def theme_meta(customers: int) -> str:
    """What the quick form says under a suggested theme (and again after a +1)."""
    return ngettext("Theme · %(count)d customer in 30 days", "Theme · %(count)d customers in 30 days", customers) % {
        "count": customers
    }


def _themes(query: set[str], viewer: User) -> list[dict[str, Any]]:
    themes = Theme.objects.accepted().only("pk", "name", "name_es", "key_terms")
    scored = [(_score(query, terms(" ".join([t.name, t.name_es, *map(str, t.key_terms or [])]))), t) for t in themes]
    best = sorted((s for s in scored if s[0] >= MIN_SCORE), key=lambda s: -s[0])[:LIMIT]
    customers = theme_customers([t.pk for _s, t in best])
    return [
        {
            "kind": "theme",
            "kind_label": _("Theme"),
            "id": theme.pk,
            "text": theme.label,
            "meta": theme_meta(customers.get(theme.pk, 0)),
            "plus_one_url": reverse("theme_heard", args=[theme.pk]) if services.theme_note(theme, viewer) else "",
        }
        for _score_value, theme in best
    ]
