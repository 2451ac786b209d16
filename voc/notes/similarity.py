"""Notes that say much the same as a text being typed: plain word overlap, until themes exist.

Candidates come from SQL (recent active notes sharing the rarest-looking words); only those
few hundred are scored here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from voc.access import suggestible_notes
from voc.models import Insight, User
from voc.notes.language import EN_WORDS, ES_WORDS, GL_WORDS

_WORD = re.compile(r"[a-záéíóúüñç]+")
_STOP = EN_WORDS | ES_WORDS | GL_WORDS | {"customer", "cliente", "called", "wants", "asked", "said"}
WINDOW = timedelta(days=60)
CANDIDATES = 300


@dataclass(frozen=True)
class Similar:
    note: Insight
    score: float
    tallies: int


def terms(text: str) -> set[str]:
    """Content words, lower-cased, with a crude plural strip so "cards" meets "card"."""
    result = set()
    for word in _WORD.findall(text.lower()):
        if len(word) < 3 or word in _STOP:
            continue
        if len(word) > 4 and word.endswith("s"):
            word = word[:-1]
        result.add(word)
    return result


def similar_notes(text: str, *, viewer: User, limit: int = 5, min_score: float = 0.25) -> list[Similar]:
    """Up to ``limit`` recent notes most like ``text`` (cosine over word sets), among those
    ``viewer`` may be shown (voc.access.suggestible_notes: their sites', never withdrawn or a
    vulnerable customer's)."""
    query = terms(text)
    if not query:
        return []
    probes = sorted(query, key=len, reverse=True)[:4]
    condition = Q()
    for probe in probes:
        condition |= Q(text__icontains=probe)
    candidates = (
        suggestible_notes(viewer)
        .filter(condition, occurred_at__gte=timezone.now() - WINDOW)
        .select_related("site")
        .annotate(tally_count=Count("tallies"))
        .order_by("-occurred_at")[:CANDIDATES]
    )
    scored = []
    seen: set[str] = set()
    for note in candidates:  # newest first, so a repeated text shows its latest note
        key = " ".join(note.text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        other = terms(note.text)
        if not other:
            continue
        score = len(query & other) / math.sqrt(len(query) * len(other))
        if score >= min_score:
            scored.append(Similar(note=note, score=round(score, 3), tallies=note.tally_count))
    scored.sort(key=lambda s: (-s.score, -s.note.occurred_at.timestamp()))
    return scored[:limit]
