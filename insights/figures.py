"""What the notes say, read from SQL: weekly mentions per theme, summaries for the list page
and the API, a theme's breakdown, typical quotes and related themes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, overload

import numpy as np
from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone

from insights import trends
from insights.models import Alert, Assignment, NoteVector, Theme
from voc import periods
from voc.models import Insight, Tally


def vector_matrix(rows: list[NoteVector]) -> np.ndarray:
    return np.stack([r.array() for r in rows]) if rows else np.zeros((0, 1), dtype=np.float32)


@dataclass(frozen=True)
class Stored:
    """Stored vectors read for discovery: note ids, one matrix row per note, the note's lemmas
    (space-separated, split when read: see SplitLemmas) and language."""

    note_ids: np.ndarray
    matrix: np.ndarray
    lemmas: list[str]
    languages: list[str]


def stored_vectors(vectors: QuerySet[NoteVector], *, chunk: int = 10_000) -> Stored:
    """The ``vectors`` rows by note id, streamed into one preallocated float32 matrix: a million
    384-dimension vectors take 1.5 GB once, not again as model instances or bytes. Rows added
    after the count are left for the next run."""
    n = vectors.count()
    ids = np.zeros(n, dtype=np.int64)
    matrix: np.ndarray | None = None
    lemmas: list[str] = []
    languages: list[str] = []
    rows = vectors.order_by("note_id").values_list("note_id", "vector", "lemmas", "note__language")
    for i, (note_id, vector, lemma_text, language) in enumerate(rows.iterator(chunk_size=chunk)):
        if i >= n:
            break
        row = np.frombuffer(vector, dtype=np.float32)
        if matrix is None:
            matrix = np.empty((n, len(row)), dtype=np.float32)
        matrix[i], ids[i] = row, note_id
        lemmas.append(lemma_text)
        languages.append(language)
    found = len(lemmas)
    if matrix is None:
        matrix = np.zeros((0, 1), dtype=np.float32)
    return Stored(ids[:found], matrix[:found], lemmas, languages)


class SplitLemmas(Sequence[list[str]]):
    """Space-separated lemma strings read as lists of lemmas one at a time, so a million notes'
    lemmas are not all split into lists at once."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> list[str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...
    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return [text.split() for text in self.texts[index]]
        return self.texts[index].split()


@dataclass(frozen=True)
class Examples:
    """The labelled vectors assignment learns from: every note in an accepted theme."""

    matrix: np.ndarray
    theme_ids: np.ndarray


def labelled_examples(*, per_theme: int | None = None) -> Examples:
    """Every active note of an accepted theme with a usable vector, oldest first; with
    ``per_theme``, only each theme's most recent ``per_theme`` notes (bounded, in SQL)."""
    rows = NoteVector.objects.usable().filter(
        note__assignment__theme__status=Theme.Status.ACCEPTED,
        note__status=Insight.Status.ACTIVE,
    )
    if per_theme is not None:
        rows = rows.annotate(
            rank=Window(RowNumber(), partition_by=F("note__assignment__theme_id"), order_by=F("note_id").desc())
        ).filter(rank__lte=per_theme)
    found = list(rows.order_by("note_id").values_list("vector", "note__assignment__theme_id"))
    if not found:
        return Examples(np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=np.int64))
    matrix = np.stack([np.frombuffer(bytes(v), dtype=np.float32) for v, _ in found])
    return Examples(matrix, np.array([t for _, t in found], dtype=np.int64))


def weekly_counts(*, weeks: list[date], theme_ids: list[int] | None = None) -> dict[int, list[int]]:
    """Mentions (active notes plus their +1s) per theme per week, from two SQL aggregates."""
    start, end = weeks[0], weeks[-1] + timedelta(days=7)
    window = Q(note__status=Insight.Status.ACTIVE)
    notes = Assignment.objects.filter(window, note__occurred_at__date__gte=start, note__occurred_at__date__lt=end)
    tallies = Tally.objects.filter(
        note__status=Insight.Status.ACTIVE,
        created_at__date__gte=start,
        created_at__date__lt=end,
        note__assignment__isnull=False,
    )
    if theme_ids is not None:
        notes = notes.filter(theme_id__in=theme_ids)
        tallies = tallies.filter(note__assignment__theme_id__in=theme_ids)
    index = {w: i for i, w in enumerate(weeks)}
    series: dict[int, list[int]] = {}
    for theme_id, week, n in (
        notes.annotate(week=TruncWeek("note__occurred_at")).values_list("theme_id", "week").annotate(n=Count("note"))
    ):
        series.setdefault(theme_id, [0] * len(weeks))[index[_as_date(week)]] += n
    for theme_id, week, n in (
        tallies.annotate(week=TruncWeek("created_at"))
        .values_list("note__assignment__theme_id", "week")
        .annotate(n=Count("id"))
    ):
        series.setdefault(theme_id, [0] * len(weeks))[index[_as_date(week)]] += n
    return series


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") else value


