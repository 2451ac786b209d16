"""Alerts on rolling windows, every 15 minutes (beat): a theme, an open question, or a burst of
near-identical notes no theme holds yet, well above its usual rate in the last hour; and a
followed target passing the daily threshold its follower set. An alert already open is updated
(one open ``Burst`` per subject), and each person's notification of it is updated, not repeated.
Safe to run twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insights.following import events
from insights.following.models import Burst, Notification, Subscription
from insights.following.targets import describe, target_notes
from insights.models import Assignment, NoteVector, Theme
from insights.questions.counts import counted
from insights.questions.models import Question, QuestionMatch
from voc.access import visible_notes
from voc.input_guard import row_id
from voc.models import Insight, User
from voc.numbers import decimal

BASELINE = timedelta(days=28)
RATIO = 3.0  # a window this many times its usual count is a burst
SAME_WORDS = 0.85  # cosine of notes that say the same thing (bench/discovery.py: near-duplicates)
CLUSTER_SCAN = 2000  # unthemed notes of a window looked at, at most


def window() -> timedelta:
    return timedelta(minutes=settings.VOC_ALERT_WINDOW_MINUTES)


def minimum() -> int:
    return max(settings.VOC_ALERT_MIN_NOTES, settings.VOC_PUBLISH_THRESHOLD)


@dataclass
class Found:
    subject: str
    title: str
    count: int
    baseline: float
    note_ids: list[int]
    theme: Theme | None = None
    question: Question | None = None
    url: str = ""
    extra_users: set[int] = field(default_factory=set)


def run_alerts(*, now: datetime | None = None) -> list[Burst]:
    """Raise or update a burst for everything above its usual rate in the last window, tell
    the people concerned, and close the bursts that went quiet. Returns the bursts open now."""
    now = now or timezone.now()
    start = now - window()
    found = [*_themes(start, now), *_questions(start, now), *_clusters(start, now), *_thresholds(now)]
    bursts = [_raise(f, start=start, now=now) for f in found]
    seen = {b.pk for b in bursts}
    Burst.objects.filter(status=Burst.Status.OPEN, last_seen_at__lt=start).exclude(pk__in=seen).update(
        status=Burst.Status.CLOSED
    )
    return bursts


def _per_window(total: int) -> float:
    return total * window() / BASELINE


def _themes(start: datetime, now: datetime) -> list[Found]:
    recent = Insight.objects.active().filter(
        occurred_at__gte=start, occurred_at__lt=now, assignment__theme__status=Theme.Status.ACCEPTED
    )
    counts = dict(recent.values_list("assignment__theme_id").annotate(n=Count("id")).filter(n__gte=minimum()))
    if not counts:
        return []
    usual = dict(
        Assignment.objects.filter(
            theme_id__in=list(counts),
            note__status=Insight.Status.ACTIVE,
            note__occurred_at__gte=start - BASELINE,
            note__occurred_at__lt=start,
        )
        .values_list("theme_id")
        .annotate(n=Count("note"))
    )
    themes = Theme.objects.in_bulk(list(counts))
    result = []
    for theme_id, n in counts.items():
        baseline = _per_window(usual.get(theme_id, 0))
        if n >= RATIO * max(baseline, 1.0):
            ids = list(recent.filter(assignment__theme_id=theme_id).values_list("id", flat=True))
            theme = themes[theme_id]
            result.append(
                Found(
                    subject=f"theme:{theme_id}",
                    title=theme.name,
                    count=n,
                    baseline=baseline,
                    note_ids=ids,
                    theme=theme,
                    url=reverse("theme_detail", args=[theme_id]),
                )
            )
    return result


def _questions(start: datetime, now: datetime) -> list[Found]:
    open_ids = list(Question.objects.open().values_list("pk", flat=True))
    recent = QuestionMatch.objects.filter(
        counted(start, now), question_id__in=open_ids, occurred_at__gte=start, occurred_at__lt=now
    )
    counts = dict(recent.values_list("question_id").annotate(n=Count("id")).filter(n__gte=minimum()))
    if not counts:
        return []
    usual = dict(
        QuestionMatch.objects.filter(
            counted(start - BASELINE, start),
            question_id__in=list(counts),
            occurred_at__gte=start - BASELINE,
            occurred_at__lt=start,
        )
        .values_list("question_id")
        .annotate(n=Count("id"))
    )
    questions = Question.objects.in_bulk(list(counts))
    result = []
    for question_id, n in counts.items():
        baseline = _per_window(usual.get(question_id, 0))
        if n >= RATIO * max(baseline, 1.0):
            question = questions[question_id]
            ids = [i for i in recent.filter(question_id=question_id).values_list("note_id", flat=True) if i]
            result.append(
                Found(
                    subject=f"question:{question_id}",
                    title=question.text or question.text_es,
                    count=n,
                    baseline=baseline,
                    note_ids=ids,
                    question=question,
                    url=reverse("question_detail", args=[question_id]),
                )
            )
    return result


def _clusters(start: datetime, now: datetime) -> list[Found]:
    """Near-identical notes of the window that no accepted theme holds yet: a new failure."""
    rows = list(
        NoteVector.objects.usable()
        .filter(note__status=Insight.Status.ACTIVE, note__occurred_at__gte=start, note__occurred_at__lt=now)
        .exclude(note__assignment__theme__status=Theme.Status.ACCEPTED)
        .order_by("-note_id")  # the newest first: a busy window is cut at CLUSTER_SCAN
        .values_list("note_id", "vector")[:CLUSTER_SCAN]
    )
    if len(rows) < minimum():
        return []
    ids = np.array([r[0] for r in rows])
    vectors = np.stack([np.frombuffer(bytes(r[1]), dtype=np.float32) for r in rows])
    close = (vectors @ vectors.T) >= SAME_WORDS
    taken = np.zeros(len(ids), dtype=bool)
    open_clusters = list(Burst.objects.filter(status=Burst.Status.OPEN, subject__startswith="cluster:"))
    result = []
    # Leaders by how many notes they are close to: the densest group first.
    for leader in np.argsort(-close.sum(axis=1), kind="stable"):
        if taken[leader]:
            continue
        members = np.flatnonzero(close[leader] & ~taken)
        if len(members) < minimum():
            continue
        taken[members] = True
        note_ids = sorted(int(i) for i in ids[members])
        # The same burst seen again keeps its subject: the open cluster it shares notes with.
        same = next((b for b in open_clusters if set(b.note_ids) & set(note_ids)), None)
        subject = same.subject if same else f"cluster:{note_ids[0]}"
        result.append(
            Found(
                subject=subject,
                title=_("Notes saying the same thing, in no theme yet"),
                count=len(note_ids),
                baseline=0.0,
                note_ids=note_ids,
                url=reverse("site_notes"),
            )
        )
    return result


def _thresholds(now: datetime) -> list[Found]:
    """Followed targets past their follower's "more than N a day"."""
    since = now - timedelta(days=1)
    result = []
    for subscription in Subscription.objects.filter(alert_threshold__isnull=False).select_related(
        "theme", "question", "site", "product_area"
    ):
        notes = target_notes(subscription).filter(occurred_at__gte=since, occurred_at__lt=now)
        n = notes.count()
        if n > (subscription.alert_threshold or 0) and n >= settings.VOC_PUBLISH_THRESHOLD:
            result.append(
                Found(
                    subject=f"subscription:{subscription.pk}",
                    title=describe(subscription),
                    count=n,
                    baseline=float(subscription.alert_threshold or 0),
                    note_ids=list(notes.values_list("id", flat=True)[:200]),
                    theme=subscription.theme,
                    question=subscription.question,
                    extra_users={subscription.user_id},
                )
            )
    return result


