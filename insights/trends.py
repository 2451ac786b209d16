"""Weekly series and spikes: pure functions over counts (the counts come from SQL)."""

from __future__ import annotations

from dataclasses import dataclass

BASELINE_WEEKS = 4
MIN_COUNT = 5
RATIO = 2.0


@dataclass(frozen=True)
class Spike:
    count: int
    baseline: float
    ratio: float


def spike(
    series: list[int], *, min_count: int = MIN_COUNT, ratio: float = RATIO, window: int = BASELINE_WEEKS
) -> Spike | None:
    """Is the last value of ``series`` a spike against the mean of the ``window`` values before it?

    A spike needs at least ``min_count`` and at least ``ratio`` times the baseline (a baseline
    below one counts as one, so a theme going from nothing to a handful is not a spike by itself
    unless it reaches ``min_count``)."""
    if not series:
        return None
    current = series[-1]
    history = series[-window - 1 : -1]
    baseline = sum(history) / len(history) if history else 0.0
    if current < min_count or current < ratio * max(baseline, 1.0):
        return None
    return Spike(count=current, baseline=round(baseline, 2), ratio=round(current / max(baseline, 1.0), 2))


def change(current: int, previous: list[int]) -> float | None:
    """Relative change of ``current`` against the mean of ``previous`` (None without a base)."""
    if not previous:
        return None
    base = sum(previous) / len(previous)
    if base == 0:
        return None
    return round((current - base) / base, 3)