def total_notes(*, weeks: list[date]) -> list[int]:
    start, end = weeks[0], weeks[-1] + timedelta(days=7)
    index = {w: i for i, w in enumerate(weeks)}
    totals = [0] * len(weeks)
    rows = (
        Insight.objects.active()
        .filter(occurred_at__date__gte=start, occurred_at__date__lt=end)
        .annotate(week=TruncWeek("occurred_at"))
        .values_list("week")
        .annotate(n=Count("id"))
    )
    for week, n in rows:
        totals[index[_as_date(week)]] += n
    return totals


def theme_summaries(*, weeks: int = 8, today: date | None = None) -> list[dict[str, Any]]:
    """Accepted themes with the last complete week's mentions, change against the four weeks
    before, share of all notes and the weekly series — for the list page and the API. A week
    still under way would read as a fall everywhere, so it is left out."""
    week_list = periods.weeks_back(periods.last_complete_week(today or timezone.localdate()), weeks)
    themes = list(
        Theme.objects.accepted()
        .select_related("parent")
        .annotate(total=Count("assignments", filter=Q(assignments__note__status=Insight.Status.ACTIVE)))
        .order_by("name")
    )
    series = weekly_counts(weeks=week_list, theme_ids=[t.pk for t in themes])
    totals = total_notes(weeks=week_list)
    open_alerts = set(Alert.objects.filter(status=Alert.Status.OPEN).values_list("theme_id", flat=True))
    result = []
    for theme in themes:
        counts = series.get(theme.pk, [0] * len(week_list))
        result.append(
            {
                "theme": theme,
                "total": theme.total,  # type: ignore[attr-defined]  # annotated above; the stubs lose it
                "last_week": counts[-1],
                "series": counts,
                "change": trends.change(counts[-1], counts[-5:-1]),
                "share": round(counts[-1] / totals[-1], 4) if totals[-1] else 0.0,
                "alert": theme.pk in open_alerts,
            }
        )
    return result


def theme_breakdown(*, theme: Theme) -> dict[str, Any]:
    """Sites and languages of a theme's notes, from SQL."""
    notes = Insight.objects.active().filter(assignment__theme=theme)
    languages = dict(Insight.Language.choices)
    kinds = dict(Insight.Kind.choices)
    return {
        "sites": list(notes.values("site__name").annotate(n=Count("id")).order_by("-n")),
        "languages": [
            {**row, "label": languages.get(row["language"], row["language"])}
            for row in notes.values("language").annotate(n=Count("id")).order_by("-n")
        ],
        "kinds": [
            {**row, "label": kinds.get(row["kind"], row["kind"])}
            for row in notes.values("kind").annotate(n=Count("id")).order_by("-n")
        ],
        "last_note": notes.aggregate(last=Max("occurred_at"))["last"],
    }


def representative_notes(*, theme: Theme, among: QuerySet[Insight] | None = None, limit: int = 5) -> list[Insight]:
    """The notes closest to the theme's centre (its most typical quotes), chosen ``among`` the
    notes a person may see."""
    vectors = NoteVector.objects.usable().filter(note__assignment__theme=theme, note__status=Insight.Status.ACTIVE)
    if among is not None:
        vectors = vectors.filter(note__in=among.values("id"))
    rows = list(vectors.order_by("-note__occurred_at")[:2000])
    if not rows:
        return []
    matrix = vector_matrix(rows)
    centre = matrix.mean(axis=0)
    order = np.argsort(-(matrix @ centre))
    ids, seen = [], set()
    texts = dict(Insight.objects.filter(pk__in=[r.note_id for r in rows]).values_list("id", "text"))
    for i in order:
        note_id = rows[i].note_id
        key = " ".join(texts[note_id].lower().split())
        if key not in seen:
            seen.add(key)
            ids.append(note_id)
        if len(ids) >= limit:
            break
    notes = Insight.objects.select_related("site").in_bulk(ids)
    return [notes[i] for i in ids]


def related_themes(*, theme: Theme, limit: int = 5) -> list[tuple[Theme, float]]:
    """Accepted themes whose centres are closest to this one's (the centres the assignment
    classifier keeps: a page never reads the notes' vectors)."""
    from insights import classifier_store  # it imports this module

    fitted = classifier_store.latest()
    if fitted is None or theme.pk not in fitted.theme_ids:
        return []
    mine = fitted.centres[int(np.flatnonzero(fitted.theme_ids == theme.pk)[0])]
    similarity = fitted.centres @ mine
    scored = sorted(
        ((float(s), int(t)) for s, t in zip(similarity, fitted.theme_ids, strict=True) if t != theme.pk), reverse=True
    )[:limit]
    themes = Theme.objects.accepted().in_bulk([tid for _, tid in scored])
    return [(themes[tid], round(s, 3)) for s, tid in scored if tid in themes]


def language_mix(note_ids: list[int]) -> dict[str, int]:
    return dict(Counter(Insight.objects.filter(pk__in=note_ids).values_list("language", flat=True)))
