"""Full-text search: notes a person may read, plus themes, questions and (registered by the
newsletter app) sent issues; and "more like this" from a note's stored sentence vector.

On PostgreSQL notes are matched per language with that language's text-search configuration
(``CONFIGS``), so "tarjetas" finds "tarjeta"; each configuration has a partial GIN index
(insights migration 0010) on exactly the expression built here. On SQLite (the embedded
default) every word must appear (``icontains``) and results come newest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload

import numpy as np
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from insights.explore.filters import ExploreFilter
from insights.models import NoteVector, Theme
from insights.questions.models import Question
from voc.access import own_site_ids, visible_notes
from voc.errors import DomainError
from voc.models import Insight, Site, User
from voc.roles import Capability, has_capability

PAGE_SIZE = 25
QUERY_MAX_LENGTH = 200
OTHER_LIMIT = 10  # themes, questions, issues shown beside the notes
SORTS = [("relevance", _("Relevance")), ("date", _("Newest first"))]
# Note language -> PostgreSQL text-search configuration. Galician has none of its own; Spanish
# stemming and stop words fit it far better than 'simple' (shared plurals, articles).
CONFIGS = {"en": "english", "es": "spanish", "gl": "spanish"}
DEFAULT_PERIOD = "last_90_days"
RANK_WINDOW = 1000  # matches ranked by relevance: the newest (see _matching)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SIMILAR_CANDIDATES = 5000  # the newest readable notes with vectors compared with the source
SIMILAR_LIMIT = 10
_OPEN, _CLOSE = "\x02", "\x03"  # highlight sentinels: never in stored text (input_guard strips controls)
_WORD = re.compile(r"-?\w+", re.UNICODE)


class InvalidSearch(DomainError):
    """The search parameters were refused; ``errors`` maps each parameter to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(str(_("Please check the search.")))
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}


@dataclass(frozen=True)
class Hit:
    """A theme, question or issue that matched: shown beside the notes."""

    kind: str  # "theme" | "question" | "issue"
    id: int
    title: str
    url: str
    detail: str = ""


@dataclass
class NoteSearch:
    query: str
    sort: str
    notes: Matches  # ordered, filtered, readable; paginate before highlighting
    filters: ExploreFilter
    bounds: tuple[date, date] = field(default=(date.min, date.min))


# (query, the reader, the reader's language) -> hits; other apps append (newsletter: issues).
Searcher = Callable[[str, User, str], list[Hit]]
SEARCHERS: list[tuple[str, Searcher]] = []


def readable_sites(viewer: User) -> QuerySet[Site]:
    """Sites offered as a filter: all for head office, otherwise the person's own."""
    sites = Site.objects.filter(is_active=True)
    if has_capability(viewer, Capability.READ_REPORTS):
        return sites
    return sites.filter(pk__in=own_site_ids(viewer))


def searchable_notes(viewer: User) -> QuerySet[Insight]:
    """Active notes ``viewer`` may read (voc.access.visible_notes)."""
    return visible_notes(viewer).active()


def note_filters(*, viewer: User, data: Mapping[str, Any] | None, today: date | None = None) -> ExploreFilter:
    """The dashboard's filters over the notes ``viewer`` may read. With no period or dates
    chosen, search looks at the last 90 days (today included), not the dashboard's last four
    whole weeks: a note logged this morning must be findable; a start date alone searches up
    to today."""
    if data is not None:
        extra: dict[str, str] = {}
        if not any(data.get(name) for name in ("period", "date_from", "date_to")):
            extra["period"] = DEFAULT_PERIOD
        elif data.get("date_from") and not data.get("date_to"):
            extra["date_to"] = (today or timezone.localdate()).isoformat()  # from a day up to today
        if extra and isinstance(data, QueryDict):
            data = data.copy()
            data.update(extra)
        elif extra:
            data = {**data, **extra}
    return ExploreFilter(data or None, queryset=searchable_notes(viewer), sites=readable_sites(viewer), today=today)


def terms(query: str) -> tuple[list[str], list[str]]:
    """(words every match must have, words it must not) of a web-search style query, for the
    SQLite fallback and for highlighting there."""
    wanted, unwanted = [], []
    for word in _WORD.findall(query.lower()):
        if word.startswith("-"):
            if len(word) > 1:
                unwanted.append(word[1:])
        elif word != "or":
            wanted.append(word)
    return wanted, unwanted


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _vector(config: str) -> Func:
    # Exactly the indexed expression of migration 0010 (no COALESCE: text is NOT NULL).
    return Func(F("text"), function="to_tsvector", template=f"%(function)s('{config}'::regconfig, %(expressions)s)")


