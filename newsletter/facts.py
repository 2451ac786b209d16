"""The "Did you know…?" facts: small generators in a registry, each reading SQL aggregates of one
week and returning drafts with a sentence in every interface language, a number, its base n,
the period compared and a quote (redacted note text only).

A count below ``VOC_PUBLISH_THRESHOLD`` is never published: generators skip such facts, and
``draft_facts`` drops any draft whose number is below it, whatever a generator returned.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from insights import figures
from insights.models import Action, Question, QuestionMatch, Theme
from insights.questions import counts as question_counts
from voc.models import ComplaintCase, Insight, ListeningSession, Tally, User
from voc.numbers import decimal

BASELINE_WEEKS = 4
RISING_RATIO = 1.5
MAX_RISING = 3
LEARNED_LENGTH = 200  # the sentence is stored in 500 characters at most


@dataclass
class FactDraft:
    """What a generator proposes; ``sentence`` is called once per language, inside that language."""

    key: str
    number: int
    base: int
    sentence: Callable[[], str]
    percent: float | None = None
    compare: tuple[date, date] | None = None
    quote: Insight | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def sentences(self) -> dict[str, str]:
        result = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                result[code] = self.sentence()
        return result


def bounds(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone (index-friendly range bounds)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class Week:
    """One ISO week's notes and the aggregates several generators share (each computed once)."""

    def __init__(self, start: date) -> None:
        self.start = start
        self.end = start + timedelta(days=7)  # exclusive
        self.baseline_start = start - timedelta(weeks=BASELINE_WEEKS)
        self.threshold: int = settings.VOC_PUBLISH_THRESHOLD

    @property
    def period(self) -> tuple[date, date]:
        return self.start, self.end - timedelta(days=1)

    @property
    def baseline_period(self) -> tuple[date, date]:
        return self.baseline_start, self.start - timedelta(days=1)

    def notes(self, start: date | None = None, end: date | None = None) -> QuerySet[Insight]:
        return Insight.objects.active().filter(
            occurred_at__gte=bounds(start or self.start), occurred_at__lt=bounds(end or self.end)
        )

    @cached_property
    def counts(self) -> dict[str, int]:
        """This week's totals, one query."""
        return self._flag_counts(self.notes())

    @cached_property
    def baseline(self) -> dict[str, float]:
        """Weekly averages over the four weeks before, one query."""
        totals = self._flag_counts(self.notes(self.baseline_start, self.start))
        return {k: v / BASELINE_WEEKS for k, v in totals.items()}

    def publishable_baseline(self, four_week_total: float) -> bool:
        """A baseline may be printed when the count behind it is none or reaches the threshold."""
        total = round(four_week_total)
        return total == 0 or total >= self.threshold

    @staticmethod
    def _flag_counts(notes: QuerySet[Insight]) -> dict[str, int]:
        return notes.aggregate(
            total=Count("id"),
            abroad=Count("id", filter=Q(customer_abroad=True)),
            lonely=Count("id", filter=Q(lonely=True)),
            caused=Count("id", filter=Q(caused_by_us=True)),
            thanks=Count("id", filter=Q(kind=Insight.Kind.THANKS)),
        )

    @cached_property
    def thanks_tallies(self) -> int:
        return Tally.objects.filter(
            note__status=Insight.Status.ACTIVE,
            note__kind=Insight.Kind.THANKS,
            created_at__gte=bounds(self.start),
            created_at__lt=bounds(self.end),
        ).count()

    @cached_property
    def theme_series(self) -> dict[int, list[int]]:
        """Mentions per accepted theme, the four baseline weeks then this week."""
        weeks = [self.baseline_start + timedelta(weeks=i) for i in range(BASELINE_WEEKS + 1)]
        ids = list(Theme.objects.accepted().values_list("id", flat=True))
        return figures.weekly_counts(weeks=weeks, theme_ids=ids) if ids else {}

    @cached_property
    def themes(self) -> dict[int, Theme]:
        return Theme.objects.in_bulk(list(self.theme_series))

    @cached_property
    def biggest(self) -> tuple[int, int] | None:
        """(theme id, mentions) of the week's most mentioned accepted theme (ties: the oldest)."""
        current = {tid: s[-1] for tid, s in self.theme_series.items() if s[-1] >= self.threshold}
        if not current:
            return None
        theme_id = max(current, key=lambda tid: (current[tid], -tid))
        return theme_id, current[theme_id]

    def quote(self, notes: QuerySet[Insight]) -> Insight | None:
        """The latest quotable note."""
        return quotable(notes).order_by("-occurred_at", "-id").first()

    def share(self, count: int) -> float:
        return round(100 * count / self.counts["total"], 1) if self.counts["total"] else 0.0


