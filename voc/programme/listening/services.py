"""Listening sessions: time spent listening to customer calls, what was heard, and ideas that
become notes; each person's progress against the commitments, and the weekly nudge."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from voc import emails, periods
from voc.access import own_site_ids
from voc.errors import DomainError, NotAllowed
from voc.input_guard import is_blank
from voc.models import Insight, ListeningNudge, ListeningSession, Site, User
from voc.notes import services
from voc.redaction import redact
from voc.roles import ROLE_CAPABILITIES, Capability, has_capability

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

log = logging.getLogger(__name__)

TEXT_MAX = 2000
QUEUE_MAX = 100
IDEA_SOURCE = "listening"
LISTENING_ROLES = [str(role) for role, caps in ROLE_CAPABILITIES.items() if Capability.LOG_LISTENING in caps]


# --- logging a session -------------------------------------------------------------------------


def _validate(
    *, person: User, day: date, minutes: int, site: Site | None, queue: str, texts: dict[str, str], today: date
) -> None:
    if not has_capability(person, Capability.LOG_LISTENING):
        raise NotAllowed(_("Your role cannot log listening sessions."))
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise DomainError(_("Give the minutes as a whole number."), field="minutes")
    if minutes < 1:
        raise DomainError(_("Give the minutes you listened: at least 1."), field="minutes")
    if minutes > ListeningSession.MAX_MINUTES:
        raise DomainError(
            _("One session is at most %(max)d minutes; log longer listening as several sessions.")
            % {"max": ListeningSession.MAX_MINUTES},
            field="minutes",
        )
    if not isinstance(day, date) or isinstance(day, datetime):
        raise DomainError(_("Give the date you listened."), field="day")
    if day > today:
        raise DomainError(_("A listening session cannot be in the future."), field="day")
    if day < periods.year_before(today):
        raise DomainError(_("Sessions more than a year old cannot be logged."), field="day")
    if site is None and not queue:
        raise DomainError(_("Say where you listened: a site, a queue or team, or both."), field="site")
    if site is not None and not site.is_active:
        raise DomainError(_("That site is closed; choose another."), field="site")
    if len(queue) > QUEUE_MAX:
        raise DomainError(_("Keep the queue under %(max)d characters.") % {"max": QUEUE_MAX}, field="queue")
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            raise DomainError(
                _("Keep it under %(max)d characters (this is %(length)d).") % {"max": TEXT_MAX, "length": len(text)},
                field=name,
            )


def _idea_time(day: date) -> datetime:
    """Midday of the session's day (a note needs a moment), never later than now."""
    return min(timezone.make_aware(datetime.combine(day, time(12))), timezone.now())


@transaction.atomic
def log_session(
    *,
    person: User,
    day: date,
    minutes: int,
    site: Site | None = None,
    queue: str = "",
    heard: str = "",
    surprised: str = "",
    idea: str = "",
) -> ListeningSession:
    """Record time ``person`` spent listening to calls (any role may).

    ``minutes`` is 1..``ListeningSession.MAX_MINUTES``; ``day`` is today or up to a year ago;
    a ``site`` or a ``queue`` (or both) says where; someone with a home site (agents, leads)
    listens at that site or one they lead, as their notes belong there. An ``idea`` becomes a note heard by the
    person (kind "want", channel "phone", source "listening", external id
    ``listening-<session id>``) at the session's site, else at the person's home
    site; without either the idea is refused on ``site``. The session and its note are stored
    together or not at all; themes hear of the note after commit. Raises DomainError naming
    the field. What was heard, what surprised and the idea are stored redacted, like notes."""
    # Only invisible characters (zero-width spaces, say) is nothing written: no idea, no note.
    queue, heard, surprised, idea = (
        "" if is_blank(value or "") else value.strip() for value in (queue, heard, surprised, idea)
    )
    _validate(
        person=person,
        day=day,
        minutes=minutes,
        site=site,
        queue=queue,
        texts={"heard": heard, "surprised": surprised, "idea": idea},
        today=timezone.localdate(),
    )
    if site is not None and person.site_id is not None and site.pk not in own_site_ids(person):
        raise DomainError(_("Choose your own site, or one you lead."), field="site")
    idea_site = site or person.site
    if idea and idea_site is None:
        raise DomainError(_("To turn your idea into a note, choose the site you listened at."), field="site")
    # What was heard is about customers: it is stored redacted, like a note.
    heard, surprised, idea = (redact(text).text[:TEXT_MAX] for text in (heard, surprised, idea))
    session = ListeningSession.objects.create(
        person=person, day=day, minutes=minutes, site=site, queue=queue, heard=heard, surprised=surprised, idea=idea
    )
    if idea:
        try:
            note, _created = services.record_note(
                agent=person,
                kind=Insight.Kind.WANT,
                text=idea,
                channel=Insight.Channel.PHONE,
                occurred_at=_idea_time(day),
                source=IDEA_SOURCE,
                external_id=f"listening-{session.pk}",
                listening_site=idea_site,
            )
        except DomainError as exc:
            # The note's rules speak of "text"; here the text is the idea.
            raise DomainError(exc.message, field="idea" if exc.field == "text" else exc.field) from None
        session.idea_note = note
        session.save(update_fields=["idea_note"])
    return session


# --- progress ----------------------------------------------------------------------------------


