"""Demo newsletters: what a few Mondays of a running programme leave behind, so a fresh
`make run` shows an archive, a draft waiting for a lead and a monthly pack."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from newsletter import services
from newsletter.models import Issue, MonthlyPack
from voc import periods
from voc.models import User

ARCHIVE_WEEKS = 6


def seed_issues() -> dict[str, int]:
    """Idempotent. The older weeks are approved by the first lead and marked sent without
    e-mailing anyone (the demo people have made-up addresses); last week stays a draft for a
    lead to review, approve and send. PDFs and last month's pack are rendered here, in the worker."""
    lead = User.objects.filter(role=User.Role.LEAD, is_active=True).order_by("id").first()
    last = periods.last_complete_week(timezone.localdate())
    drafted = archived = 0
    for i in range(ARCHIVE_WEEKS - 1, -1, -1):
        issue, created = services.prepare_weekly_issue(week_start=last - timedelta(weeks=i))
        drafted += created
        if issue.status == Issue.Status.SKIPPED:
            continue
        if created and i > 0 and lead is not None:
            services.approve_issue(issue=issue, by=lead)
            Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, sent_at=timezone.now())
            archived += 1
        if not issue.pdf_rendered_at:
            services.render_issue_pdf(issue=Issue.objects.get(pk=issue.pk))
    month = periods.previous_month(timezone.localdate())
    pack = MonthlyPack.objects.filter(month=month).exclude(rendered_at=None).first()
    pack = pack or services.prepare_monthly_pack(month=month)
    return {"drafted": drafted, "archived": archived, "pack": pack.pk}
