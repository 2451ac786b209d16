"""One event (an alert raised, an action under way or done) told to everyone concerned, each
the way they chose: in the product (a notification, updated if raised again), by e-mail (once
per person), and to the webhooks of the subscriptions behind it and of the departments
concerned (once per webhook). Sending happens in workers, after commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from insights.following import services
from insights.following.models import Mail, Subscription, Webhook, WebhookCall
from voc.emails import absolute_url
from voc.models import User


@dataclass
class Event:
    key: str  # "burst:12", "action:4:done": one per event, whoever hears of it
    kind: str  # a Notification.Kind (and Mail.Kind) value
    title: Callable[[], str]  # called in each reader's language
    body: str = ""
    url: str = ""  # a path in the product
    in_app: set[int] = field(default_factory=set)
    by_email: set[int] = field(default_factory=set)
    subscriptions: set[int] = field(default_factory=set)  # their webhooks are called
    department: str = ""  # its webhooks are called, besides those of the people told
    # Each reader's own body where it depends on what they may read (ids in, bodies out);
    # ``body`` is the rest's, and the webhooks'.
    body_for: Callable[[set[int]], dict[int, str]] | None = None

    def add_followers(self, subscriptions: QuerySet[Subscription]) -> None:
        """Everyone behind ``subscriptions``, the way each chose, and their webhooks."""
        for pk, user_id, in_app, by_email in subscriptions.values_list("pk", "user_id", "in_app", "alert_email"):
            self.subscriptions.add(pk)
            if in_app:
                self.in_app.add(user_id)
            if by_email:
                self.by_email.add(user_id)


def publish(event: Event) -> None:
    """Notify, queue the e-mails and the webhook calls of ``event``; raised again, the
    notifications are updated and nothing is sent twice."""
    people = dict(
        User.objects.filter(pk__in=event.in_app | event.by_email, is_active=True).values_list("pk", "language")
    )
    bodies = event.body_for(set(people)) if event.body_for else {}
    titles = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            titles[language] = event.title()[:200]
    for language, ids in _by_language(people, event.in_app).items():
        for body, readers in _by_body(ids, bodies, event.body).items():
            services.notify(
                users=readers,
                event_key=event.key,
                kind=event.kind,
                title=titles.get(language) or titles[settings.LANGUAGE_CODE],
                titles=titles,
                body=body,
                url=event.url,
            )
    mails = _mails(event, people, bodies)
    calls = _calls(event, departments=_departments(people))
    if mails or calls:
        transaction.on_commit(lambda: _send(mails=bool(mails), calls=bool(calls)))


def _by_language(people: dict[int, str], ids: Iterable[int]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        if pk in people:
            grouped[people[pk] or settings.LANGUAGE_CODE].append(pk)
    return grouped


def _by_body(ids: Iterable[int], bodies: dict[int, str], default: str) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        grouped[bodies.get(pk, default)].append(pk)
    return grouped


def _mails(event: Event, people: dict[int, str], bodies: dict[int, str]) -> int:
    addresses = dict(
        User.objects.filter(pk__in=[pk for pk in event.by_email if pk in people])
        .exclude(email="")
        .values_list("pk", "email")
    )
    rows = []
    for language, ids in _by_language(people, addresses).items():
        with translation.override(language):
            title = event.title()[:200]
        rows += [
            Mail(
                user_id=pk,
                email=addresses[pk],
                language=language,
                kind=event.kind,
                event_key=event.key,
                title=title,
                body=bodies.get(pk, event.body),
                url=event.url,
            )
            for pk in ids
        ]
    return len(Mail.objects.bulk_create(rows, ignore_conflicts=True))  # sent already: not again


def _departments(people: dict[int, str]) -> set[str]:
    return set(User.objects.filter(pk__in=people).exclude(department="").values_list("department", flat=True))


def _calls(event: Event, *, departments: set[str]) -> int:
    if event.department:
        departments.add(event.department)
    webhooks = Webhook.objects.filter(active=True).filter(
        Q(subscription_id__in=event.subscriptions) | Q(department__in=departments, subscription__isnull=True)
    )
    rows = []
    for webhook in webhooks:
        with translation.override(webhook.language):
            title = event.title()[:200]
        rows.append(WebhookCall(webhook=webhook, event_key=event.key, payload=payload(event, title=title)))
    return len(WebhookCall.objects.bulk_create(rows, ignore_conflicts=True))


def payload(event: Event, *, title: str) -> dict[str, str]:
    """What a webhook receives: the event in plain fields, and ``text`` that Slack and Teams
    show as the message."""
    link = absolute_url(event.url) if event.url else ""
    text = "\n".join(part for part in (f"*{title}*", event.body, link) if part)
    return {
        "event": event.key,
        "kind": event.kind,
        "title": title,
        "details": event.body,
        "url": link,
        "text": text,
        "created_at": timezone.now().isoformat(),
    }


def _send(*, mails: bool, calls: bool) -> None:
    from insights import tasks

    if mails:
        tasks.send_following_mail.delay()
    if calls:
        tasks.call_webhooks.delay()
