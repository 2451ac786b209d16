from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def burst_of(note_at):
    def make(count: int, *, vector, minutes_ago: int = 5, **fields):
        now = timezone.now()
        return [
            note_at(
                f"App crashes when I open my card page, call {i}",
                vector,
                occurred_at=now - timedelta(minutes=minutes_ago + i),
                **fields,
            )
            for i in range(count)
        ]

    return make
