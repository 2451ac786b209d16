"""The demo archive a fresh `make run` shows: past issues sent, last week's draft, a pack."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsletter import demo, pdf, services
from newsletter.models import Issue, MonthlyPack

pytestmark = pytest.mark.django_db


def test_demo_issues_are_an_archive_a_draft_and_a_pack_and_seeding_twice_adds_nothing(
    add_notes, lead, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(pdf, "weekly", lambda issue: b"%PDF weekly")
    monkeypatch.setattr(pdf, "monthly", lambda month: b"%PDF monthly")
    last = services.previous_week()
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