QUOTE_LENGTH = (25, 240)


def quotable(notes: QuerySet[Insight]) -> QuerySet[Insight]:
    """Notes that may be quoted in the newsletter or the pack: never a vulnerable or lonely
    customer, neither a fragment nor an essay (the text is already redacted when it is saved)."""
    low, high = QUOTE_LENGTH
    return (
        notes.filter(vulnerable=False, lonely=False)
        .annotate(length=Length("text"))
        .filter(length__gte=low, length__lte=high)
    )


Generator = Callable[[Week], Iterator[FactDraft]]
REGISTRY: dict[str, Generator] = {}


def generator(key: str) -> Callable[[Generator], Generator]:
    """Register a fact generator; the registry's order is the issue's default order."""

    def register(fn: Generator) -> Generator:
        REGISTRY[key] = fn
        return fn

    return register


def _earlier(week: Week, key: str) -> str:
    """'The four weeks before: 7 %.' for share facts, unless the count behind it is too small."""
    total = week.baseline["total"]
    if not total or not week.publishable_baseline(week.baseline[key] * BASELINE_WEEKS):
        return ""
    return " " + _("In the four weeks before: %(share)s%%.") % {"share": decimal(100 * week.baseline[key] / total)}


@generator("thanks")
def thanks(week: Week) -> Iterator[FactDraft]:
    count = week.counts["thanks"] + week.thanks_tallies
    if count < week.threshold:
        return
    usual = round(week.baseline["thanks"])
    if not week.publishable_baseline(week.baseline["thanks"] * BASELINE_WEEKS):
        usual = 0
    yield FactDraft(
        key="thanks",
        number=count,
        base=week.counts["total"],
        sentence=lambda: (
            ngettext(
                "Did you know… %(n)s customer took the time to thank us this week?",
                "Did you know… %(n)s customers took the time to thank us this week?",
                count,
            )
            % {"n": count}
            + (" " + _("A usual week brings %(usual)s.") % {"usual": decimal(usual)} if usual else "")
        ),
        compare=week.baseline_period,
        quote=week.quote(week.notes().filter(kind=Insight.Kind.THANKS)),
        data={"notes": week.counts["thanks"], "plus_ones": week.thanks_tallies, "usual": usual},
    )


@generator("biggest_theme")
def biggest_theme(week: Week) -> Iterator[FactDraft]:
    if week.biggest is None:
        return
    theme_id, count = week.biggest
    theme = week.themes[theme_id]
    percent = week.share(count)
    yield FactDraft(
        key="biggest_theme",
        number=count,
        base=week.counts["total"],
        sentence=lambda: (
            _("Did you know… the theme heard most this week was “%(theme)s”: %(n)s mentions, %(share)s%% of all notes?")
            % {
                "theme": theme.label,
                "n": count,
                "share": decimal(percent),
            }  # the reader's language: sentences() sets it
        ),
        quote=week.quote(week.notes().filter(assignment__theme_id=theme_id)),
        data={"theme_id": theme_id, "theme": theme.name, "share": percent},
    )


