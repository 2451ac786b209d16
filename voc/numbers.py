"""Numbers in sentences, written the way the active language writes them."""

from __future__ import annotations

from django.utils.formats import number_format


def decimal(value: float | None) -> str:
    """``value`` with one decimal at most, written the way the active language writes numbers
    ("12.6" in English, "12,6" in Spanish): sentences are made inside each language."""
    if value is None:
        return ""
    rounded = round(float(value), 1)
    return number_format(rounded, decimal_pos=0 if rounded == int(rounded) else 1, force_grouping=True)
