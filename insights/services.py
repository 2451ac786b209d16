"""Business verbs for themes: embed, assign, discover, curate (with history and undo), spikes.

spaCy, torch and scikit-learn (insights.nlp, insights.clustering) are imported inside the verbs
that need them, so web processes and commands that only read or curate stay small (~100 MB)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from insights import classifier, classifier_store, figures, trends
from insights.following import services as following
from insights.models import SHARED_VECTORS, Alert, Assignment, NoteVector, Theme, ThemeChange, other_encoders
from insights.questions import services as questions
from voc import audit, periods
from voc.access import suggestible_notes
from voc.errors import DomainError, NotAllowed
from voc.models import Insight, Tally, User
from voc.notes import services as note_services
from voc.roles import Capability, has_capability

if TYPE_CHECKING:
    from insights import nlp

log = logging.getLogger(__name__)
DISCOVERY_WINDOW = timedelta(days=120)
DISCOVERY_BATCH = 5000  # assignments written per statement


# --- Vectors --------------------------------------------------------------------------------


def embed_notes(*, note_ids: list[int], final_attempt: bool = True) -> int:
    """Compute and store the vector of each note that has none yet (or one by an encoder the
    organisation no longer uses), then try to assign it.

    A note is embedded once: re-grouping reuses stored vectors. When the encoder fails on the
    last attempt, each note is tried alone and the ones that still fail are flagged, not lost.
    Returns how many vectors were stored."""
    from insights import nlp  # heavy: see the module docstring

    adopt_shared_vectors(note_ids=note_ids)
    notes = list(_to_embed().filter(pk__in=note_ids).only("id", "text", "language").order_by("id"))
    if not notes:
        return 0
    encoder_name = settings.VOC_ENCODER
    try:
        analyses = nlp.analyse(
            [n.text for n in notes], languages=[n.language for n in notes], encoder_name=encoder_name
        )
        rows = [_vector_row(note, analysis, encoder_name) for note, analysis in zip(notes, analyses, strict=True)]
    except Exception:
        if not final_attempt:
            raise
        rows = []
        for note in notes:
            try:
                (analysis,) = nlp.analyse([note.text], languages=[note.language], encoder_name=encoder_name)
                rows.append(_vector_row(note, analysis, encoder_name))
            except Exception as exc:
                log.exception("note %s could not be embedded", note.pk)
                rows.append(
                    NoteVector(note=note, encoder=encoder_name, status=NoteVector.Status.FAILED, error=str(exc)[:200])
                )
    with transaction.atomic():
        NoteVector.objects.filter(note_id__in=[r.note_id for r in rows], encoder__in=other_encoders()).delete()
        NoteVector.objects.bulk_create(rows, ignore_conflicts=True)
    embedded = [r.note_id for r in rows if r.status == NoteVector.Status.OK]
    assign_notes(note_ids=embedded)
    questions.match_notes(note_ids=embedded)
    return len(embedded)


def _vector_row(note: Insight, analysis: nlp.Analysis, encoder_name: str) -> NoteVector:
    return NoteVector(
        note=note,
        encoder=encoder_name,
        vector=np.asarray(analysis.vector, dtype=np.float32).tobytes(),
        lemmas=" ".join(analysis.lemmas)[:4000],
    )


def _to_embed() -> QuerySet[Insight]:
    """Notes without a vector, or with one by an encoder the organisation no longer uses."""
    return Insight.objects.filter(Q(vector__isnull=True) | Q(vector__encoder__in=other_encoders()))


def adopt_shared_vectors(*, note_ids: list[int] | None = None) -> int:
    """Take over, without embedding again, the vectors another encoder stored that the configured
    one would compute identically (``SHARED_VECTORS``: after a move from ``minilm`` to ``pair``,
    English notes keep their vectors and only the others are embedded again). Returns how many."""
    shared = SHARED_VECTORS.get(settings.VOC_ENCODER)
    if shared is None:
        return 0
    encoder, language = shared
    rows = NoteVector.objects.filter(encoder=encoder, note__language=language)
    if note_ids is not None:
        rows = rows.filter(note_id__in=note_ids)
    return rows.update(encoder=settings.VOC_ENCODER)


def notes_without_vectors(*, chunk: int = 500) -> list[list[int]]:
    """Ids of notes still to embed, in chunks (the backfill fans them out over workers), once the
    vectors that can be taken over are (``adopt_shared_vectors``)."""
    adopt_shared_vectors()
    ids = list(_to_embed().order_by("id").values_list("id", flat=True))
    return [ids[i : i + chunk] for i in range(0, len(ids), chunk)]


# A note is handed to Celery within seconds of its commit (a web process retries a broker that
# is down for as long as it runs). The sweep takes notes older than SWEEP_AFTER, so it never
# queues a note the after-commit path is about to queue, and younger than SWEEP_WINDOW (a few
# hourly runs, in case one is missed), so each note is queued by at most a few runs; anything
# older is the nightly backfill's.
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_WINDOW = timedelta(hours=3)


def missed_notes(*, now: datetime | None = None, chunk: int = 500) -> list[list[int]]:
    """Ids, in chunks, of notes logged between ``SWEEP_WINDOW`` and ``SWEEP_AFTER`` before
    ``now`` that have no vector at all: the ones whose queued message was lost (a broker restarted
    without persistence, a web process killed holding them). Notes that failed to embed (they
    have a vector row, flagged) and notes embedded by another encoder are not taken."""
    now = now or timezone.now()
    ids = list(
        Insight.objects.filter(
            vector__isnull=True, created_at__gte=now - SWEEP_WINDOW, created_at__lt=now - SWEEP_AFTER
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [ids[i : i + chunk] for i in range(0, len(ids), chunk)]


# --- Assignment -----------------------------------------------------------------------------


def assign_notes(*, note_ids: list[int]) -> int:
    """Put each unassigned note in the accepted theme the classifier picks when it is confident
    enough (``VOC_ASSIGN_THRESHOLD``); the rest wait for discovery. Constant cost per note: the
    classifier is fitted after curation, not here (insights.assignment). Returns how many."""
    candidates = list(NoteVector.objects.usable().filter(note_id__in=note_ids, note__assignment__isnull=True))
    if not candidates:
        return 0
    fitted = classifier_store.current()
    if len(fitted.theme_ids) == 0:
        return 0
    themes, confidences = classifier.assign(fitted, figures.vector_matrix(candidates))
    threshold = settings.VOC_ASSIGN_THRESHOLD
    live = set(Theme.objects.accepted().filter(pk__in=set(themes.tolist())).values_list("pk", flat=True))
    rows = [
        Assignment(
            note_id=row.note_id, theme_id=int(theme), confidence=round(float(conf), 4), method=Assignment.Method.AUTO
        )
        for row, theme, conf in zip(candidates, themes, confidences, strict=True)
        if conf >= threshold and int(theme) in live  # a theme archived since the fit takes no more notes
    ]
    Assignment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def theme_note(theme: Theme, agent: User) -> Insight | None:
    """The note a "+1" on ``theme`` counts on: its latest that ``agent`` may be shown."""
    latest: Insight | None = (
        suggestible_notes(agent).filter(assignment__theme=theme).order_by("-occurred_at", "-id").first()
    )
    return latest


def hear_theme(*, theme: Theme, agent: User, channel: str) -> Tally:
    """An agent's "+1, heard this too" on an accepted theme: a tally on ``theme_note``."""
    if theme.status != Theme.Status.ACCEPTED:
        raise DomainError(_("This theme is not in use; log it as a new note."))
    note = theme_note(theme, agent)
    if note is None:
        raise DomainError(_("No note of this theme at your sites to count on; log it as a new note."))
    return note_services.add_tally(note=note, agent=agent, channel=channel)