@generator("rising")
def rising(week: Week) -> Iterator[FactDraft]:
    """The fastest-growing themes against their four-week average (at most three)."""
    growth = []
    for theme_id, series in week.theme_series.items():
        if bounds(week.start) <= week.themes[theme_id].created_at < bounds(week.end):
            continue  # a theme new this week has no baseline to rise from: "emerging" reports it
        current, usual = series[-1], sum(series[:-1]) / BASELINE_WEEKS
        if (
            current >= week.threshold
            and current >= RISING_RATIO * max(usual, 1.0)
            and current - usual >= week.threshold
        ):
            growth.append(((current - usual) / max(usual, 1.0), current, theme_id, usual))
    for rank, (_ratio, current, theme_id, usual) in enumerate(sorted(growth, reverse=True)[:MAX_RISING]):
        theme = week.themes[theme_id]
        # the average is printed only when the four weeks' count behind it may be published
        usual_rounded = round(usual, 1) if week.publishable_baseline(usual * BASELINE_WEEKS) else None
        yield FactDraft(
            key=f"rising:{theme_id}",
            number=current,
            base=week.counts["total"],
            sentence=functools.partial(_rising_sentence, theme, current, usual_rounded),
            compare=week.baseline_period,
            quote=week.quote(week.notes().filter(assignment__theme_id=theme_id)),
            data={"theme_id": theme_id, "theme": theme.name, "usual": usual_rounded, "rank": rank + 1},
        )


def _rising_sentence(theme: Theme, current: int, usual: float | None) -> str:
    if usual is None:
        return _("Did you know… “%(theme)s” came up %(n)s times this week, when it had rarely come up before?") % {
            "theme": theme.label,
            "n": current,
        }
    return _(
        "Did you know… “%(theme)s” came up %(n)s times this week, against %(usual)s a week on average "
        "in the four weeks before?"
    ) % {"theme": theme.label, "n": current, "usual": decimal(usual)}


MAX_QUESTIONS = 3


@generator("questions")
def questions(week: Week) -> Iterator[FactDraft]:
    """Head office's questions most asked in the four weeks to the end of this one, in the
    question's own words (at most three)."""
    start = week.end - timedelta(weeks=4)
    asked = question_counts.between(start=bounds(start), end=bounds(week.end))
    this_week = question_counts.between(start=bounds(week.start), end=bounds(week.end), question_ids=list(asked))
    ranked = sorted(((n, -pk) for pk, n in asked.items() if n >= week.threshold), reverse=True)[:MAX_QUESTIONS]
    found = Question.objects.in_bulk([-pk for _n, pk in ranked])
    for n, negative_pk in ranked:
        question = found[-negative_pk]
        in_week = this_week.get(question.pk, 0)
        notes = Insight.objects.active().filter(
            occurred_at__gte=bounds(start),
            occurred_at__lt=bounds(week.end),
            question_matches__question=question,
            question_matches__state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED],
        )
        yield FactDraft(
            key=f"question:{question.pk}",
            number=n,
            base=week.counts["total"],
            sentence=functools.partial(_question_sentence, question, n, in_week if in_week >= week.threshold else None),
            compare=(start, week.period[1]),
            quote=week.quote(notes),
            data={"question_id": question.pk, "question": question.text or question.text_es, "week": in_week},
        )


def _question_sentence(question: Question, count: int, in_week: int | None) -> str:
    sentence = ngettext(
        "Did you know… %(n)s customer asked “%(question)s” in the last four weeks?",
        "Did you know… %(n)s customers asked “%(question)s” in the last four weeks?",
        count,
    ) % {"n": count, "question": question.label.rstrip("?¿ ").lstrip("¿")}
    if in_week is not None:
        sentence += " " + _("%(n)s of them this week.") % {"n": in_week}
    return sentence


@generator("you_said_we_did")
def you_said_we_did(week: Week) -> Iterator[FactDraft]:
    """Actions done this week, and actions whose four whole weeks after ended this week (with
    their measured effect), at most three; the number is the customers who said it in the four
    whole weeks before the action (below the threshold, the fact is not published)."""
    from insights.actions import effect

    measured_now = week.start - timedelta(weeks=effect.WEEKS)  # done that week: its fourth week after just ended
    done = Action.objects.filter(status=Action.Status.DONE).filter(
        Q(done_on__gte=week.start, done_on__lt=week.end)
        | Q(done_on__gte=measured_now, done_on__lt=measured_now + timedelta(days=7))
    )
    for action in done.order_by("-done_on", "-id")[:MAX_QUESTIONS]:
        result = effect.measure(action=action, today=week.end)
        if result is None:
            continue
        whole = result.published and len(result.after) == effect.WEEKS
        yield FactDraft(
            key=f"action:{action.pk}",
            number=result.before_n,
            base=week.counts["total"],
            sentence=functools.partial(_action_sentence, action, result.before_n, result if whole else None),
            compare=result.before_period,
            data={"action_id": action.pk, "title": action.title, "department": action.department},
        )


