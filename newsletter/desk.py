"""What the newsletter adds to each person's home page (``voc.desk``): the week's draft waiting
for an editor, the latest issue and pack for readers, and failed deliveries for admins."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from newsletter.models import Delivery, Issue, MonthlyPack
from voc.desk import NEWS, TODO, Item, due_state, register, watch
from voc.models import User
from voc.roles import Capability, has_capability


@register
def issues(user: User, today: date) -> list[Item]:
    items = []
    if has_capability(user, Capability.EDIT_NEWSLETTERS):
        waiting = Issue.objects.filter(status__in=[Issue.Status.DRAFT, Issue.Status.REVIEWED]).order_by("-week_start")
        for issue in waiting[:2]:
            # the week's issue is due out on the Tuesday after its week (the draft comes on Monday)
            due = issue.send_at or timezone.make_aware(datetime.combine(issue.week_start + timedelta(days=8), time.min))
            items.append(
                Item(
                    TODO,
                    (
                        _("Review the newsletter of week %(week)s")
                        if issue.status == Issue.Status.DRAFT
                        else _("Approve the newsletter of week %(week)s")
                    )
                    % {"week": issue.label},
                    reverse("newsletter_edit", args=[issue.pk]),
                    detail=issue.get_status_display(),
                    due=due,
                    state=due_state(due),
                    order=1,
                )
            )
    if has_capability(user, Capability.READ_NEWSLETTERS):
        latest = Issue.objects.filter(status=Issue.Status.SENT).order_by("-week_start").first()
        if latest is not None:
            items.append(
                Item(
                    NEWS,
                    _("Did you know…? Week %(week)s") % {"week": latest.label},
                    reverse("newsletter_detail", args=[latest.pk]),
                    detail=_("The latest issue"),
                    order=1,
                )
            )
    if has_capability(user, Capability.READ_REPORTS):
        pack = MonthlyPack.objects.exclude(rendered_at=None).order_by("-month").first()
        if pack is not None:
            items.append(
                Item(
                    NEWS,
                    _("The head-office pack for %(month)s") % {"month": pack.label},
                    reverse("newsletter_pack_pdf", args=[pack.pk]),
                    order=2,
                )
            )
    return items


@register
def deliveries(user: User, today: date) -> list[Item]:
    if not has_capability(user, Capability.ADMINISTER):
        return []
    failed = Delivery.objects.filter(
        status=Delivery.Status.FAILED, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    return [
        watch(
            _("Newsletter e-mails that failed in the last day"),
            failed,
            url=reverse("admin:newsletter_delivery_changelist") + "?status__exact=failed",
            order=5,
        )
    ]
