"""An action's effect, measured honestly: customers a week about its themes and questions in the
complete weeks before the week it was done against the complete weeks after, with n, the periods
and the publication threshold; worded only as far as the numbers allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insights.actions.models import Action
from insights.models import Assignment
from insights.questions.counts import counted, midnight
from insights.questions.models import QuestionMatch
from voc import periods
from voc.models import Insight
from voc.numbers import decimal

WEEKS = 4
SAME = 0.15  # a change smaller than this share of the weekly rate before reads "about the same"
CHANCE = 0.05  # a change this likely to be chance alone also reads "about the same"


def by_chance(*, before_n: int, before_weeks: int, after_n: int, after_weeks: int) -> float:
    """How likely a split at least this uneven is if the weekly rate did not change: the exact
    two-sided binomial test of the after count among all, against the after period's share of
    the weeks (counts of customers arrive independently, so each falls in either period in
    proportion to its length)."""
    from scipy.stats import binomtest  # only where effects are measured

    total = before_n + after_n
    if total == 0:
        return 1.0
    return float(binomtest(after_n, total, after_weeks / (before_weeks + after_weeks)).pvalue)


@dataclass(frozen=True)
class Effect:
    before: list[int]  # customers a week, oldest first
    after: list[int]
    before_period: tuple[date, date]
    after_period: tuple[date, date] | None  # None until a whole week after has passed
    before_n: int
    after_n: int
    published: bool  # both periods reach the publication threshold (or after is still empty)
    done_on: date
    today: date  # measured as of
    weeks: int  # weeks measured on each side, at most

    @property
    def sentence(self) -> str:
        """In the active language, so that each reader, page or newsletter edition gets its own."""
        return _sentence(self)

    @property
    def before_rate(self) -> float:
        return self.before_n / len(self.before) if self.before else 0.0

    @property
    def after_rate(self) -> float | None:
        return self.after_n / len(self.after) if self.after else None


def weekly_customers(*, action: Action, weeks: list[date]) -> list[int]:
    """Customers a week (Mondays ``weeks``) about the action's themes or questions: each active
    note once (in a theme or counted for a question, not both twice), plus agents' "+1"s straight
    on its questions. One UNION of two indexed reads (the theme's notes by
    ``assignment_theme_note_idx``, the questions' by ``question_match_time_idx``) and one count."""
    start, end = midnight(weeks[0]), midnight(weeks[-1] + timedelta(days=7))
    index = {w: i for i, w in enumerate(weeks)}
    series = [0] * len(weeks)
    theme_ids = list(action.themes.values_list("pk", flat=True))
    question_ids = list(action.questions.values_list("pk", flat=True))
    in_themes = (
        Assignment.objects.filter(
            theme_id__in=theme_ids,
            note__status=Insight.Status.ACTIVE,
            note__occurred_at__gte=start,
            note__occurred_at__lt=end,
        )
        .order_by()
        .values_list("note_id", "note__occurred_at")
    )
    asked = QuestionMatch.objects.filter(counted(start, end), question_id__in=question_ids)
    asked = asked.filter(occurred_at__gte=start, occurred_at__lt=end)
    in_questions = (
        asked.filter(state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED])
        .order_by()
        .values_list("note_id", "occurred_at")
    )
    # A match's occurred_at is its note's, so UNION keeps one row per note.
    for _note_id, occurred_at in in_themes.union(in_questions):
        position = index.get(periods.week_start(timezone.localdate(occurred_at)))
        if position is not None:
            series[position] += 1
    heard = (
        asked.filter(state=QuestionMatch.State.HEARD)
        .annotate(week=TruncWeek("occurred_at"))
        .values_list("week")
        .annotate(n=Count("id"))
    )
    for week, n in heard:
        position = index.get(timezone.localdate(week) if isinstance(week, datetime) else week)
        if position is not None:
            series[position] += n
    return series


def measure(*, action: Action, today: date | None = None, weeks: int = WEEKS) -> Effect | None:
    """The effect of a done action (None for any other): ``weeks`` complete weeks before the
    week it was done against the complete weeks after it so far (at most ``weeks``)."""
    if action.status != Action.Status.DONE or action.done_on is None:
        return None
    today = today or timezone.localdate()
    done_week = periods.week_start(action.done_on)
    before_weeks = [done_week - timedelta(weeks=weeks - i) for i in range(weeks)]
    last_complete = periods.last_complete_week(today)
    after_weeks = [done_week + timedelta(weeks=i + 1) for i in range(weeks)]
    after_weeks = [w for w in after_weeks if w <= last_complete]
    series = weekly_customers(action=action, weeks=before_weeks + after_weeks)
    before, after = series[: len(before_weeks)], series[len(before_weeks) :]
    threshold = settings.VOC_PUBLISH_THRESHOLD
    before_n, after_n = sum(before), sum(after)
    published = before_n >= threshold and (not after or after_n >= threshold or after_n == 0)
    return Effect(
        before=before,
        after=after,
        before_period=(before_weeks[0], before_weeks[-1] + timedelta(days=6)),
        after_period=(after_weeks[0], after_weeks[-1] + timedelta(days=6)) if after_weeks else None,
        before_n=before_n,
        after_n=after_n,
        published=published,
        done_on=action.done_on,
        today=today,
        weeks=weeks,
    )


def _rate(value: float) -> str:
    """A weekly rate as the active language writes it: whole from ten up, else one decimal."""
    return decimal(round(value) if value >= 10 else value)


def _sentence(effect: Effect) -> str:
    weeks = effect.weeks
    if effect.after_rate is None:
        days = (effect.today - effect.done_on).days
        return ngettext(
            "Too early to tell: done %(days)d day ago; the first whole week after is not over yet.",
            "Too early to tell: done %(days)d days ago; the first whole week after is not over yet.",
            days,
        ) % {"days": days}
    if not effect.published:
        return _("Too few notes to say: fewer than %(n)d in one of the periods.") % {
            "n": settings.VOC_PUBLISH_THRESHOLD
        }
    before, after = effect.before_rate, effect.after_rate
    span = len(effect.after)
    if span < weeks:
        when = ngettext("in the week after, so far", "in the %(n)d weeks after, so far", span) % {"n": span}
    else:
        when = ngettext("in the week after", "in the %(n)d weeks after", span) % {"n": span}
    numbers = {"before": _rate(before), "after": _rate(after), "when": when}
    if before == 0:
        return _("Rose from none to %(after)s a week %(when)s.") % numbers
    change = (after - before) / before
    chance = by_chance(
        before_n=effect.before_n, before_weeks=len(effect.before), after_n=effect.after_n, after_weeks=span
    )
    if abs(change) < SAME or chance >= CHANCE:
        return _("About the same %(when)s: %(before)s → %(after)s a week.") % numbers
    if change < 0:
        return _("Fell from %(before)s to %(after)s a week %(when)s.") % numbers
    return _("Rose from %(before)s to %(after)s a week %(when)s.") % numbers


@dataclass(frozen=True)
class Taken:
    action: Action
    effect: Effect | None


def taken_about(actions: QuerySet[Action], *, limit: int = 5) -> list[Taken]:
    """Actions under way or done (done first, newest first), each with its effect, for a theme's
    or a question's page."""
    shown = actions.exclude(status__in=[Action.Status.DROPPED, Action.Status.PLANNED]).order_by(
        "-done_on", "-updated_at"
    )[:limit]
    return [Taken(action=a, effect=measure(action=a)) for a in shown]