def _tsquery(query: str, config: str) -> SearchQuery:
    return SearchQuery(query, config=config, search_type="websearch")


@contextmanager
def quick_plans() -> Iterator[None]:
    """Run a search's queries inside this: PostgreSQL would JIT-compile their plans (costed high
    for tens of thousands of matches), which takes longer (about 50 ms) than it saves."""
    if not _postgres():
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _newest() -> Any:
    """Newest first, in a way the time index cannot serve on PostgreSQL: walking that index
    backwards would compute each passed note's tsvector until enough match (seconds for a word
    in a few percent of notes); the word indexes then a small sort take tens of milliseconds."""
    if not _postgres():
        return F("occurred_at").desc()
    return (F("occurred_at") + Value(timedelta(0))).desc()


class _Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


class Matches:
    """The matching notes in order, for a Paginator: a slice sorts only (rank, time, id) to pick
    its ids, then loads those notes, so thousands of matches never sort with their text."""

    ordered = True  # for Paginator's check (a QuerySet's truth would fetch every row)

    def __init__(self, queryset: QuerySet[Insight]) -> None:
        self.queryset = queryset  # ordered

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Insight]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Insight: ...
    @overload
    def __getitem__(self, index: slice) -> list[Insight]: ...
    def __getitem__(self, index: int | slice) -> Insight | list[Insight]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[index])
        found = Insight.objects.select_related("site", "product_area").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def _matching(notes: QuerySet[Insight], query: str, *, ranked: bool) -> QuerySet[Insight]:
    if _postgres():
        condition = Q()
        ranks = []
        for language, config in CONFIGS.items():
            vector, tsquery = _vector(config), _tsquery(query, config)
            condition |= Q(_Matches(vector, tsquery), language=language)
            ranks.append(When(language=language, then=Func(vector, tsquery, function="ts_rank")))
        matches = notes.filter(condition)
        if not ranked:
            return matches
        # Ranking computes each note's tsvector: only the newest RANK_WINDOW matches are ranked,
        # so a common word costs the same at a million notes; older matches follow, newest first.
        edge = matches.order_by(_newest()).values("occurred_at")[RANK_WINDOW - 1 : RANK_WINDOW]
        within = Q(occurred_at__gte=Coalesce(Subquery(edge), Value(EPOCH)))
        rank = Case(*ranks, default=Value(0.0), output_field=FloatField())
        return matches.annotate(rank=Case(When(within, then=rank), default=Value(-1.0), output_field=FloatField()))
    wanted, unwanted = terms(query)
    if not wanted:
        return notes.none()
    for word in wanted:
        notes = notes.filter(text__icontains=word)
    for word in unwanted:
        notes = notes.exclude(text__icontains=word)
    return notes


