"""What insights adds to each person's home page (``voc.desk``): questions to listen for, what
became of an agent's notes, a lead's emerging themes, matches to decide and alerts at their
sites, rising themes and what one follows, and for admins the notes waiting for a vector and
the e-mails and webhook calls that failed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from insights.actions import services as actions
from insights.feedback import reads
from insights.following import alerts
from insights.following.models import Burst, Mail, Notification, Subscription, WebhookCall
from insights.models import Alert, Theme
from insights.questions import counts
from insights.questions.models import Question, QuestionMatch
from voc.access import lead_site_ids
from voc.desk import DUE_SOON, NEWS, TODO, Item, cached, register, watch
from voc.models import Insight, Outgoing, User
from voc.numbers import decimal
from voc.roles import Capability, has_capability


def _midnight(day: date) -> datetime:
    return counts.midnight(day)


@register
def questions_to_listen_for(user: User, today: date) -> list[Item]:
    """Agents: the open questions most asked lately, so they know what to listen for (the same
    for everyone: counted once a minute)."""
    if not has_capability(user, Capability.LOG_NOTES):
        return []
    return cached(f"listen-for:{get_language()}", 60, _questions_to_listen_for)


def _questions_to_listen_for() -> list[Item]:
    open_ids = list(Question.objects.filter(status=Question.Status.OPEN).values_list("pk", flat=True))
    month = counts.counts(question_ids=open_ids)
    top = sorted(month.items(), key=lambda item: -item[1].month)[:3]
    questions = Question.objects.in_bulk([pk for pk, _count in top])
    return [
        Item(
            NEWS,
            _("Listen for: “%(question)s”") % {"question": questions[pk].label},
            reverse("question_detail", args=[pk]),
            count=figures.month,
            detail=_("customers asked this in the last 30 days"),
            order=10,
        )
        for pk, figures in top
        if pk in questions and figures.month
    ]


@register
def what_became_of_my_notes(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.HEAR_BACK):
        return []
    return cached(f"heard:{user.pk}:{get_language()}", 300, lambda: _what_became_of(user, today))


def _what_became_of(user: User, today: date) -> list[Item]:
    summary = reads.summary(
        Insight.objects.filter(agent=user, occurred_at__gte=_midnight(today - timedelta(days=30))), heard_by=user
    )
    if not summary.notes and not summary.actions:
        return []
    items = [
        Item(
            NEWS,
            _("What happened to your notes of the last 30 days"),
            reverse("what_happened"),
            detail=_("%(themes)d of %(notes)d joined a theme; %(questions)d counted toward a question")
            % {"themes": summary.in_themes, "notes": summary.notes, "questions": summary.in_questions},
            order=20,
        )
    ]
    items += [
        Item(
            NEWS,
            actions.headline(action),
            reverse("action_detail", args=[action.pk]),
            detail=action.department,
            order=21,
        )
        for action in summary.actions[:2]
    ]
    return items


@register
def leads_to_do(user: User, today: date) -> list[Item]:
    items = []
    if has_capability(user, Capability.CURATE_THEMES):
        emerging = Theme.objects.proposed().count()
        if emerging:
            items.append(
                Item(
                    TODO,
                    ngettext("Emerging theme to review", "Emerging themes to review", emerging),
                    reverse("emerging_themes"),
                    count=emerging,
                    order=20,
                )
            )
    if has_capability(user, Capability.CONFIRM_MATCHES):
        items += cached(f"decide:{user.pk}:{get_language()}", 60, lambda: _matches_to_decide(user))
    if has_capability(user, Capability.VIEW_SITE_NOTES):
        sites = lead_site_ids(user)
        bursts = Burst.objects.filter(status=Burst.Status.OPEN).filter(
            Q(site_id__in=sites) | Q(pk__in=_bursts_told_to(user))
        )
        for burst in bursts.distinct()[:3]:
            items.append(
                Item(
                    TODO,
                    _("Alert: %(what)s") % {"what": alerts.label(burst)},
                    reverse("notifications"),
                    count=burst.count,
                    detail=_("notes in the last window (usually %(usual)s)") % {"usual": decimal(burst.baseline)},
                    state=DUE_SOON,
                    order=10,
                )
            )
    return items


def _matches_to_decide(user: User) -> list[Item]:
    items = []
    waiting = (
        QuestionMatch.objects.filter(
            state=QuestionMatch.State.SUGGESTED,
            site_id__in=lead_site_ids(user),
            question__status=Question.Status.OPEN,
            note__status=Insight.Status.ACTIVE,
        )
        .values("question_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    for row in waiting[:3]:
        question = Question.objects.get(pk=row["question_id"])
        items.append(
            Item(
                TODO,
                _("Possible matches to confirm for “%(question)s”") % {"question": question.label},
                reverse("question_detail", args=[question.pk]) + "#decide-title",
                count=row["n"],
                order=25,
            )
        )
    return items


def _bursts_told_to(user: User) -> list[int]:
    keys = Notification.objects.filter(user=user, kind=Notification.Kind.ALERT, read_at__isnull=True).values_list(
        "event_key", flat=True
    )
    return [int(key.split(":", 1)[1]) for key in keys if key.startswith("burst:") and key.split(":", 1)[1].isdigit()]


@register
def rising_and_followed(user: User, today: date) -> list[Item]:
    items = []
    if has_capability(user, Capability.READ_REPORTS):
        for alert in Alert.objects.filter(status=Alert.Status.OPEN).select_related("theme").order_by("-count")[:3]:
            items.append(
                Item(
                    NEWS,
                    _("Rising: %(theme)s") % {"theme": alert.theme.label},
                    reverse("theme_detail", args=[alert.theme_id]),
                    count=alert.count,
                    detail=_("notes last week against a usual %(usual)s") % {"usual": decimal(alert.baseline)},
                    order=5,
                )
            )
    if has_capability(user, Capability.SUBSCRIBE):
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        follows = Subscription.objects.filter(user=user).count()
        if unread:
            items.append(
                Item(
                    TODO,
                    ngettext("Unread notification", "Unread notifications", unread),
                    reverse("notifications"),
                    count=unread,
                    order=15,
                )
            )
        items.append(
            Item(
                NEWS,
                _("What you follow"),
                reverse("following"),
                count=follows,
                detail=_("Follow a theme or question from its page") if not follows else "",
                order=30,
            )
        )
    return items


@register
def machinery(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.ADMINISTER):
        return []
    since = timezone.now() - timedelta(days=1)
    # the last two days: the backlog that matters (older notes are caught up nightly), from the index
    recent = Insight.objects.active().filter(occurred_at__gte=timezone.now() - timedelta(days=2))
    waiting = recent.filter(vector__isnull=True).count()
    failed_mail = Mail.objects.filter(status=Outgoing.Status.FAILED, created_at__gte=since).count()
    failed_calls = WebhookCall.objects.filter(status=Outgoing.Status.FAILED, created_at__gte=since).count()
    failed = "?status__exact=failed"
    return [
        watch(
            _("Notes of the last two days waiting for a vector"),
            waiting,
            detail=_("embedded by the workers; the nightly job catches up"),
            alarm=waiting > 1000,
            order=4,
        ),
        watch(
            _("Alert and digest e-mails that failed in the last day"),
            failed_mail,
            url=reverse("admin:insights_mail_changelist") + failed,
            order=5,
        ),
        watch(
            _("Webhook calls that failed in the last day"),
            failed_calls,
            url=reverse("admin:insights_webhookcall_changelist") + failed,
            order=6,
        ),
    ]


@register
def themes_being_prepared(user: User, today: date) -> list[Item]:
    """While notes are still being read for the first time (a fresh install or the demo: the
    workers embed them, then discovery proposes themes), everyone sees how far it has got."""
    return cached(f"preparing:{get_language()}", 30, _themes_being_prepared)


def _themes_being_prepared() -> list[Item]:
    if Theme.objects.exists():
        return []
    recent = Insight.objects.active().filter(occurred_at__gte=timezone.now() - timedelta(days=60))
    total = recent.count()
    if not total:
        return []
    read = recent.filter(vector__isnull=False).count()
    return [
        Item(
            NEWS,
            _("Themes are being prepared"),
            count=read,
            detail=_(
                "%(read)s of %(total)s recent notes read. Themes appear once they are grouped: "
                "a few minutes after a fresh start (the demo), then every night."
            )
            % {"read": read, "total": total},
            order=0,
        )
    ]