def progress(person: User, *, today: date) -> dict[str, Any]:
    """``person``'s listening against the commitments, in one query.

    Keys: ``is_executive``; ``week_start``, ``week_minutes``, ``week_target`` (executives only,
    else None) and ``week_percent`` for ``today``'s ISO week; ``year``, ``year_minutes``,
    ``year_target``, ``year_percent``, ``year_expected`` (pro-rata share due by today) and
    ``year_behind`` for the calendar year; ``sessions`` (all time) and ``year_sessions``.
    Percentages are 0..100; a zero target counts as met."""
    monday = periods.week_start(today)
    first = date(today.year, 1, 1)
    zero = Value(0, output_field=IntegerField())
    totals = ListeningSession.objects.filter(person=person).aggregate(
        week_minutes=Coalesce(Sum("minutes", filter=Q(day__gte=monday, day__lte=monday + timedelta(days=6))), zero),
        year_minutes=Coalesce(Sum("minutes", filter=Q(day__gte=first, day__lte=date(today.year, 12, 31))), zero),
        year_sessions=Count("id", filter=Q(day__gte=first, day__lte=date(today.year, 12, 31))),
        sessions=Count("id"),
    )
    is_executive = person.role == User.Role.EXECUTIVE
    week_target = settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES if is_executive else None
    year_target = settings.VOC_LISTEN_YEARLY_MINUTES
    year_expected = periods.expected_by(today, yearly=year_target)
    return {
        "is_executive": is_executive,
        "week_start": monday,
        "week_minutes": totals["week_minutes"],
        "week_target": week_target,
        "week_percent": periods.percent(totals["week_minutes"], week_target) if week_target is not None else None,
        "year": today.year,
        "year_minutes": totals["year_minutes"],
        "year_target": year_target,
        "year_percent": periods.percent(totals["year_minutes"], year_target),
        "year_expected": year_expected,
        "year_behind": totals["year_minutes"] < year_expected,
        "sessions": totals["sessions"],
        "year_sessions": totals["year_sessions"],
    }


# --- the weekly nudge --------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """What people were held to when ``people_behind`` ran on ``today``."""

    last_week: date  # Monday of the week before today's
    weekly: int
    year_expected: int
    yearly: int


def targets(today: date) -> Targets:
    return Targets(
        last_week=periods.last_complete_week(today),
        weekly=settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES,
        year_expected=periods.expected_by(today, yearly=settings.VOC_LISTEN_YEARLY_MINUTES),
        yearly=settings.VOC_LISTEN_YEARLY_MINUTES,
    )


class ListeningMinutes(TypedDict):
    week_minutes: int  # in the last complete ISO week
    year_minutes: int  # this calendar year, up to today


def on_track(*, weekly: int, pace: int) -> Q:
    """The one definition of "on track" with listening, over people annotated with
    ``ListeningMinutes``: at least ``pace`` minutes this year (the pro-rata share of the yearly
    commitment, ``periods.expected_by``) and, for an executive, at least ``weekly`` minutes in the
    last complete week. The nudge goes to those who are not; the programme dashboard counts those
    who are."""
    return Q(year_minutes__gte=pace) & (~Q(role=User.Role.EXECUTIVE) | Q(week_minutes__gte=weekly))


def people_behind(*, today: date) -> QuerySet[WithAnnotations[User, ListeningMinutes]]:
    """Active people not ``on_track`` on ``today``, annotated with ``ListeningMinutes``; one query."""
    goal = targets(today)
    zero = Value(0, output_field=IntegerField())
    last_week = Q(listening__day__gte=goal.last_week, listening__day__lte=goal.last_week + timedelta(days=6))
    this_year = Q(listening__day__gte=periods.year_start(today), listening__day__lte=today)
    return (
        User.objects.filter(is_active=True, role__in=LISTENING_ROLES)
        .annotate(
            week_minutes=Coalesce(Sum("listening__minutes", filter=last_week), zero),
            year_minutes=Coalesce(Sum("listening__minutes", filter=this_year), zero),
        )
        .exclude(on_track(weekly=goal.weekly, pace=goal.year_expected))
        .order_by("id")
    )


def nudge_behind(*, today: date | None = None) -> int:
    """E-mail everyone behind (``people_behind``) who has an address, in their language, at most
    once per ISO week: the ``ListeningNudge`` row for the week is claimed before sending, so a
    second run the same week sends nothing. A failed send releases the claim (a later run
    retries). Returns how many were nudged now."""
    today = today or timezone.localdate()
    goal = targets(today)
    this_week = periods.week_start(today)
    nudged = 0
    for person in people_behind(today=today).exclude(email=""):
        try:
            with transaction.atomic():
                claim = ListeningNudge.objects.create(person=person, week_start=this_week)
        except IntegrityError:
            continue  # nudged already this week
        try:
            _nudge_message(person, goal=goal, today=today).send(fail_silently=False)
        except Exception:  # one bad address must not stop the others; a later run retries it
            log.exception("could not send the listening nudge to user %s", person.pk)
            claim.delete()
            continue
        nudged += 1
    return nudged


def _nudge_message(
    person: WithAnnotations[User, ListeningMinutes], *, goal: Targets, today: date
) -> EmailMultiAlternatives:
    is_executive = person.role == User.Role.EXECUTIVE
    context = {
        "person": person,
        "is_executive": is_executive,
        "week_behind": is_executive and person.week_minutes < goal.weekly,
        "last_week_minutes": person.week_minutes,
        "weekly_target": goal.weekly,
        "year_behind": person.year_minutes < goal.year_expected,
        "year_minutes": person.year_minutes,
        "year_expected": goal.year_expected,
        "yearly_target": goal.yearly,
        "year": today.year,
        "LANGUAGE_CODE": person.language,
        "listening_url": emails.url_for("listening_new"),
    }
    rendered = emails.render(
        language=person.language,
        subject=lambda: _("A gentle reminder: time to listen to some calls"),
        text_template="voc/email/listening_nudge.txt",
        html_template="voc/email/listening_nudge.html",
        context=context,
    )
    return emails.message(rendered, to=person.email)
