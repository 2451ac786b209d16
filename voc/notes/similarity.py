"""Notes that say much the same as a text being typed: plain word overlap, until themes exist.

Candidates come from SQL (recent active notes sharing the rarest-looking words); only those
few hundred are scored here.
"""

from __future__ import annotations

import functools
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


# "log in", "logging into", "sign in": one word, as "login" is.
_LOGIN = re.compile(r"\b(?:log(?:g(?:ing|ed))?|sign(?:ing|ed)?)\s+(?:in(?:to)?|on(?:to)?)\b")
_SUFFIXES = ("ings", "ing", "ed", "ies", "es", "s")
_NOT_DOUBLED = frozenset("aeiouls")


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A light, language-blind suffix strip, so that "crashing", "crashes" and "crashed" meet
    "crash" (and a lemma such as "arrive" meets "arrived"); never shorter than three letters."""
    for suffix in _SUFFIXES:
        kept = (suffix == "s" and word.endswith("ss")) or (suffix == "ed" and word.endswith("eed"))
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not kept:
            word = word[: -len(suffix)] + ("i" if suffix == "ies" else "")
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _NOT_DOUBLED:
        word = word[:-1]  # "logg" -> "log", "transferr" -> "transfer"
    if len(word) > 4 and word[-1] in "ey":
        word = word[:-1] + ("i" if word[-1] == "y" else "")  # "arrive" -> "arriv", "reply" -> "repli"
    return word


def terms(text: str) -> set[str]:
    """Content words, lower-cased and stemmed (``stem``), so that inflections meet."""
    result = set()
    for word in _WORD.findall(_LOGIN.sub("login", text.lower())):
        if len(word) < 3 or word in _STOP:
            continue
        result.add(stem(word))
    return result


def _probe(term: str) -> str:
    """A stem as it is spelled inside each of its words ("repli" is in "replies", not "reply")."""
    return term[:-1] if term.endswith("i") else term


def similar_notes(text: str, *, viewer: User, limit: int = 5, min_score: float = 0.25) -> list[Similar]:
    """Up to ``limit`` recent notes most like ``text`` (cosine over word sets), among those
    ``viewer`` may be shown (voc.access.suggestible_notes: their sites', never withdrawn or a
    vulnerable customer's)."""
    query = terms(text)
    if not query:
        return []
    probes = sorted({_probe(t) for t in query}, key=len, reverse=True)[:4]
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
