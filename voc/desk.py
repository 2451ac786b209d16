"""Each person's home page as a to-do list: what waits for them, with counts, due dates and
links, then news and figures. Every app adds what it knows through ``register`` (voc never
imports insights or newsletter; they register from ``AppConfig.ready``). A provider gets the
person and today, and returns ``Item``s only for what the person may open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voc import machinery, periods
from voc.access import lead_site_ids
from voc.models import ComplaintCase, ImportJob, Insight, User
from voc.programme.listening import services as listening
from voc.roles import Capability, has_capability

TODO, NEWS, FIGURES = "todo", "news", "figures"
OVERDUE, DUE_SOON = periods.OVERDUE, periods.DUE_SOON


@dataclass(frozen=True)
class Item:
    section: str  # TODO (waits for the person), NEWS (worth knowing), FIGURES (numbers to watch)
    title: str
    url: str = ""
    count: int | None = None
    detail: str = ""
    due: datetime | date | None = None
    state: str = ""  # OVERDUE or DUE_SOON: a badge, and first in its section
    order: int = 50


Provider = Callable[[User, date], list[Item]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def desk(user: User, *, today: date | None = None) -> dict[str, list[Item]]:
    """The person's items by section, overdue and due-soon first."""
    today = today or timezone.localdate()
    sections: dict[str, list[Item]] = {TODO: [], NEWS: [], FIGURES: []}
    for provider in PROVIDERS:
        for item in provider(user, today):
            sections[item.section].append(item)
    rank = {OVERDUE: 0, DUE_SOON: 1}
    for items in sections.values():
        items.sort(key=lambda item: (rank.get(item.state, 2), item.order))
    return sections


def cached(key: str, seconds: int, compute: Callable[[], list[Item]]) -> list[Item]:
    """``compute()``'s items, kept ``seconds`` in the cache: figures a home page may show a
    minute late, so that the page stays fast over a year of notes (bench/desk_pages.py)."""
    items = cache.get(f"desk:{key}")
    if items is None:
        items = compute()
        cache.set(f"desk:{key}", items, seconds)
    return items


def watch(
    title: str, count: int, *, url: str = "", detail: str = "", alarm: bool | None = None, order: int = 50
) -> Item:
    """A figure an admin keeps an eye on: a to-do, marked overdue, when it is alarming (by
    default: anything but zero), else a plain figure of the machinery."""
    alarming = bool(count) if alarm is None else alarm
    return Item(
        TODO if alarming else FIGURES,
        title,
        url,
        count=count,
        detail=detail,
        state=OVERDUE if alarming else "",
        order=order,
    )


def due_state(due: datetime | date | None, *, now: datetime | None = None) -> str:
    return periods.due_state(due, now=now or timezone.now())


# --- what voc knows ----------------------------------------------------------------------------


@register
def notes_logged(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.LOG_NOTES):
        return []
    monday = periods.week_start(today)
    counts = (
        Insight.objects.active()
        .filter(agent=user, occurred_at__gte=_midnight(monday))
        .aggregate(today=Count("id", filter=Q(occurred_at__gte=_midnight(today))), week=Count("id"))
    )
    return [
        Item(
            TODO,
            _("Log what a customer tells you"),
            reverse("capture"),
            order=0,
            detail=_("Today: %(today)d · this week: %(week)d") % counts,
        )
    ]


@register
def imports_to_fix(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.VIEW_SITE_NOTES):
        return []
    jobs = ImportJob.objects.filter(
        uploaded_by=user, invalid__gt=0, created_at__gte=_midnight(today - timedelta(days=14))
    )
    return [
        Item(
            TODO,
            _("Import “%(name)s”: rows to fix") % {"name": job},
            reverse("import_status", args=[job.pk]),
            count=job.invalid,
            order=40,
        )
        for job in jobs.order_by("-created_at")[:3]
    ]


@register
def cases(user: User, today: date) -> list[Item]:
    """An executive's open cases (the month's first) and a lead's buddy cases that need action."""
    items = []
    now = timezone.now()
    if has_capability(user, Capability.HANDLE_CASES):
        for case in ComplaintCase.objects.open().filter(executive=user).order_by("-month"):
            due: datetime | None
            if case.status == ComplaintCase.Status.ASSIGNED:
                title, due = _("Acknowledge your complaint of the month"), case.acknowledge_by
            else:
                title = _("Your complaint of the month: contact the customer and resolve it")
                due = (
                    case.acknowledged_at + timedelta(days=settings.VOC_CASE_REMINDER_DAYS)
                    if case.acknowledged_at
                    else None
                )
            items.append(
                Item(
                    TODO,
                    title,
                    reverse("case_detail", args=[case.pk]),
                    detail=case.get_status_display(),
                    due=due,
                    state=due_state(due, now=now),
                    order=5,
                )
            )
    if has_capability(user, Capability.BUDDY_CASES):
        waiting = ComplaintCase.objects.open().filter(buddy=user)
        late = waiting.filter(status=ComplaintCase.Status.ASSIGNED, acknowledge_by__lt=now).count()
        total = waiting.count()
        if total:
            items.append(
                Item(
                    TODO,
                    ngettext("Buddy case in progress", "Buddy cases in progress", total),
                    reverse("case_list"),
                    count=total,
                    detail=ngettext("%(n)d not acknowledged in time", "%(n)d not acknowledged in time", late)
                    % {"n": late}
                    if late
                    else "",
                    state=OVERDUE if late else "",
                    order=30,
                )
            )
    return items


@register
def listening_pace(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.LOG_LISTENING):
        return []
    progress = listening.progress(user, today=today)
    if progress["is_executive"]:
        detail = _("This week %(week)d of %(target)d minutes; this year %(year)d of %(year_target)d") % {
            "week": progress["week_minutes"],
            "target": progress["week_target"],
            "year": progress["year_minutes"],
            "year_target": progress["year_target"],
        }
    else:
        detail = _("This year %(year)d of %(year_target)d minutes") % {
            "year": progress["year_minutes"],
            "year_target": progress["year_target"],
        }
    behind = progress["year_behind"]
    return [
        Item(
            TODO if behind else NEWS,
            _("Listen to calls: you are behind your commitment") if behind else _("Listening to calls: on track"),
            reverse("listening_new"),
            detail=detail,
            state=DUE_SOON if behind else "",
            order=20,
        )
    ]


@register
def the_machinery(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.ADMINISTER):
        return []
    return machinery.items()


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def lead_sites(user: User) -> list[int]:
    return lead_site_ids(user) if has_capability(user, Capability.VIEW_SITE_NOTES) else []
