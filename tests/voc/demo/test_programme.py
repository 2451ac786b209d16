"""The demo programme: executives with cases in several states, listening, once only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import ComplaintContactFactory, ComplaintFactory, UserFactory
from voc.demo import programme as demo_programme
from voc.models import ComplaintCase, ListeningSession, User

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 11, 23, 12))


def test_the_demo_programme_has_cases_in_several_states_and_runs_once(agent, lead):
    for username, _rank in demo_programme.RANKS.items():
        UserFactory(username=username, role=User.Role.EXECUTIVE)
    for i in range(12):
        note = ComplaintFactory(
            agent=agent, text=f"Complaint number {i} about a blocked card", occurred_at=NOW - timedelta(days=70 - 3 * i)
        )
        ComplaintContactFactory(note=note, name=f"C{i}", email=f"c{i}@example.com", consent=True)
    first = demo_programme.seed_programme(now=NOW)
    assert first["cases"] == 8 and first["sessions"] > 0
    statuses = set(ComplaintCase.objects.filter(month="2026-11-01").values_list("status", flat=True))
    assert statuses == {"assigned", "acknowledged", "contacted", "resolved"}
    october = ComplaintCase.objects.filter(month="2026-10-01")
    assert set(october.values_list("status", flat=True)) == {"resolved", "handed_back"}
    assert all(c.learned for c in october.filter(status="resolved"))
    assert User.objects.get(username="ana.exec").rank == 1
    again = demo_programme.seed_programme(now=NOW)
    assert again == {"cases": 0, "sessions": 0} and ListeningSession.objects.count() == first["sessions"]
