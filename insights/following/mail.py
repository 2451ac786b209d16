"""E-mail from following: alerts and news of actions (queued by ``events.publish``), daily and
weekly digests of what a person follows, and the agents' weekly "what happened to your notes".
One ``Mail`` row per person and event, in the reader's language, sent once through the claims
of ``voc.outbox``, each with a one-click unsubscribe (RFC 8058) for that kind of e-mail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insights.actions.models import Action
from insights.feedback import reads
from insights.following.models import Burst, Mail, MailPreference, Subscription
from insights.following.targets import describe, target_notes
from insights.questions.counts import midnight
from voc import audit, emails, outbox
from voc.errors import DomainError
from voc.models import Insight, User

UNSUBSCRIBE_SALT = "following.unsubscribe"
UNSUBSCRIBE_WHAT = {
    Mail.Kind.ALERT: "alerts",
    Mail.Kind.ACTION: "alerts",
    Mail.Kind.DAILY: "daily",
    Mail.Kind.WEEKLY: "weekly",
    Mail.Kind.WHAT_HAPPENED: "heard",
}


# --- building and sending ----------------------------------------------------------------------


def unsubscribe_token(*, user: User, what: str) -> str:
    return emails.signed_link_token(user=user, what=what, salt=UNSUBSCRIBE_SALT)


def render(mail: Mail) -> emails.Rendered:
    what = UNSUBSCRIBE_WHAT[Mail.Kind(mail.kind)]
    context: dict[str, Any] = {
        "mail": mail,
        "link": emails.absolute_url(mail.url) if mail.url else "",
        "unsubscribe_url": emails.url_for("following_unsubscribe", unsubscribe_token(user=mail.user, what=what)),
        "settings_url": emails.url_for("following"),
        "what": what,
    }
    return emails.render(
        language=mail.language,
        subject=lambda: mail.title,
        text_template="insights/following/email/mail.txt",
        html_template="insights/following/email/mail.html",
        context=context,
    )


def build_message(mail: Mail) -> EmailMultiAlternatives:
    rendered = render(mail)
    unsubscribe = emails.url_for(
        "following_unsubscribe", unsubscribe_token(user=mail.user, what=UNSUBSCRIBE_WHAT[Mail.Kind(mail.kind)])
    )
    return emails.message(
        rendered,
        to=mail.email,
        headers={
            "Message-ID": f"<listening-post.mail.{mail.pk}@{emails.sender_domain()}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_pending() -> outbox.Run:
    """E-mail every claimable ``Mail`` once."""
    return outbox.send_all(Mail.objects.select_related("user"), outbox.MailTransport(build_message))


# --- digests -----------------------------------------------------------------------------------


def period(frequency: str, today: date) -> tuple[date, date]:
    """The whole day (daily) or ISO week (weekly) before ``today``: ``[start, end)``."""
    if frequency == Mail.Kind.DAILY:
        return today - timedelta(days=1), today
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7), this_monday


def queue_digests(*, frequency: str, today: date) -> int:
    """One digest per person who wants ``frequency`` (daily or weekly) of what they follow, for
    the day or week before ``today``; nothing for a person whose follows were all quiet. Safe
    to run twice (one row per person and period). Returns how many were queued."""
    start, end = period(frequency, today)
    people = User.objects.filter(is_active=True, subscriptions__digest=frequency).exclude(email="").distinct()
    queued = 0
    for user in people:
        key = f"digest:{frequency}:{start.isoformat()}"
        if Mail.objects.filter(user=user, event_key=key).exists():
            continue
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            items = [
                line
                for line in (
                    _digest_line(s, start=start, end=end, user=user)
                    for s in user.subscriptions.filter(digest=frequency).select_related(
                        "theme", "question", "site", "product_area"
                    )
                )
                if line
            ]
            if not items:
                continue
            title = (
                _("What you follow, %(day)s") % {"day": _day(start)}
                if frequency == Mail.Kind.DAILY
                else _("What you follow, the week of %(day)s") % {"day": _day(start)}
            )
        queued += _queue(
            user, kind=frequency, key=key, language=language, title=title, items=items, url=reverse("following")
        )
    return queued


def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _count(n: int) -> str:
    threshold = settings.VOC_PUBLISH_THRESHOLD
    if 0 < n < threshold:
        return _("fewer than %(n)d") % {"n": threshold}
    return str(n)


def _digest_line(subscription: Subscription, *, start: date, end: date, user: User) -> dict[str, str] | None:
    span = end - start
    notes = target_notes(subscription)
    now_n = notes.filter(occurred_at__gte=midnight(start), occurred_at__lt=midnight(end)).count()
    before_n = notes.filter(occurred_at__gte=midnight(start - span), occurred_at__lt=midnight(start)).count()
    subject_keys = [f"subscription:{subscription.pk}"]
    if subscription.theme_id:
        subject_keys.append(f"theme:{subscription.theme_id}")
    if subscription.question_id:
        subject_keys.append(f"question:{subscription.question_id}")
    bursts = Burst.objects.filter(
        subject__in=subject_keys, last_seen_at__gte=midnight(start), opened_at__lt=midnight(end)
    ).count()
    moved = Action.objects.filter(
        Q(themes=subscription.theme_id) | Q(questions=subscription.question_id),
        updated_at__gte=midnight(start),
        updated_at__lt=midnight(end),
        status__in=[Action.Status.IN_PROGRESS, Action.Status.DONE],
    ).distinct()[:3]
    if not now_n and not bursts and not moved:
        return None
    parts = [_("%(now)s notes (%(before)s the period before)") % {"now": _count(now_n), "before": _count(before_n)}]
    if bursts:
        parts.append(ngettext("%(n)d alert", "%(n)d alerts", bursts) % {"n": bursts})
    parts += [f"{action.get_status_display()}: {action.title}" for action in moved]
    return {"title": describe(subscription), "detail": " · ".join(parts), "url": _target_url(subscription)}


def _target_url(subscription: Subscription) -> str:
    if subscription.question_id:
        return emails.url_for("question_detail", subscription.question_id)
    if subscription.theme_id:
        return emails.url_for("theme_detail", subscription.theme_id)
    return emails.url_for("following")


def _queue(user: User, *, kind: str, key: str, language: str, title: str, items: list[dict[str, str]], url: str) -> int:
    created = Mail.objects.bulk_create(
        [
            Mail(
                user=user,
                email=user.email,
                language=language,
                kind=kind,
                event_key=key,
                title=title[:200],
                items=items,
                url=url,
            )
        ],
        ignore_conflicts=True,
    )
    return len(created)


# --- the agents' weekly "what happened" --------------------------------------------------------


def queue_what_happened(*, today: date) -> int:
    """Mondays: to each person who asked for it, what their notes of last week led to and the
    actions taken last week on anything they ever told us. Nothing when there is nothing to
    say. Safe to run twice."""
    start, end = period(Mail.Kind.WEEKLY, today)
    key = f"heard:{start.isoformat()}"
    wanted = MailPreference.objects.filter(what_happened_weekly=True, user__is_active=True).exclude(user__email="")
    queued = 0
    for preference in wanted.select_related("user"):
        user = preference.user
        if Mail.objects.filter(user=user, event_key=key).exists():
            continue
        mine = Insight.objects.filter(agent=user)
        week = reads.summary(mine.filter(occurred_at__gte=midnight(start), occurred_at__lt=midnight(end)))
        news = [
            action
            for action in reads.summary(mine, heard_by=user).actions
            if midnight(start) <= action.updated_at < midnight(end)
        ]
        if not week.notes and not news:
            continue
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            items = [
                {
                    "title": ngettext("%(notes)d note last week", "%(notes)d notes last week", week.notes)
                    % {"notes": week.notes},
                    "detail": _("%(themes)d joined a theme; %(questions)d counted toward a question head office asked.")
                    % {"themes": week.in_themes, "questions": week.in_questions},
                    "url": emails.url_for("what_happened"),
                }
            ] + [
                {
                    "title": action.title,
                    "detail": f"{action.get_status_display()} · {action.department}",
                    "url": emails.url_for("action_detail", action.pk),
                }
                for action in news
            ]
            title = _("What happened to what you told us, the week of %(day)s") % {"day": _day(start)}
        queued += _queue(
            user,
            kind=Mail.Kind.WHAT_HAPPENED,
            key=key,
            language=language,
            title=title,
            items=items,
            url=reverse("what_happened"),
        )
    return queued


def set_what_happened(*, user: User, weekly: bool) -> MailPreference:
    preference, _created = MailPreference.objects.update_or_create(user=user, defaults={"what_happened_weekly": weekly})
    return preference


def wants_what_happened(user: User) -> bool:
    return MailPreference.objects.filter(user=user, what_happened_weekly=True).exists()


# --- unsubscribing -----------------------------------------------------------------------------


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off the kind of e-mail the signed link names: e-mail alerts, daily or weekly
    digests, or the weekly "what happened". In-app notifications stay. Safe to follow twice."""
    user, what = emails.read_signed_link(token, salt=UNSUBSCRIBE_SALT)
    if what == "alerts":
        user.subscriptions.update(alert_email=False)
    elif what in (Mail.Kind.DAILY, Mail.Kind.WEEKLY):
        user.subscriptions.filter(digest=what).update(digest="")
    elif what == "heard":
        set_what_happened(user=user, weekly=False)
    else:
        raise DomainError(_("This unsubscribe link is not valid."))
    audit.record(actor=user, action="following.unsubscribed", obj=user, details={"what": what})
    return user, what
