"""Business verbs for actions ("you said, we did"): record one, change it, move it along."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from insights.actions.models import Action
from insights.following import events
from insights.following.models import Notification, Subscription
from insights.models import Theme
from insights.questions.models import Question
from insights.questions.services import live_theme
from voc import audit
from voc.errors import DomainError, NotAllowed, Problems
from voc.input_guard import EARLIEST_OCCURRED_AT, is_blank
from voc.models import User
from voc.roles import Capability, has_capability

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
DEPARTMENT_MAX = 100

# Where an action may go next; "done" and "dropped" are final (a done action reopened would
# change a measured effect after the fact: record a new action instead).
NEXT = {
    Action.Status.PLANNED: {Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.DROPPED},
    Action.Status.IN_PROGRESS: {Action.Status.DONE, Action.Status.DROPPED},
    Action.Status.DONE: set(),
    Action.Status.DROPPED: set(),
}


def may_edit(user: User, action: Action) -> bool:
    """Whoever recorded it, its owner, anyone of its department, and administrators."""
    if has_capability(user, Capability.ADMINISTER):
        return True
    if not has_capability(user, Capability.RECORD_ACTIONS):
        return False
    same_department = bool(action.department) and action.department == user.department
    return user.pk in (action.created_by_id, action.owner_id) or same_department


def check_text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and is_blank(value):
        raise DomainError(_("Say what was done."), field=field)
    if len(value) > limit:
        raise DomainError(
            _("Keep it under %(max)d characters (this is %(length)d).") % {"max": limit, "length": len(value)},
            field=field,
        )
    return value


# An action's dates: none before the earliest note (a year typed as 0202 would break the weeks
# measured around it), and no start further ahead than a year.
EARLIEST = EARLIEST_OCCURRED_AT.date()
START_AHEAD = timedelta(days=366)


def check_dates(status: str, started_on: date | None, done_on: date | None) -> tuple[date | None, date | None]:
    """An action's start and done dates as stored (done today when marked done without one);
    DomainError names every problem with them at once."""
    today = timezone.localdate()
    problems = Problems()
    for name, value in (("started_on", started_on), ("done_on", done_on)):
        if value is not None and value < EARLIEST:
            problems.add(
                _("Give a date from %(earliest)s on.") % {"earliest": date_format(EARLIEST, "SHORT_DATE_FORMAT")},
                field=name,
            )
    if started_on is not None and started_on > today + START_AHEAD:
        problems.add(_("Give a start date within the next year."), field="started_on")
    if status == Action.Status.DONE and done_on is None:
        done_on = today
    if done_on is not None and done_on > today:
        problems.add(_("An action cannot be done in the future; leave it in progress."), field="done_on")
    if started_on is not None and done_on is not None and started_on > done_on:
        problems.add(_("It cannot have started after it was done."), field="started_on")
    if status != Action.Status.DONE and done_on is not None:
        problems.add(_("Only a done action has a done date."), field="done_on")
    problems.raise_any()
    return started_on, done_on


def check_links(themes: Iterable[Theme], questions: Iterable[Question]) -> tuple[set[int], set[int]]:
    """The themes (where merged, where their notes went) and questions an action is about."""
    theme_ids = {live_theme(t).pk for t in themes}
    question_ids = {q.pk for q in questions}
    if not theme_ids and not question_ids:
        raise DomainError(_("Link the action to at least one theme or question."), field="themes")
    return theme_ids, question_ids


@transaction.atomic
def record_action(
    *,
    by: User,
    title: str,
    description: str = "",
    department: str | None = None,
    owner: User | None = None,
    status: str = Action.Status.PLANNED,
    themes: Iterable[Theme] = (),
    questions: Iterable[Question] = (),
    started_on: date | None = None,
    done_on: date | None = None,
    ip: str | None = None,
) -> Action:
    """Record what a department did (or plans to do) about themes and questions; its effect on
    the notes is measured once it is done (insights.actions.effect)."""
    if not has_capability(by, Capability.RECORD_ACTIONS):
        raise NotAllowed(_("Your role cannot record actions."))
    if status not in Action.Status.values:
        raise DomainError(_("Unknown status."), field="status")
    if status == Action.Status.IN_PROGRESS and started_on is None:
        started_on = timezone.localdate()  # as when one is moved along to in progress
    problems = Problems()
    title = problems.check(check_text, title, field="title", limit=TITLE_MAX, required=True) or ""
    description = problems.check(check_text, description, field="description", limit=DESCRIPTION_MAX) or ""
    department = (
        problems.check(
            check_text, by.department if department is None else department, field="department", limit=DEPARTMENT_MAX
        )
        or ""
    )
    dates = problems.check(check_dates, status, started_on, done_on)
    links = problems.check(check_links, themes, questions)
    problems.raise_any()
    assert dates is not None and links is not None
    (started_on, done_on), (theme_ids, question_ids) = dates, links
    action = Action.objects.create(
        title=title,
        description=description,
        department=department,
        owner=owner or by,
        status=status,
        started_on=started_on,
        done_on=done_on,
        created_by=by,
    )
    action.themes.set(theme_ids)
    action.questions.set(question_ids)
    audit.record(actor=by, action="action.recorded", obj=action, ip_address=ip, details={"status": status})
    _tell_followers(action)
    return action


def check_move(action: Action, status: str) -> None:
    """``status`` is where ``action`` may go from where it is (``NEXT``), or where it is."""
    if status not in Action.Status.values:
        raise DomainError(_("Unknown status."), field="status")
    if status != action.status and status not in NEXT[Action.Status(action.status)]:
        raise DomainError(
            _("An action that is %(now)s cannot become %(next)s.")
            % {"now": action.get_status_display().lower(), "next": Action.Status(status).label.lower()},
            field="status",
        )


@transaction.atomic
def update_action(*, action: Action, by: User, ip: str | None = None, **changes: Any) -> Action:
    """Change an action's words, links, owner, status or dates; the status only moves forward
    (``NEXT``)."""
    if not may_edit(by, action):
        raise NotAllowed(_("Only whoever recorded it, its owner, its department or an administrator can change it."))
    status = changes.get("status", action.status)
    check_move(action, status)
    before = {"status": action.status, "title": action.title}
    problems = Problems()
    texts = {
        name: problems.check(check_text, changes[name], field=name, limit=limit, required=name == "title")
        for name, limit in (("title", TITLE_MAX), ("description", DESCRIPTION_MAX), ("department", DEPARTMENT_MAX))
        if name in changes
    }
    started_on = changes.get("started_on", action.started_on)
    done_on = changes.get("done_on", action.done_on if status == Action.Status.DONE else None)
    if status == Action.Status.IN_PROGRESS and started_on is None:
        started_on = timezone.localdate()
    dates = problems.check(check_dates, status, started_on, done_on)
    links = None
    if "themes" in changes or "questions" in changes:
        links = problems.check(
            check_links, changes.get("themes", action.themes.all()), changes.get("questions", action.questions.all())
        )
    problems.raise_any()
    assert dates is not None
    for name, value in texts.items():
        setattr(action, name, value)
    if "owner" in changes and changes["owner"] is not None:
        action.owner = changes["owner"]
    action.status = status
    action.started_on, action.done_on = dates
    if links is not None:
        action.themes.set(links[0])
        action.questions.set(links[1])
    action.save()
    _tell_followers(action)
    audit.record(
        actor=by,
        action="action.changed",
        obj=action,
        ip_address=ip,
        details={"before": before, "after": {"status": action.status, "title": action.title}},
    )
    return action


def headline(action: Action) -> str:
    """The action as news, in the active language: only a done one is "you said, we did"."""
    wording = {
        Action.Status.DONE: _("You said, we did: %(title)s"),
        Action.Status.IN_PROGRESS: _("Under way: %(title)s"),
        Action.Status.PLANNED: _("Planned: %(title)s"),
        Action.Status.DROPPED: _("Dropped: %(title)s"),
    }
    return wording[Action.Status(action.status)] % {"title": action.title}


def _tell_followers(action: Action) -> None:
    """People following its themes or questions hear that it is under way or done (once per
    action and status, each in their language, in the product and/or by e-mail as they chose),
    and so do the webhooks of those subscriptions and of the action's department; after commit."""
    if action.status not in (Action.Status.IN_PROGRESS, Action.Status.DONE):
        return

    def tell() -> None:
        event = events.Event(
            key=f"action:{action.pk}:{action.status}",
            kind=Notification.Kind.ACTION,
            title=lambda: headline(action),
            body=action.department,
            url=reverse("action_detail", args=[action.pk]),
            department=action.department,
        )
        followers = Subscription.objects.filter(
            Q(theme__in=action.themes.all()) | Q(question__in=action.questions.all())
        )
        event.add_followers(followers)
        events.publish(event)

    transaction.on_commit(tell)