def _action_sentence(action: Action, said: int, measured: Any) -> str:
    sentence = ngettext(
        "You said it (%(n)s customer in the four weeks before); %(department)s did this: %(title)s.",
        "You said it (%(n)s customers in the four weeks before); %(department)s did this: %(title)s.",
        said,
    ) % {"n": said, "department": action.department or _("head office"), "title": action.title.rstrip(".")}
    if measured is not None:
        sentence += " " + measured.sentence
    return sentence


@generator("abroad")
def abroad(week: Week) -> Iterator[FactDraft]:
    count = week.counts["abroad"]
    if count < week.threshold:
        return
    percent, total = week.share(count), week.counts["total"]
    countries = list(
        week.notes()
        .filter(customer_abroad=True)
        .exclude(abroad_country="")
        .values_list("abroad_country")
        .annotate(n=Count("id"))
        .order_by("-n", "abroad_country")[:3]
    )
    yield FactDraft(
        key="abroad",
        number=count,
        base=total,
        percent=percent,
        sentence=lambda: (
            _("Did you know… %(share)s%% of this week's notes (%(n)s of %(total)s) came from customers abroad?")
            % {"share": decimal(percent), "n": count, "total": total}
            + _earlier(week, "abroad")
        ),
        compare=week.baseline_period,
        quote=week.quote(week.notes().filter(customer_abroad=True)),
        data={"countries": [[c, n] for c, n in countries if n >= week.threshold]},
    )


@generator("lonely")
def lonely(week: Week) -> Iterator[FactDraft]:
    count = week.counts["lonely"]
    if count < week.threshold:
        return
    yield FactDraft(
        key="lonely",
        number=count,
        base=week.counts["total"],
        sentence=lambda: (
            ngettext(
                "Did you know… %(n)s person called us because they were lonely or needed to talk?",
                "Did you know… %(n)s people called us because they were lonely or needed to talk?",
                count,
            )
            % {"n": count}
        ),
        quote=None,  # never quote a lonely caller: the count is the point, the person stays private
    )


@generator("caused_by_us")
def caused_by_us(week: Week) -> Iterator[FactDraft]:
    count = week.counts["caused"]
    if count < week.threshold:
        return
    percent, total = week.share(count), week.counts["total"]
    yield FactDraft(
        key="caused_by_us",
        number=count,
        base=total,
        percent=percent,
        sentence=lambda: (
            _(
                "Did you know… %(share)s%% of this week's notes (%(n)s of %(total)s) were about something we "
                "caused ourselves (failure demand)?"
            )
            % {"share": decimal(percent), "n": count, "total": total}
            + _earlier(week, "caused")
        ),
        compare=week.baseline_period,
        quote=week.quote(week.notes().filter(caused_by_us=True)),
    )


@generator("languages")
def languages(week: Week) -> Iterator[FactDraft]:
    rows = dict(week.notes().exclude(language=Insight.Language.ENGLISH).values_list("language").annotate(n=Count("id")))
    shown = {lang: n for lang, n in rows.items() if n >= week.threshold}
    count = sum(shown.values())
    if count < week.threshold:
        return
    total = week.counts["total"]
    # Language names as they read inside a sentence ("54% in Spanish" / "el 54% en español").
    labels = {
        "es": lambda: pgettext("language inside a sentence", "Spanish"),
        "gl": lambda: pgettext("language inside a sentence", "Galician"),
    }
    parts = sorted(shown.items(), key=lambda item: -item[1])

    def sentence() -> str:
        listed = ", ".join(
            _("%(share)s%% in %(language)s") % {"share": decimal(week.share(n)), "language": labels[lang]()}
            for lang, n in parts
        )
        return _("Did you know… %(n)s of this week's %(total)s notes were not in English: %(list)s?") % {
            "n": count,
            "total": total,
            "list": listed,
        }

    yield FactDraft(
        key="languages",
        number=count,
        base=total,
        percent=week.share(count),
        sentence=sentence,
        quote=week.quote(week.notes().filter(language=parts[0][0])),
        data={"languages": dict(parts)},
    )