def _example(note_ids: Iterable[int], notes: QuerySet[Insight] | None = None) -> str:
    """The newest of ``note_ids`` that may be quoted (of ``notes``: what a reader may read)."""
    note = (
        (Insight.objects.all() if notes is None else notes)
        .filter(pk__in=list(note_ids), vulnerable=False, lonely=False)
        .order_by("-occurred_at")
        .values_list("text", flat=True)
        .first()
    )
    return note or ""


def _examples(note_ids: list[int]) -> Callable[[set[int]], dict[int, str]]:
    """Each reader's example: the newest of the burst's notes that they may read, so a lead or an
    agent is never quoted a note of a site they do not see."""

    def examples(readers: set[int]) -> dict[int, str]:
        return {user.pk: _example(note_ids, visible_notes(user)) for user in User.objects.filter(pk__in=readers)}

    return examples


@transaction.atomic
def _raise(found: Found, *, start: datetime, now: datetime) -> Burst:
    burst = Burst.objects.select_for_update().filter(subject=found.subject, status=Burst.Status.OPEN).first()
    fields = {
        "title": found.title[:200],
        "theme": found.theme,
        "question": found.question,
        "window_start": start,
        "window_end": now,
        "count": found.count,
        "baseline": round(found.baseline, 2),
        "note_ids": found.note_ids[:500],
        "example": _example(found.note_ids),
        "last_seen_at": now,
    }
    if burst is None:
        burst = Burst.objects.create(subject=found.subject, **fields)
    else:
        for name, value in fields.items():
            setattr(burst, name, value)
        burst.save()
    transaction.on_commit(lambda: _tell(burst, found))
    return burst


