"""What became of the notes an agent logged (or a lead's sites logged): the theme each joined,
how many others said the same lately, the questions it counted toward and the actions taken on
them. Each function is a fixed number of queries, whatever the number of notes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from insights.models import Action, Assignment, Question, QuestionMatch, Theme
from voc.models import Insight, User

RECENT = timedelta(days=30)
SHOWN_ACTIONS = (Action.Status.IN_PROGRESS, Action.Status.DONE)


@dataclass(frozen=True)
class NoteOutcome:
    note: Insight
    theme: Theme | None
    same_lately: int  # other notes in the same theme in the last 30 days
    questions: list[Question] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def outcomes(notes: list[Insight], *, now: datetime | None = None) -> list[NoteOutcome]:
    """One outcome per note of ``notes`` (a page, with ``assignment__theme`` selected); four queries."""
    now = now or timezone.now()
    theme_ids = {n.assignment.theme_id for n in notes if _assignment(n) is not None}
    lately = dict(
        Assignment.objects.filter(
            theme_id__in=theme_ids, note__status=Insight.Status.ACTIVE, note__occurred_at__gte=now - RECENT
        )
        .values_list("theme_id")
        .annotate(n=Count("note"))
    )
    asked: dict[int, list[Question]] = defaultdict(list)
    for match in QuestionMatch.objects.filter(
        note__in=[n.pk for n in notes], state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED]
    ).select_related("question"):
        asked[match.note_id].append(match.question)  # type: ignore[index]
    question_ids = {q.pk for qs in asked.values() for q in qs}
    by_theme: dict[int, list[Action]] = defaultdict(list)
    by_question: dict[int, list[Action]] = defaultdict(list)
    actions = (
        Action.objects.filter(status__in=SHOWN_ACTIONS)
        .filter(Q(themes__in=theme_ids) | Q(questions__in=question_ids))
        .distinct()
        .prefetch_related("themes", "questions")
    )
    for action in actions:
        for linked_theme in action.themes.all():
            by_theme[linked_theme.pk].append(action)
        for linked_question in action.questions.all():
            by_question[linked_question.pk].append(action)
    result = []
    for note in notes:
        assignment = _assignment(note)
        theme: Theme | None = assignment.theme if assignment is not None else None
        questions = asked.get(note.pk, [])
        taken: dict[int, Action] = {}
        for action in by_theme.get(theme.pk, []) if theme else []:
            taken[action.pk] = action
        for question in questions:
            for action in by_question.get(question.pk, []):
                taken[action.pk] = action
        result.append(
            NoteOutcome(
                note=note,
                theme=theme,
                same_lately=max(lately.get(theme.pk, 0) - 1, 0) if theme else 0,
                questions=questions,
                actions=sorted(taken.values(), key=lambda a: (a.status != Action.Status.DONE, -a.pk)),
            )
        )
    return result


def _assignment(note: Insight) -> Assignment | None:
    try:
        return note.assignment
    except Assignment.DoesNotExist:
        return None


@dataclass(frozen=True)
class Summary:
    notes: int
    in_themes: int
    in_questions: int
    actions: list[Action]


def summary(notes: QuerySet[Insight], *, heard_by: User | None = None) -> Summary:
    """Over all of ``notes``: how many joined a theme, counted toward a question, and the actions
    taken on those themes and questions, or on questions ``heard_by`` "+1"'d (done first, newest
    first); six small queries: the themes and questions are found first (a few dozen ids),
    so the actions are looked up by them, not joined to every note."""
    active = notes.filter(status=Insight.Status.ACTIVE)
    totals = active.aggregate(
        notes=Count("id"),
        in_themes=Count("id", filter=Q(assignment__isnull=False)),
    )
    matched = QuestionMatch.objects.filter(
        note__in=active, state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED]
    )
    in_questions = matched.values("note_id").distinct().count()
    theme_ids = set(
        active.filter(assignment__isnull=False).order_by().values_list("assignment__theme_id", flat=True).distinct()
    )
    question_ids = set(matched.order_by().values_list("question_id", flat=True).distinct())
    if heard_by is not None:
        question_ids |= set(
            QuestionMatch.objects.filter(agent=heard_by, state=QuestionMatch.State.HEARD)
            .order_by()
            .values_list("question_id", flat=True)
            .distinct()
        )
    actions = list(
        Action.objects.filter(status__in=SHOWN_ACTIONS)
        .filter(Q(themes__in=theme_ids) | Q(questions__in=question_ids))
        .distinct()
        .order_by("-done_on", "-updated_at")[:10]
    )
    return Summary(notes=totals["notes"], in_themes=totals["in_themes"], in_questions=in_questions, actions=actions)