def search_notes(
    *,
    viewer: User,
    query: str,
    sort: str = "relevance",
    filters: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> NoteSearch:
    """Active notes ``viewer`` may read that match ``query`` (web-search syntax: words, "a
    phrase", -word, or), within the dashboard's filters; newest first, or by relevance: the
    newest ``RANK_WINDOW`` matches by rank, then older matches newest first (PostgreSQL).
    Raises InvalidSearch with field errors for a bad query, sort or filter."""
    errors: dict[str, list[str]] = {}
    query = (query or "").strip()
    if not query:
        errors["q"] = [str(_("Type what to search for."))]
    elif len(query) > QUERY_MAX_LENGTH:
        errors["q"] = [str(_("At most %(n)d characters.") % {"n": QUERY_MAX_LENGTH})]
    elif "\x00" in query:
        errors["q"] = [str(_("The search contains characters that are not allowed."))]
    if sort not in dict(SORTS):
        errors["sort"] = [str(_("Choose relevance or date."))]
    found = note_filters(viewer=viewer, data=filters, today=today)
    if not found.is_valid():
        errors.update({name: list(messages) for name, messages in found.errors.items()})
    if errors:
        raise InvalidSearch(errors)
    ranked = sort == "relevance" and _postgres()
    notes = _matching(found.qs, query, ranked=ranked)
    order = ["-rank", "-occurred_at", "-id"] if ranked else [_newest(), "-id"]
    return NoteSearch(query=query, sort=sort, notes=Matches(notes.order_by(*order)), filters=found, bounds=found.bounds)


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with every word of ``query`` it contains wrapped in <mark>."""
    wanted, _unwanted = terms(query)
    if not wanted:
        return mark_safe(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def _from_headline(headline: str) -> SafeString:
    clean = escape(headline)  # control characters pass through escape unchanged
    return mark_safe(clean.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


def highlighted(notes: list[Insight], query: str) -> dict[int, SafeString]:
    """Note id -> its text, escaped, the matched words marked (stemmed on PostgreSQL: "cards"
    marks "card"). One query per language on the page, for that page's notes only."""
    result = {note.pk: highlight(note.text, query) for note in notes}
    if not _postgres() or not notes:
        return result
    by_language: dict[str, list[int]] = {}
    for note in notes:
        by_language.setdefault(note.language, []).append(note.pk)
    for language, ids in by_language.items():
        config = CONFIGS.get(language, "simple")
        rows = Insight.objects.filter(pk__in=ids).annotate(
            headline=SearchHeadline(
                "text",
                _tsquery(query, config),
                config=config,
                start_sel=_OPEN,
                stop_sel=_CLOSE,
                highlight_all=True,
            )
        )
        for pk, headline in rows.values_list("pk", "headline"):
            if _OPEN in (headline or ""):
                result[pk] = _from_headline(headline)
    return result


def all_words(query: str, *fields: str) -> Q | None:
    """Every wanted word in one of ``fields`` (small tables: themes, questions, issues)."""
    wanted, _unwanted = terms(query)
    if not wanted:
        return None
    condition = Q()
    for word in wanted:
        stem = word[:-1] if len(word) > 4 and word.endswith("s") else word  # "cards" finds "card"
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}__icontains": stem})
        condition &= either
    return condition


def search_themes(query: str, viewer: User, language: str) -> list[Hit]:
    if not has_capability(viewer, Capability.VIEW_THEMES):
        return []
    condition = all_words(query, "name", "name_es")
    if condition is None:
        return []
    themes = Theme.objects.accepted().filter(condition).order_by("name")[:OTHER_LIMIT]
    return [Hit("theme", t.pk, t.name_in(language), reverse("theme_detail", args=[t.pk])) for t in themes]


def search_questions(query: str, viewer: User, language: str) -> list[Hit]:
    if not has_capability(viewer, Capability.READ_QUESTIONS):
        return []
    condition = all_words(query, "text", "text_es")
    if condition is None:
        return []
    questions = Question.objects.filter(condition).order_by("-created_at")[:OTHER_LIMIT]
    return [
        Hit("question", q.pk, q.text_in(language), reverse("question_detail", args=[q.pk]), q.get_status_display())
        for q in questions
    ]


SEARCHERS.extend([("themes", search_themes), ("questions", search_questions)])


def search_others(*, viewer: User, query: str, language: str) -> dict[str, list[Hit]]:
    """Themes, questions and whatever other apps registered, each only if ``viewer`` may read it."""
    return {name: searcher(query, viewer, language) for name, searcher in SEARCHERS}


def more_like_this(*, viewer: User, note_id: int, limit: int = SIMILAR_LIMIT) -> tuple[Insight, list[Insight]]:
    """The note ``note_id`` and up to ``limit`` notes closest to it by stored sentence vector
    (cosine: vectors are L2-normalised), among the newest ``SIMILAR_CANDIDATES`` active notes
    ``viewer`` may read. Raises DomainError when the note is not readable by ``viewer``; the
    list is empty while the note has no vector yet."""
    readable = searchable_notes(viewer)
    source = readable.select_related("site").filter(pk=note_id).first()
    if source is None:
        raise DomainError(str(_("That note does not exist or is not yours to read.")))
    own = NoteVector.objects.usable().filter(note_id=note_id).first()
    if own is None or not own.vector:
        return source, []
    mine = own.array()
    rows = list(
        NoteVector.objects.usable()
        .filter(note__in=readable.exclude(pk=note_id), encoder=own.encoder)
        .order_by("-note__occurred_at")
        .values_list("note_id", "vector")[:SIMILAR_CANDIDATES]
    )
    rows = [(pk, np.frombuffer(bytes(v), dtype=np.float32)) for pk, v in rows if v]
    rows = [(pk, v) for pk, v in rows if v.shape == mine.shape]
    if not rows:
        return source, []
    scores = np.stack([v for _pk, v in rows]) @ mine
    best = [rows[i][0] for i in np.argsort(-scores)[:limit]]
    found = readable.select_related("site").in_bulk(best)
    return source, [found[pk] for pk in best if pk in found]
