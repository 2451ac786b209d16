"""The pack's executive-programme section: cases, learning and listening of the month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from newsletter import pack
from tests.factories import ComplaintCaseFactory, ListeningSessionFactory, UserFactory
from voc.models import CaseGap, User

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 1)


def test_the_programme_section_counts_cases_learning_and_listening(add_notes):
    complaints = add_notes(5, kind="complaint", week=date(2026, 9, 21))
    executives = [UserFactory(username=f"exec{i}", role=User.Role.EXECUTIVE, rank=i + 1) for i in range(5)]
    deadline = timezone.now()
    for i, (executive, note) in enumerate(zip(executives[:4], complaints, strict=False)):
        ComplaintCaseFactory(
            month=OCTOBER,
            executive=executive,
            note=note,
            acknowledge_by=deadline,
            acknowledged_at=deadline - timedelta(hours=1) if i < 3 else deadline + timedelta(days=1),
            status="resolved" if i < 3 else "handed_back",
            root_cause="process" if i < 3 else "",
            learned=f"Lesson {i}" if i < 3 else "",
        )
    CaseGap.objects.create(month=OCTOBER, executive=executives[4], reason="Not enough complaints")
    for executive in executives[:3]:
        ListeningSessionFactory(person=executive, day=date(2026, 10, 14), minutes=60, queue="Cards")
    ListeningSessionFactory(person=executives[0], day=date(2026, 11, 2), minutes=600, queue="Cards")  # November

    sections = {s.key: s for s in pack.month_figures(OCTOBER)["sections"]}
    data = sections["programme"].data
    counts = {row["label"]: (row["count"], row["shown"]) for row in data["figures"]}
    assert counts["Cases assigned"] == (4, True) and counts["Acknowledged within the target"] == (3, True)
    assert counts["Resolved"] == (3, True) and counts["Handed back"] == (1, False)  # below the threshold
    assert counts["Executives without a case"] == (1, False)
    assert counts["People who listened to calls"] == (3, True) and counts["Hours of listening"] == (3, True)
    assert data["causes"] == [{"label": "A process or policy of ours", "count": 3}]
    assert [line["text"] for line in data["learned"]] == ["Lesson 0", "Lesson 1", "Lesson 2"]


def test_no_programme_no_section(add_notes):
    add_notes(5)
    assert "programme" not in {s.key for s in pack.month_figures(OCTOBER)["sections"]}