@generator("emerging")
def emerging(week: Week) -> Iterator[FactDraft]:
    """Themes first proposed this week that already gather enough notes to mention."""
    new = list(
        Theme.objects.filter(
            status__in=[Theme.Status.PROPOSED, Theme.Status.ACCEPTED],
            created_at__gte=bounds(week.start),
            created_at__lt=bounds(week.end),
        )
        .annotate(n=Count("assignments", filter=Q(assignments__note__status=Insight.Status.ACTIVE)))
        .filter(n__gte=week.threshold)
        .order_by("-n", "id")
    )
    if not new:
        return
    largest, notes = new[0], sum(t.n for t in new)  # type: ignore[attr-defined]  # annotated above; the stubs lose it
    yield FactDraft(
        key="emerging",
        number=notes,  # the people behind the new themes: the count the threshold protects
        base=week.counts["total"],
        sentence=lambda: (
            ngettext(
                "Did you know… %(n)s new theme emerged this week: “%(theme)s” (%(size)s notes)?",
                "Did you know… %(n)s new themes emerged this week; the largest is “%(theme)s” (%(size)s notes)?",
                len(new),
            )
            % {"n": len(new), "theme": largest.label, "size": largest.n}  # type: ignore[attr-defined]  # as above
        ),
        quote=week.quote(Insight.objects.active().filter(assignment__theme=largest)),
        data={"theme_ids": [t.pk for t in new], "themes": len(new)},
    )


def _first_name(first: str, username: str) -> str:
    return first or username


@generator("shoutout_thanks")
def shoutout_thanks(week: Week) -> Iterator[FactDraft]:
    """The agent most thanked by customers this week (ties: the earliest account)."""
    row = (
        week.notes()
        .filter(kind=Insight.Kind.THANKS)
        .values("agent_id", "agent__first_name", "agent__username", "site__name")
        .annotate(n=Count("id"))
        .order_by("-n", "agent_id")
        .first()
    )
    if not row or row["n"] < week.threshold:
        return
    name, site, count = _first_name(row["agent__first_name"], row["agent__username"]), row["site__name"], row["n"]
    yield FactDraft(
        key="shoutout_thanks",
        number=count,
        base=week.counts["thanks"],
        sentence=lambda: (
            _("Shout-out: %(agent)s (%(site)s) was thanked by %(n)s customers this week. Thank you!")
            % {"agent": name, "site": site, "n": count}
        ),
        quote=week.quote(week.notes().filter(kind=Insight.Kind.THANKS, agent_id=row["agent_id"])),
        data={"agent_id": row["agent_id"]},
    )


@generator("shoutout_theme")
def shoutout_theme(week: Week) -> Iterator[FactDraft]:
    """The agent whose notes fed the week's biggest theme most."""
    if week.biggest is None:
        return
    theme_id, mentions = week.biggest
    row = (
        week.notes()
        .filter(assignment__theme_id=theme_id)
        .values("agent_id", "agent__first_name", "agent__username", "site__name")
        .annotate(n=Count("id"))
        .order_by("-n", "agent_id")
        .first()
    )
    if not row or row["n"] < week.threshold:
        return
    name, theme, count = (
        _first_name(row["agent__first_name"], row["agent__username"]),
        week.themes[theme_id],
        row["n"],
    )
    yield FactDraft(
        key="shoutout_theme",
        number=count,
        base=mentions,
        sentence=lambda: (
            _("Shout-out: %(n)s of %(agent)s's notes this week fed our biggest theme, “%(theme)s”.")
            % {"agent": name, "n": count, "theme": theme.label}
        ),
        data={"agent_id": row["agent_id"], "theme_id": theme_id},
    )


