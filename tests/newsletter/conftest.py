"""A constructed history: notes placed in given ISO weeks with known flags, themes and +1s."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from insights.models import Assignment, Theme
from tests.factories import ThemeFactory
from voc.models import Insight, Tally

WEEK = date(2026, 11, 2)  # Monday of 2026-W45
TODAY = date(2026, 11, 20)  # W45 has ended; W47 has not


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """PDFs written by a test stay in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def add_notes(agent):
    """``add_notes(n, week=WEEK, **fields)``: ``n`` active notes on the Tuesday of ``week``."""

    def add(n: int, *, week: date = WEEK, theme: Theme | None = None, **fields) -> list[Insight]:
        author = fields.pop("agent", agent)
        defaults = {
            "kind": Insight.Kind.NEED,
            "channel": Insight.Channel.PHONE,
            "language": Insight.Language.ENGLISH,
            "text": "My card has still not arrived after two weeks of waiting",
        }
        defaults.update(fields)
        notes = Insight.objects.bulk_create(
            Insight(agent=author, site_id=author.site_id, occurred_at=at(week + timedelta(days=1)), **defaults)
            for _ in range(n)
        )
        if theme is not None:
            Assignment.objects.bulk_create(
                Assignment(note=note, theme=theme, method=Assignment.Method.AUTO, confidence=0.9) for note in notes
            )
        return notes

    return add


@pytest.fixture
def theme(db) -> Theme:
    return ThemeFactory(name="Card not arrived")


@pytest.fixture
def plus_ones(agent):
    def add(note: Insight, n: int, *, day: date) -> None:
        for _ in range(n):
            tally = Tally.objects.create(note=note, agent=agent, site_id=agent.site_id, channel=note.channel)
            Tally.objects.filter(pk=tally.pk).update(created_at=at(day))

    return add
