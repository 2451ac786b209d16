"""``newsletter build`` by hand: safe twice, clear errors, --send and --pdf."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from newsletter.models import Delivery, Issue
from tests.newsletter.conftest import WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def week_notes(add_notes, cast):
    add_notes(5, caused_by_us=True, text="You charged me twice for the same transfer")


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("newsletter", "build", *args, stdout=out)
    return out.getvalue()


def test_build_drafts_the_week_and_a_second_run_leaves_it_untouched(week_notes):
    first = run("--week", "2026-W45")
    assert "Drafted: issue 2026-W45" in first and "failure demand" in first
    second = run("--week", "2026-W45")
    assert "Already there" in second and Issue.objects.count() == 1


def test_build_with_send_approves_and_queues_one_delivery_per_reader_even_twice(week_notes, cast):
    run("--week", "2026-W45", "--send")
    issue = Issue.objects.get(week_start=WEEK)
    assert issue.status == Issue.Status.SENT and issue.approved_at is not None
    assert Delivery.objects.filter(issue=issue).count() == len(cast)
    assert "Already sent" in run("--week", "2026-W45", "--send")
    assert Delivery.objects.filter(issue=issue).count() == len(cast)


@pytest.mark.parametrize(
    ("week", "message"),
    [("2026-W99", "not an ISO week"), ("next week", "not an ISO week"), ("2031-W02", "has not ended yet")],
)
def test_bad_weeks_are_refused_with_a_clear_message(week, message):
    with pytest.raises(CommandError, match=message):
        run("--week", week)
    assert not Issue.objects.exists()


def test_a_quiet_week_is_reported_as_skipped(add_notes):
    add_notes(1)
    assert "recorded as skipped" in run("--week", "2026-W45", "--send")
    assert not Delivery.objects.exists()


def test_build_writes_the_pdf(week_notes, tmp_path):
    target = tmp_path / "w45.pdf"
    run("--week", "2026-W45", "--pdf", str(target))
    assert target.read_bytes().startswith(b"%PDF")