def _shorten(text: str, limit: int = LEARNED_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@generator("learned")
def learned(week: Week) -> Iterator[FactDraft]:
    """Complaint cases executives resolved this week, with what one of them learned (the latest).

    The number is the resolved cases — the count the threshold protects — and the base every
    case closed that week (resolved or handed back). The learning is the executive's own words,
    redacted when the case was resolved; it goes in the sentence, the executive's name only in ``data``."""
    closed = ComplaintCase.objects.filter(closed_at__gte=bounds(week.start), closed_at__lt=bounds(week.end))
    resolved = Q(status=ComplaintCase.Status.RESOLVED)
    counts = closed.aggregate(
        resolved=Count("id", filter=resolved),
        closed=Count("id", filter=resolved | Q(status=ComplaintCase.Status.HANDED_BACK)),
        with_learning=Count("id", filter=resolved & ~Q(learned="")),
    )
    count = counts["resolved"]
    if count < week.threshold or not counts["with_learning"]:
        return
    case = closed.filter(resolved).exclude(learned="").select_related("executive").order_by("-closed_at", "-id").first()
    if case is None:
        return
    line = _shorten(case.learned)
    yield FactDraft(
        key="learned",
        number=count,
        base=counts["closed"],
        sentence=lambda: (
            ngettext(
                "Did you know… one of our executives personally closed %(n)s customer complaint this week, "
                "and learned: “%(learned)s”",
                "Did you know… our executives personally closed %(n)s customer complaints this week? "
                "One of them learned: “%(learned)s”",
                count,
            )
            % {"n": count, "learned": line}
        ),
        quote=None,  # a quote is a customer's note; this is the executive's learning, in the sentence
        data={
            "case_id": case.pk,
            "executive_id": case.executive_id,
            "executive": str(case.executive),
            "learned": line,
            "with_learning": counts["with_learning"],
        },
    )


def _hours(minutes: int) -> float | int:
    hours = round(minutes / 60, 1)
    return int(hours) if hours.is_integer() else hours


@generator("listening")
def listening(week: Week) -> Iterator[FactDraft]:
    """Everyone's listening to customer calls this week (sessions by their day). The number is
    the people who listened; the base everyone who could have (active people, and anyone who
    listened since leaving)."""
    row = ListeningSession.objects.filter(day__gte=week.start, day__lt=week.end).aggregate(
        people=Count("person", distinct=True),
        executives=Count("person", distinct=True, filter=Q(person__role=User.Role.EXECUTIVE)),
        minutes=Sum("minutes"),
        sessions=Count("id"),
    )
    people = row["people"]
    if people < week.threshold:
        return
    minutes = row["minutes"] or 0
    hours = _hours(minutes)
    base = (
        User.objects.filter(
            Q(is_active=True) | Q(listening__day__gte=week.start, listening__day__lt=week.end),
        )
        .distinct()
        .count()
    )
    yield FactDraft(
        key="listening",
        number=people,
        base=base,
        sentence=lambda: (
            ngettext(
                "Did you know… %(people)s of us spent %(hours)s hours listening to customer calls this week?",
                "Did you know… %(people)s of us spent %(hours)s hours listening to customer calls this week?",
                people,
            )
            % {"people": people, "hours": decimal(hours)}
        ),
        data={"minutes": minutes, "hours": hours, "sessions": row["sessions"], "executives": row["executives"]},
    )


def draft_facts(week_start: date) -> tuple[int, list[FactDraft]]:
    """Run every generator over the week starting ``week_start``: (notes that week, drafts),
    without repeating itself: the theme heard most is not also a "rising" fact, and a quote is
    used by one fact only."""
    week = Week(week_start)
    drafts = [d for gen in REGISTRY.values() for d in gen(week) if d.number >= week.threshold]
    biggest = week.biggest[0] if week.biggest else None
    quoted: set[int] = set()
    kept = []
    for draft in drafts:
        if draft.key.startswith("rising:") and draft.data.get("theme_id") == biggest:
            continue
        quote = draft.quote
        if quote is not None:
            if quote.pk in quoted:
                draft = dataclasses.replace(draft, quote=None)
            else:
                quoted.add(quote.pk)
        kept.append(draft)
    return week.counts["total"], kept