def audience(burst: Burst, found: Found) -> events.Event:
    """Who hears of a burst, and how: people following its theme or question (or the sites its
    notes came from) who want alerts, in the product and/or by e-mail, and the webhooks of those
    subscriptions; the leads of those sites in the product; a threshold's own follower."""
    event = events.Event(key=f"burst:{burst.pk}", kind=Notification.Kind.ALERT, title=lambda: _title(burst, found))
    event.body, event.url = burst.example, found.url  # the body for webhooks, which an admin registered
    event.body_for = _examples(found.note_ids)
    if burst.question_id and burst.question is not None:
        event.department = burst.question.department
    if found.subject.startswith("subscription:"):
        follows = Q(pk=int(found.subject.split(":", 1)[1]))
        leads: set[int] = set()
    else:
        site_ids = set(Insight.objects.filter(pk__in=found.note_ids).values_list("site_id", flat=True))
        follows = Q(site_id__in=site_ids, theme__isnull=True, question__isnull=True, kind="", product_area__isnull=True)
        if burst.theme_id:
            follows |= Q(theme_id=burst.theme_id)
        if burst.question_id:
            follows |= Q(question_id=burst.question_id)
        follows &= Q(alert_on_spike=True)
        leads = set(
            User.objects.filter(role=User.Role.LEAD, is_active=True)
            .filter(Q(site_id__in=site_ids) | Q(lead_sites__in=site_ids))
            .values_list("pk", flat=True)
        )
    event.add_followers(Subscription.objects.filter(follows))
    event.in_app |= leads
    return event


def label(burst: Burst) -> str:
    """What a burst is about, in the active language: its theme or question by its name in it,
    "notes saying the same thing" for a cluster (never a note's words: readers differ in what
    they may read), else the followed target it was raised for."""
    if burst.subject.startswith("cluster:"):
        return _("Notes saying the same thing, in no theme yet")
    if burst.subject.startswith("subscription:"):
        pk = row_id(burst.subject.split(":", 1)[1]) or 0
        subscription = (
            Subscription.objects.select_related("theme", "question", "site", "product_area").filter(pk=pk).first()
        )
        return describe(subscription) if subscription is not None else burst.title
    if burst.theme is not None:
        return burst.theme.label
    if burst.question is not None:
        return burst.question.label
    return burst.title


def _title(burst: Burst, found: Found) -> str:
    """The alert's title in the active language (a theme or question by its name in it)."""
    what = label(burst)
    if found.subject.startswith("subscription:"):
        return _("%(what)s: %(n)s notes in the last day, above your limit of %(limit)s") % {
            "what": what,
            "n": decimal(burst.count),
            "limit": decimal(round(burst.baseline)),
        }
    return _("%(what)s: %(n)d notes in the last %(minutes)d minutes (usually %(usual)s)") % {
        "what": what,
        "n": burst.count,
        "minutes": settings.VOC_ALERT_WINDOW_MINUTES,
        "usual": decimal(burst.baseline),
    }


def _tell(burst: Burst, found: Found) -> None:
    events.publish(audience(burst, found))
