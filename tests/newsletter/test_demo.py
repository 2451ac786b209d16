"""The demo archive a fresh `make run` shows: past issues sent, last week's draft, a pack."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter import demo, pdf, services
from newsletter.models import Issue, MonthlyPack
from voc import periods

pytestmark = pytest.mark.django_db


def test_demo_issues_are_an_archive_a_draft_and_a_pack_and_seeding_twice_adds_nothing(
    add_notes, lead, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(pdf, "weekly", lambda issue, language=None: b"%PDF weekly")
    monkeypatch.setattr(pdf, "monthly", lambda month, language=None: b"%PDF monthly")
    last = periods.last_complete_week(timezone.localdate())
    for i in range(demo.ARCHIVE_WEEKS):
        add_notes(4, week=last - timedelta(weeks=i), caused_by_us=True)
    first = demo.seed_issues()
    assert first["drafted"] == demo.ARCHIVE_WEEKS and first["archived"] == demo.ARCHIVE_WEEKS - 1
    assert Issue.objects.get(week_start=last).status == Issue.Status.DRAFT
    assert Issue.objects.filter(status=Issue.Status.SENT).count() == demo.ARCHIVE_WEEKS - 1
    assert not Issue.objects.filter(pdf_rendered_at=None).exists()
    assert MonthlyPack.objects.get().pdf.read() == b"%PDF monthly"
    second = demo.seed_issues()
    assert second["drafted"] == 0 and second["archived"] == 0 and Issue.objects.count() == demo.ARCHIVE_WEEKS
    assert MonthlyPack.objects.count() == 1


def test_rendering_again_replaces_the_pdf_instead_of_piling_up_copies(add_notes, lead, monkeypatch, settings):
    monkeypatch.setattr(pdf, "weekly", lambda issue, language=None: b"%PDF first")
    add_notes(4, caused_by_us=True, week=periods.last_complete_week(timezone.localdate()))
    issue, _ = services.prepare_weekly_issue(week_start=periods.last_complete_week(timezone.localdate()))
    services.render_issue_pdf(issue=issue)
    monkeypatch.setattr(pdf, "weekly", lambda issue, language=None: b"%PDF second")
    services.render_issue_pdf(issue=Issue.objects.get(pk=issue.pk))
    issue.refresh_from_db()
    folder = settings.MEDIA_ROOT / "newsletters"
    # one file per interface language, each replaced, none piled up
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"listening-post-{issue.label}.pdf"]
        + [f"listening-post-{issue.label}.{code}.pdf" for code in services.other_languages()]
    )
    assert issue.pdf.read() == b"%PDF second"