# --- Discovery ------------------------------------------------------------------------------


@transaction.atomic
def discover_themes(*, min_size: int = 3, now: Any = None) -> list[Theme]:
    """Group recent notes that have no theme into proposals for the emerging-themes inbox.

    Safe to run twice: grouped notes have a (proposed) theme, so a second run finds nothing new."""
    from insights import clustering, naming, nlp  # heavy: see the module docstring

    now = now or timezone.now()
    stored = figures.stored_vectors(
        NoteVector.objects.usable().filter(
            note__assignment__isnull=True,
            note__status=Insight.Status.ACTIVE,
            note__occurred_at__gte=now - DISCOVERY_WINDOW,
        )
    )
    if len(stored.note_ids) < 2 * min_size:
        return []
    lemma_docs = figures.SplitLemmas(stored.lemmas)
    labels = clustering.discover_notes(
        stored.matrix,
        lemma_docs,
        stored.languages,
        min_size=min_size,
        one_space=nlp.ENCODERS[settings.VOC_ENCODER].multilingual,
    )
    terms = clustering.name(lemma_docs, labels)
    candidates = naming.shortlist(stored.matrix, labels, stored.languages)
    # A name is read by everyone: never a vulnerable customer's words.
    by_note = dict(
        Insight.objects.filter(pk__in=stored.note_ids[candidates].tolist(), vulnerable=False).values_list("id", "text")
    )
    texts = {row: by_note[note] for row in candidates if (note := int(stored.note_ids[row])) in by_note}
    taken = Theme.objects.exclude(status=Theme.Status.MERGED).values_list("name", "name_es")
    names = naming.phrase_names(
        texts, stored.matrix, labels, stored.languages, taken=[n for pair in taken for n in pair if n]
    )
    created = []
    for label, phrases in names.items():
        members = stored.note_ids[labels == label].tolist()
        theme = Theme.objects.create(
            name=phrases["en"] or _("Unnamed theme"),
            name_es=phrases["es"],
            key_terms=terms.get(label, []),
            status=Theme.Status.PROPOSED,
        )
        for start in range(0, len(members), DISCOVERY_BATCH):  # a million model instances would not fit
            Assignment.objects.bulk_create(
                [
                    Assignment(note_id=n, theme=theme, method=Assignment.Method.DISCOVERY, confidence=1.0)
                    for n in members[start : start + DISCOVERY_BATCH]
                ]
            )
        ThemeChange.objects.create(theme=theme, action=ThemeChange.Action.PROPOSED, after={"notes": len(members)})
        created.append(theme)
    return created


