"""Following: subscribe to a theme, a question, a site, a product area or a kind, and the
notifications a person reads in the product (one per event: raised again, it is updated)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insights.following.models import Notification, Subscription
from insights.models import Theme
from insights.questions.models import Question
from insights.questions.services import live_theme
from voc.access import own_site_ids
from voc.errors import NotAllowed, Problems
from voc.models import Insight, ProductArea, Site, User
from voc.numbers import decimal
from voc.roles import Capability, has_capability

MAX_ALERT_THRESHOLD = 100_000  # notes a day; more than any installation logs
NOTHING_CHOSEN = gettext_lazy("Choose what to follow: a theme, a question, a site, a product or a kind.")


def target_key(
    *,
    theme: Theme | None = None,
    question: Question | None = None,
    site: Site | None = None,
    product_area: ProductArea | None = None,
    kind: str = "",
) -> str:
    """What a subscription follows, as one key ("site:2|kind:complaint"): one row per person and key."""
    parts = [
        f"theme:{theme.pk}" if theme else "",
        f"question:{question.pk}" if question else "",
        f"site:{site.pk}" if site else "",
        f"area:{product_area.pk}" if product_area else "",
        f"kind:{kind}" if kind else "",
    ]
    return "|".join(p for p in parts if p)


@transaction.atomic
def follow(
    *,
    user: User,
    theme: Theme | None = None,
    question: Question | None = None,
    site: Site | None = None,
    product_area: ProductArea | None = None,
    kind: str = "",
    in_app: bool = True,
    digest: str = "",
    alert_on_spike: bool = True,
    alert_email: bool = False,
    alert_threshold: int | None = None,
) -> Subscription:
    """Follow a target (or a combination, e.g. complaints at a site). Following it again changes
    how one hears of it; a merged theme is followed where its notes went."""
    if not has_capability(user, Capability.SUBSCRIBE):
        raise NotAllowed(_("Your role cannot follow anything."))
    problems = Problems()
    if kind and kind not in Insight.Kind.values:
        problems.add(_("Unknown kind."), field="kind")
    if digest not in Subscription.Digest.values:
        problems.add(_("Unknown digest."), field="digest")
    if alert_threshold is not None and not 1 <= alert_threshold <= MAX_ALERT_THRESHOLD:
        problems.add(
            _("The threshold is a number of notes a day, from 1 to %(max)s.") % {"max": decimal(MAX_ALERT_THRESHOLD)},
            field="alert_threshold",
        )
    if theme is not None:
        theme = live_theme(theme)
        if theme.status == Theme.Status.ARCHIVED:
            problems.add(_("This theme is archived; there is nothing left to follow."), field="theme")
    if question is not None and question.status != Question.Status.OPEN:
        problems.add(_("This question is closed; it counts nothing new."), field="question")
    if site is not None and not has_capability(user, Capability.READ_REPORTS) and site.pk not in own_site_ids(user):
        problems.add(_("You can follow only your own sites."), field="site")
    key = target_key(theme=theme, question=question, site=site, product_area=product_area, kind=kind)
    if not key:
        problems.add(str(NOTHING_CHOSEN))
    problems.raise_any()
    subscription, _created = Subscription.objects.update_or_create(
        user=user,
        target_key=key,
        defaults={
            "theme": theme,
            "question": question,
            "site": site,
            "product_area": product_area,
            "kind": kind,
            "in_app": in_app,
            "digest": digest,
            "alert_on_spike": alert_on_spike,
            "alert_email": alert_email,
            "alert_threshold": alert_threshold,
        },
    )
    return subscription


def change_how(*, subscription: Subscription, user: User, **how: Any) -> Subscription:
    """Change how ``user`` hears of what ``subscription`` follows (``follow``'s keyword
    arguments after ``kind``)."""
    if subscription.user_id != user.pk:
        raise NotAllowed(_("This is not your subscription."))
    return follow(
        user=user,
        theme=subscription.theme,
        question=subscription.question,
        site=subscription.site,
        product_area=subscription.product_area,
        kind=subscription.kind,
        **how,
    )


def subscription_of(user: User, *, theme: Theme | None = None, question: Question | None = None) -> Subscription | None:
    """``user``'s subscription to exactly this theme or question, if any."""
    key = target_key(theme=theme, question=question)
    return Subscription.objects.filter(user=user, target_key=key).first() if key else None


def unfollow(*, subscription: Subscription, user: User) -> None:
    if subscription.user_id != user.pk:
        raise NotAllowed(_("This is not your subscription."))
    subscription.delete()


def follow_merge(*, source: Theme, target: Theme) -> int:
    """After ``source`` was merged into ``target``: subscriptions to it follow the target (a
    person who already follows the target keeps that one). Returns how many moved."""
    moved = 0
    for subscription in Subscription.objects.filter(theme=source).select_related("site", "product_area"):
        key = target_key(
            theme=target,
            question=subscription.question,
            site=subscription.site,
            product_area=subscription.product_area,
            kind=subscription.kind,
        )
        if Subscription.objects.filter(user_id=subscription.user_id, target_key=key).exists():
            subscription.delete()
            continue
        subscription.theme, subscription.target_key = target, key
        subscription.save(update_fields=["theme", "target_key", "updated_at"])
        moved += 1
    return moved


def notify(
    *,
    users: Iterable[int],
    event_key: str,
    kind: str,
    title: str,
    titles: dict[str, str] | None = None,
    body: str = "",
    url: str = "",
) -> int:
    """Tell each person (ids) about one event, once: the same ``event_key`` again updates their
    row and marks it unread, never adds one. ``titles``: the title in each language, shown in
    the reader's. Two queries. Returns how many people."""
    titles = titles or {}
    ids = sorted(set(users))
    if not ids:
        return 0
    now = timezone.now()
    existing = set(Notification.objects.filter(user_id__in=ids, event_key=event_key).values_list("user_id", flat=True))
    Notification.objects.filter(user_id__in=existing, event_key=event_key).update(
        title=title, titles=titles, body=body, url=url, updated_at=now, read_at=None
    )
    Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, event_key=event_key, title=title, titles=titles, body=body, url=url)
            for pk in ids
            if pk not in existing
        ],
        ignore_conflicts=True,  # a run racing this one made the row: it says the same
    )
    return len(ids)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, notifications: QuerySet[Notification]) -> int:
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
