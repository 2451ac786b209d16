"""The one chart module: small SVG charts drawn server-side, shared by pages and PDFs."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

BRAND = "#0b5d6b"
ACCENT = "#c2410c"
MUTED = "#8695a3"
NARROW_WIDTH = 340  # a phone's drawing of a chart


def sparkline(values: Sequence[int], *, width: int = 120, height: int = 28, label: str = "") -> SafeString:
    """A tiny trend line; the last point is marked."""
    if not values:
        return mark_safe("")
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    points = [(round(i * step, 1), round(height - 3 - (v / top) * (height - 6), 1)) for i, v in enumerate(values)]
    path = " ".join(f"{x},{y}" for x, y in points)
    last_x, last_y = points[-1]
    title = escape(label or ", ".join(str(v) for v in values))
    return mark_safe(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<polyline fill="none" stroke="{BRAND}" stroke-width="2" points="{path}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="3" fill="{ACCENT}"/></svg>'
    )


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    width: int = 640,
    height: int = 220,
    title: str = "",
    links: Sequence[str] | None = None,
    partial: bool = False,
) -> SafeString:
    """Vertical bars with value labels, e.g. weekly counts; the last bar is highlighted, or,
    when ``partial`` (a period still running), drawn hollow so it does not read as a collapse.
    ``links``: one URL per bar, to drill down to what it counts."""
    if not values:
        return mark_safe("")
    top = max(max(values), 1)
    margin_bottom, margin_top = 34, 18
    plot = height - margin_bottom - margin_top
    slot = width / len(values)
    bar = slot * 0.62
    parts = [
        f'<svg class="chart" width="100%" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{height - margin_bottom}" x2="{width}" y2="{height - margin_bottom}" stroke="{MUTED}"/>',
    ]
    # Every label while they fit; else every n-th (and the last), so that they never overlap.
    every = max(1, -(-len(values) * 40 // width))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot * value / top
        x = i * slot + (slot - bar) / 2
        y = height - margin_bottom - h
        last = i == len(values) - 1
        colour = ACCENT if last else BRAND
        if links:
            parts.append(f'<a href="{escape(links[i])}">')
        if last and partial:
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#ffffff" '
                f'stroke="{MUTED}" stroke-dasharray="4 3" stroke-width="1.5" rx="2"/>'
            )
        else:
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}" rx="2"/>')
        if slot >= 22:  # narrower bars leave their values to the table beside the chart
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
                f'fill="#1d2730">{value}</text>'
            )
        if links:
            parts.append("</a>")
        # The last label always shows; the one on the grid before it gives way when too close.
        if last or (i % every == 0 and len(values) - 1 - i >= every):
            text = f"{label}{'*' if last and partial else ''}"
            half = len(text) * 3.3 + 1  # half the width of 11 px type, so the ends stay inside
            middle = min(max(x + bar / 2, half), width - half)
            parts.append(
                f'<text x="{middle:.1f}" y="{height - margin_bottom + 16}" text-anchor="middle" font-size="11" '
                f'fill="#4f5d6b">{escape(text)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart_for_screens(labels: Sequence[str], values: Sequence[int], **kwargs: Any) -> SafeString:
    """``bar_chart`` for a page: a wide drawing, and a narrower one a phone shows instead, so that
    its type is not scaled down to nothing (``.chart-wide`` / ``.chart-narrow`` in the CSS)."""
    if not values:
        return mark_safe("")
    wide = bar_chart(labels, values, **kwargs)
    narrow = bar_chart(labels, values, **{**kwargs, "width": NARROW_WIDTH, "height": 200})
    return mark_safe(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')


def _text_width(text: str) -> float:
    """How wide ``text`` is in 13 px type, at most: per-letter widths measured in Chromium with
    DejaVu Sans, the widest of the page's fonts, so that a label is never cut at the left edge."""
    return sum(
        13.0 if c == "…" else 12.5 if c in "MWmw" else 4.0 if c in "ijlIJ'.,: " else 5.0 if c in "frt-" else
        9.5 if c.isupper() else 8.2
        for c in text
    )  # fmt: skip


def _fit(label: str, space: float) -> str:
    """``label``, shortened with "…" until it fits ``space`` pixels of 13 px type."""
    if _text_width(label) <= space:
        return label
    while label and _text_width(label + "…") > space:
        label = label[:-1]
    return label.rstrip() + "…"


def hbar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    width: int = 640,
    row_height: int = 26,
    label_width: int = 200,
    title: str = "",
    links: Sequence[str] | None = None,
    shown: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal bars with value labels, one row per label in the order given (e.g. largest
    first); the first bar is highlighted. Long labels are shortened. ``links``: one URL per
    row, to drill down; ``shown``: the value text per row when it is not the number itself
    (e.g. "fewer than 3")."""
    if not values:
        return mark_safe("")
    top = max(max(values), 1)
    value_space = 60
    plot = width - label_width - value_space
    height = row_height * len(values)
    bar = row_height * 0.64
    parts = [
        f'<svg class="chart hbar" width="100%" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" stroke="{MUTED}"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row_height + (row_height - bar) / 2
        w = max(plot * value / top, 1.0)
        middle = y + bar / 2 + 4.5
        short = _fit(label, label_width - 12)
        colour = ACCENT if i == 0 else BRAND
        if links:
            parts.append(f'<a href="{escape(links[i])}">')
        parts.append(
            f'<text x="{label_width - 8}" y="{middle:.1f}" text-anchor="end" font-size="13" '
            f'fill="#1d2730">{escape(short)}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y:.1f}" width="{w:.1f}" height="{bar:.1f}" fill="{colour}" rx="2"/>')
        text = escape(shown[i]) if shown else f"{value:,}"
        parts.append(
            f'<text x="{label_width + w + 6:.1f}" y="{middle:.1f}" font-size="13" fill="#1d2730">{text}</text>'
        )
        if links:
            parts.append("</a>")
    parts.append("</svg>")
    return mark_safe("".join(parts))


def with_font(chart: str, family: str) -> SafeString:
    """``chart`` with its text set in ``family``. Browsers pass the page's font into inline SVG;
    PDF renderers (WeasyPrint) do not, so the PDFs name it on the chart itself."""
    return mark_safe(chart.replace("<svg ", f'<svg font-family="{escape(family)}" ', 1))