# --- Curation -------------------------------------------------------------------------------


def _require_curator(user: User) -> None:
    if not has_capability(user, Capability.CURATE_THEMES):
        raise NotAllowed(_("Only leads can change themes."))


def _record(
    theme: Theme, action: str, by: User, before: dict[str, Any], after: dict[str, Any], ip: str | None = None
) -> ThemeChange:
    change = ThemeChange.objects.create(theme=theme, action=action, actor=by, before=before, after=after)
    if action != ThemeChange.Action.RENAMED:  # which notes make which accepted theme may have changed
        classifier_store.refit_after_commit(change=change)
    audit.record(
        actor=by, action=f"theme.{action}", obj=theme, ip_address=ip, details={"before": before, "after": after}
    )
    return change


def _live(theme: Theme) -> None:
    if theme.status == Theme.Status.MERGED:
        raise DomainError(_("This theme was merged into another; work on that one."))


@transaction.atomic
def accept_theme(*, theme: Theme, by: User, name: str = "", name_es: str = "", ip: str | None = None) -> Theme:
    """Make a proposal (or an archived theme) a theme people own; new notes start joining it.
    A name given here replaces the machine's (the Spanish name too, when given)."""
    _require_curator(by)
    _live(theme)
    before = {"status": theme.status, "name": theme.name, "name_es": theme.name_es}
    theme.status = Theme.Status.ACCEPTED
    if name.strip():
        theme.name = _clean_name(name)
    if name_es.strip():
        theme.name_es = _clean_name(name_es, field="name_es")
    theme.save()
    after = {"status": theme.status, "name": theme.name, "name_es": theme.name_es}
    _record(theme, ThemeChange.Action.ACCEPTED, by, before, after, ip)
    return theme


def _clean_name(name: str, *, field: str = "name", required: bool = True) -> str:
    name = " ".join(name.split())
    if not name and required:
        raise DomainError(_("A theme needs a name."), field=field)
    if len(name) > 120:
        raise DomainError(_("Keep the name under 120 characters."), field=field)
    return name


@transaction.atomic
def rename_theme(*, theme: Theme, name: str, by: User, name_es: str | None = None, ip: str | None = None) -> Theme:
    """Rename a theme: ``name`` for English readers (and anyone without a Spanish name), ``name_es``
    (when given; blank clears it) for Spanish and Galician readers."""
    _require_curator(by)
    _live(theme)
    before = {"name": theme.name, "name_es": theme.name_es}
    theme.name = _clean_name(name)
    if name_es is not None:
        theme.name_es = _clean_name(name_es, field="name_es", required=False)
    theme.save(update_fields=["name", "name_es", "updated_at"])
    _record(theme, ThemeChange.Action.RENAMED, by, before, {"name": theme.name, "name_es": theme.name_es}, ip)
    return theme


