"""Names a reader understands: for each theme, a short phrase drawn from its own notes, in English
and in Spanish. Pure numpy: texts, vectors and groups in, names out.

A theme's name is its most typical short note, cleaned up: the note closest to the theme's centre
(in the shared vector space), preferring notes of a few words, with redaction placeholders and
trailing punctuation dropped. Each reader language takes its notes in that language (Spanish
readers: Spanish, then Galician notes); a theme heard in one language only gives that language's
phrase to both. No two themes get the same name: the next most typical note is taken instead of
a word in brackets. Measured in bench/README.md ("Names a reader understands").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

READER_LANGUAGES = {"en": ("en",), "es": ("es", "gl")}  # a name per reader language, from notes in these
MAX_WORDS = 9  # longer notes are cut at a word boundary
IDEAL_WORDS = 6  # notes longer than this lose LENGTH_PENALTY of similarity per word
LENGTH_PENALTY = 0.015
CUT_PENALTY = 0.2  # a note that must be cut ("…") names a theme only when no shorter note is near as typical
MIN_WORDS = 2  # a one-word note ("Thanks") is a fine name only when nothing longer is typical
SHORTLIST = 30  # notes per theme and language whose texts are read to choose a name
AGREE = 0.5  # the second language's name must be at least this close (cosine) to the first one

_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*\]")
_QUOTES_AND_DASHES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u2013\u2014-"
_EDGE = re.compile(rf"^[\s¿¡({re.escape(_QUOTES_AND_DASHES)}:;,.]+|[\s){re.escape(_QUOTES_AND_DASHES)}:;,.?!…]+$")


MIN_CLAUSE = 4  # words a first clause needs to name a theme on its own
_CONJUNCTIONS = frozenset({"and", "but", "because", "y", "e", "pero", "porque", "mais", "pois"})


def _clause_end(words: Sequence[str], max_words: int) -> int | None:
    """How many words the note's first clauses take within ``max_words``: the last point where a
    clause ends (after ",", ";", ":" or ".", or before "and", "y", "pero"…) leaving at least
    MIN_CLAUSE words; None when there is none."""
    end = None
    for i in range(MIN_CLAUSE, min(len(words), max_words + 1)):
        if words[i - 1][-1] in ",;:." or words[i].casefold() in _CONJUNCTIONS:
            end = i
    return end


def clean_phrase(text: str, *, max_words: int = MAX_WORDS) -> str:
    """A note as a name: no placeholders, one line, no opening or closing punctuation, first
    letter capitalised, at most ``max_words`` words. A longer note is cut where a clause ends
    ("Made a transfer to the wrong account and wants it back" names "Made a transfer to the
    wrong account"), else at ``max_words`` with "…"."""
    words = _PLACEHOLDER.sub(" ", text).split()
    cut = len(words) > max_words
    end = _clause_end(words, max_words) if cut else None
    phrase = _EDGE.sub("", " ".join(words[: end or max_words]))
    if not phrase:
        return ""
    phrase = phrase[0].upper() + phrase[1:]
    return f"{phrase}…" if cut and end is None else phrase


def _centre(vectors: np.ndarray) -> np.ndarray:
    centre = vectors.mean(axis=0)
    return centre / max(float(np.linalg.norm(centre)), 1e-12)


def shortlist(
    vectors: np.ndarray, labels: np.ndarray, languages: Sequence[str], *, per_language: int = SHORTLIST
) -> list[int]:
    """Row indices of the notes a name may come from: each group's ``per_language`` notes closest
    to its centre in each language (discovery reads only these notes' texts, not a million)."""
    langs = np.asarray(languages)
    chosen: list[int] = []
    for g in np.unique(labels).tolist():
        if g == -1:
            continue
        members = np.flatnonzero(labels == g)
        closeness = vectors[members] @ _centre(vectors[members])
        for language in np.unique(langs[members]).tolist():
            own = langs[members] == language
            best = np.argsort(-np.where(own, closeness, -np.inf), kind="stable")[: min(per_language, int(own.sum()))]
            chosen.extend(members[best].tolist())
    return sorted(chosen)


def phrase_names(
    texts: Mapping[int, str] | Sequence[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    languages: Sequence[str],
    *,
    taken: Iterable[str] = (),
) -> dict[int, dict[str, str]]:
    """``{group: {"en": name, "es": name}}`` for every group in ``labels`` (-1: no group).

    ``texts`` gives the text of row i (a mapping may hold only the ``shortlist``: the other notes
    are not candidates). Bigger groups choose first; a name already used (or in ``taken``,
    compared without case) is skipped for the group's next most typical note."""
    taken = {t.casefold() for t in taken}
    used = {language: set(taken) for language in READER_LANGUAGES}
    groups = [g for g in np.unique(labels).tolist() if g != -1]
    groups.sort(key=lambda g: (-int((labels == g).sum()), g))
    langs = np.asarray(languages)
    known = set(texts) if isinstance(texts, Mapping) else None
    names: dict[int, dict[str, str]] = {}
    for g in groups:
        members = np.flatnonzero(labels == g)
        if known is not None:
            members = np.array([i for i in members.tolist() if i in known], dtype=np.int64)
        centre = _centre(vectors[np.flatnonzero(labels == g)])
        words = np.array([len(clean_phrase(texts[i], max_words=10**6).split()) for i in members.tolist()])
        cut = np.array([clean_phrase(texts[i]).endswith("…") for i in members.tolist()])
        penalty = LENGTH_PENALTY * np.clip(words - IDEAL_WORDS, 0, None) + CUT_PENALTY * cut + 0.1 * (words < MIN_WORDS)
        score = vectors[members] @ centre - penalty  # how well each note stands for the group
        # The language most of the theme's notes are in names it first; the other reader's name
        # is then the note of theirs that says the same as that name (closest to it), so the two
        # names agree, or the first name itself when none comes close.
        spoken_by = {
            reader: np.isin(langs[np.flatnonzero(labels == g)], spoken).sum()
            for reader, spoken in READER_LANGUAGES.items()
        }
        readers = sorted(READER_LANGUAGES, key=lambda r: -spoken_by[r])
        names[g] = {}
        first: int | None = None
        for reader in readers:
            spoken = READER_LANGUAGES[reader]
            # the reader's language first, then the next one it lists (Spanish readers: Galician)
            preference = sum(10.0 / (rank + 1) * (langs[members] == lang) for rank, lang in enumerate(spoken))
            fit = score if first is None else vectors[members] @ vectors[first] - penalty
            order = np.argsort(-(fit + preference), kind="stable")
            names[g][reader] = ""
            for i in order.tolist():
                row = int(members[i])
                phrase = clean_phrase(texts[row])
                agrees = first is None or row == first or float(vectors[row] @ vectors[first]) >= AGREE
                if not agrees:
                    phrase = clean_phrase(texts[first]) if first is not None else ""
                if phrase and phrase.casefold() not in used[reader]:
                    names[g][reader] = phrase
                    used[reader].add(phrase.casefold())
                    first = row if first is None else first
                    break
    return names