@transaction.atomic
def archive_theme(*, theme: Theme, by: User, ip: str | None = None) -> Theme:
    """Retire a theme (or reject a proposal): its notes go back to wait for discovery."""
    _require_curator(by)
    _live(theme)
    if theme.children.exclude(status__in=[Theme.Status.ARCHIVED, Theme.Status.MERGED]).exists():
        raise DomainError(_("Move or archive its sub-themes first."))
    note_ids = list(theme.assignments.values_list("note_id", flat=True))
    before = {"status": theme.status, "note_ids": note_ids}
    theme.assignments.all().delete()
    theme.status = Theme.Status.ARCHIVED
    theme.save(update_fields=["status", "updated_at"])
    _record(theme, ThemeChange.Action.ARCHIVED, by, before, {"status": theme.status}, ip)
    return theme


@transaction.atomic
def set_parent(*, theme: Theme, parent: Theme | None, by: User, ip: str | None = None) -> Theme:
    """Themes go two levels deep: a parent cannot itself have a parent, nor a child children."""
    _require_curator(by)
    _live(theme)
    if parent is not None:
        _live(parent)
        if parent.pk == theme.pk:
            raise DomainError(_("A theme cannot be its own parent."), field="parent")
        if parent.parent_id is not None:
            raise DomainError(_("Themes go two levels deep: choose a top-level parent."), field="parent")
        if theme.children.exists():
            raise DomainError(_("This theme has sub-themes, so it cannot go under another."), field="parent")
    before = {"parent": theme.parent_id}
    theme.parent = parent
    theme.save(update_fields=["parent", "updated_at"])
    _record(theme, ThemeChange.Action.PARENT, by, before, {"parent": theme.parent_id}, ip)
    return theme


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme, by: User, ip: str | None = None) -> ThemeChange:
    """Fold ``source`` into ``target``: its notes move, its id stays (marked merged). Undoable."""
    _require_curator(by)
    if source.pk == target.pk:
        raise DomainError(_("A theme cannot be merged into itself."), field="target")
    _live(source)
    _live(target)
    note_ids = list(source.assignments.values_list("note_id", flat=True))
    children = list(source.children.values_list("id", flat=True))
    before = {"source": source.pk, "source_status": source.status, "note_ids": note_ids, "children": children}
    Assignment.objects.filter(theme=source).update(theme=target, method=Assignment.Method.PERSON)
    # Followers follow the notes; an undo leaves them on the target (they chose the topic).
    following.follow_merge(source=source, target=target)
    source.children.update(parent=target if target.parent_id is None else None)
    source.status = Theme.Status.MERGED
    source.merged_into = target
    source.save(update_fields=["status", "merged_into", "updated_at"])
    if target.status == Theme.Status.PROPOSED and before["source_status"] == Theme.Status.ACCEPTED:
        target.status = Theme.Status.ACCEPTED
        target.save(update_fields=["status", "updated_at"])
    return _record(target, ThemeChange.Action.MERGED, by, before, {"target": target.pk, "notes": len(note_ids)}, ip)


@transaction.atomic
def split_theme(*, theme: Theme, note_ids: list[int], name: str, by: User, ip: str | None = None) -> Theme:
    """Move some of a theme's notes into a new accepted theme. Undoable."""
    _require_curator(by)
    _live(theme)
    name = _clean_name(name)
    members = set(theme.assignments.filter(note_id__in=note_ids).values_list("note_id", flat=True))
    if not members:
        raise DomainError(_("Choose at least one of this theme's notes to split off."), field="note_ids")
    if members == set(theme.assignments.values_list("note_id", flat=True)):
        raise DomainError(_("Leave some notes behind: to move them all, rename or merge instead."), field="note_ids")
    new = Theme.objects.create(name=name, status=Theme.Status.ACCEPTED, parent=theme.parent)
    Assignment.objects.filter(theme=theme, note_id__in=members).update(theme=new, method=Assignment.Method.PERSON)
    _record(theme, ThemeChange.Action.SPLIT, by, {"note_ids": sorted(members)}, {"new_theme": new.pk, "name": name}, ip)
    ThemeChange.objects.create(theme=new, action=ThemeChange.Action.PROPOSED, actor=by, after={"split_from": theme.pk})
    return new


@transaction.atomic
def move_notes(*, note_ids: list[int], target: Theme, by: User, ip: str | None = None) -> int:
    """Put notes in ``target`` by hand; this teaches assignment (the theme's examples change)."""
    _require_curator(by)
    _live(target)
    notes = list(Insight.objects.filter(pk__in=note_ids).values_list("id", flat=True))
    if not notes:
        raise DomainError(_("Choose notes to move."), field="note_ids")
    before = dict(Assignment.objects.filter(note_id__in=notes).values_list("note_id", "theme_id"))
    for note_id in notes:
        Assignment.objects.update_or_create(
            note_id=note_id, defaults={"theme": target, "method": Assignment.Method.PERSON, "confidence": 1.0}
        )
    _record(
        target, ThemeChange.Action.MOVED, by, {"from": {str(k): v for k, v in before.items()}}, {"note_ids": notes}, ip
    )
    return len(notes)


@transaction.atomic
def undo_change(*, change: ThemeChange, by: User, ip: str | None = None) -> None:
    """Reverse a merge or a split, for the notes that have not moved since."""
    _require_curator(by)
    if change.undone_at is not None:
        raise DomainError(_("This change has already been undone."))
    if change.action == ThemeChange.Action.MERGED:
        source = Theme.objects.select_for_update().get(pk=change.before["source"])
        Assignment.objects.filter(note_id__in=change.before["note_ids"], theme=change.theme).update(theme=source)
        Theme.objects.filter(pk__in=change.before["children"]).update(parent=source)
        source.status = change.before["source_status"]
        source.merged_into = None
        source.save(update_fields=["status", "merged_into", "updated_at"])
    elif change.action == ThemeChange.Action.SPLIT:
        new = Theme.objects.select_for_update().get(pk=change.after["new_theme"])
        Assignment.objects.filter(note_id__in=change.before["note_ids"], theme=new).update(theme=change.theme)
        if not new.assignments.exists():
            new.status = Theme.Status.MERGED
            new.merged_into = change.theme
            new.save(update_fields=["status", "merged_into", "updated_at"])
    else:
        raise DomainError(_("Only merges and splits can be undone."))
    change.undone_at = timezone.now()
    change.save(update_fields=["undone_at"])
    _record(change.theme, ThemeChange.Action.UNDONE, by, {"change": change.pk, "action": change.action}, {}, ip)


# --- Spikes ---------------------------------------------------------------------------------


MAX_ALERT_WEEKS = 8  # an alert older than this is judged against the weeks just before now


@transaction.atomic
def detect_spikes(*, week: date) -> list[Alert]:
    """Open an alert for each accepted theme spiking in ``week`` (a Monday), update the open
    alert of a theme still spiking, close alerts of themes that calmed down. Safe to run twice.

    A continuing spike is judged against the weeks before it began, so its own first weeks do
    not become the baseline that hides it."""
    open_alerts = {a.theme_id: a for a in Alert.objects.filter(status=Alert.Status.OPEN).select_for_update()}
    weeks = periods.weeks_back(week, trends.BASELINE_WEEKS + 1 + MAX_ALERT_WEEKS)
    series = figures.weekly_counts(weeks=weeks, theme_ids=list(Theme.objects.accepted().values_list("id", flat=True)))
    spiking = {}
    for theme_id, counts in series.items():
        start = len(weeks) - 1
        alert = open_alerts.get(theme_id)
        if alert is not None and alert.first_week in weeks:
            start = weeks.index(alert.first_week)
        history = counts[max(0, start - trends.BASELINE_WEEKS) : start]
        found = trends.spike(
            [*history, counts[-1]], min_count=settings.VOC_SPIKE_MIN_COUNT, ratio=settings.VOC_SPIKE_RATIO
        )
        if found:
            spiking[theme_id] = found
    alerts = []
    for theme_id, found in spiking.items():
        alert = open_alerts.get(theme_id)
        if alert is None:
            alert = Alert.objects.create(
                theme_id=theme_id, first_week=week, last_week=week, count=found.count, baseline=found.baseline
            )
        elif alert.last_week <= week:
            alert.last_week, alert.count, alert.baseline = week, found.count, found.baseline
            alert.save()
        alerts.append(alert)
    for theme_id, alert in open_alerts.items():
        if theme_id not in spiking and alert.last_week < week:
            alert.status = Alert.Status.CLOSED
            alert.save(update_fields=["status", "updated_at"])
    return alerts
