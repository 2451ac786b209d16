"""Business verbs for questions: ask, edit, close and reopen them; match notes to them by
meaning (live, as notes are embedded, and by a scan of past notes when a question changes);
leads confirm or reject matches; agents "+1" a question they heard.

Matching reads the vectors stored for every note (insights.models.NoteVector): nothing is
embedded again but the question's own text (insights.questions.matcher has the rule)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from insights.models import NoteVector, Theme
from insights.questions import matcher
from insights.questions.models import Question, QuestionMatch
from voc import audit
from voc.access import lead_site_ids
from voc.errors import DomainError, NotAllowed, Problems
from voc.input_guard import is_blank
from voc.models import Insight, ProductArea, User
from voc.roles import Capability, has_capability

log = logging.getLogger(__name__)

# Past notes a new or changed question is matched against; older notes are not counted.
SCAN_WINDOW = timedelta(days=400)
SCAN_CHUNK = 5_000
HEARD_DEBOUNCE = timedelta(seconds=30)
DEPARTMENT_MAX_LENGTH = 100
# Themes a question or an action may be linked to: accepted ones, or merged ones (the link goes
# where their notes went, ``live_theme``); never a proposal or an archived theme.
LINKABLE_THEMES = (Theme.Status.ACCEPTED, Theme.Status.MERGED)


def _require(user: User, capability: Capability, message: str) -> None:
    if not has_capability(user, capability):
        raise NotAllowed(message)


def _clean_text(value: str, *, field: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > Question.TEXT_MAX_LENGTH:
        raise DomainError(
            _("Keep the question under %(max)d characters (this is %(length)d).")
            % {"max": Question.TEXT_MAX_LENGTH, "length": len(value)},
            field=field,
        )
    return value


def check_wording(text: str, text_es: str) -> tuple[str, str]:
    """A question's English and Spanish wording, cleaned; DomainError names every problem."""
    problems = Problems()
    text = problems.check(_clean_text, text, field="text") or ""
    text_es = problems.check(_clean_text, text_es, field="text_es") or ""
    if not problems.found and is_blank(text) and is_blank(text_es):
        problems.add(_("Write the question, in English or in Spanish."), field="text")
    problems.raise_any()
    return text, text_es


def _clean_department(value: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > DEPARTMENT_MAX_LENGTH:
        raise DomainError(
            _("Keep the department under %(max)d characters.") % {"max": DEPARTMENT_MAX_LENGTH}, field="department"
        )
    return value


def live_theme(theme: Theme) -> Theme:
    """The theme that now holds ``theme``'s notes: itself, or the one it was merged into."""
    seen = {theme.pk}
    while theme.status == Theme.Status.MERGED and theme.merged_into_id and theme.merged_into_id not in seen:
        theme = Theme.objects.get(pk=theme.merged_into_id)
        seen.add(theme.pk)
    return theme


def may_edit(user: User, question: Question) -> bool:
    """The person who asked, anyone of the question's department, and administrators."""
    if has_capability(user, Capability.ADMINISTER):
        return True
    if not has_capability(user, Capability.ASK_QUESTIONS):
        return False
    same_department = bool(question.department) and question.department == user.department
    return question.asked_by_id == user.pk or same_department


def _queue_preparation(question: Question) -> None:
    from insights import tasks  # tasks imports the services: imported late

    question_id = question.pk
    transaction.on_commit(lambda: tasks.prepare_question.delay(question_id))


@transaction.atomic
def ask_question(
    *,
    by: User,
    text: str = "",
    text_es: str = "",
    department: str | None = None,
    themes: Iterable[Theme] = (),
    product_areas: Iterable[ProductArea] = (),
    ip: str | None = None,
) -> Question:
    """Pose a question for the notes to answer, in English and/or Spanish. Notes are matched to
    it in a worker right after commit: past notes by a scan, new notes as they are embedded."""
    _require(by, Capability.ASK_QUESTIONS, _("Your role cannot ask questions."))
    problems = Problems()
    text, text_es = problems.check(check_wording, text, text_es) or ("", "")
    department = problems.check(_clean_department, by.department if department is None else department)
    problems.raise_any()
    question = Question.objects.create(text=text, text_es=text_es, department=department or "", asked_by=by)
    question.themes.set({live_theme(t).pk for t in themes})
    question.product_areas.set(list(product_areas))
    audit.record(actor=by, action="question.asked", obj=question, ip_address=ip)
    _queue_preparation(question)
    return question


@transaction.atomic
def edit_question(
    *,
    question: Question,
    by: User,
    text: str | None = None,
    text_es: str | None = None,
    department: str | None = None,
    themes: Iterable[Theme] | None = None,
    product_areas: Iterable[ProductArea] | None = None,
    ip: str | None = None,
) -> Question:
    """Change a question's wording, department or links. New wording is embedded again and the
    notes matched anew; matches leads confirmed or rejected stay as they decided."""
    if not may_edit(by, question):
        raise NotAllowed(_("Only the person who asked, their department or an administrator can change it."))
    before = {"text": question.text, "text_es": question.text_es, "department": question.department}
    problems = Problems()
    wording = problems.check(
        check_wording, question.text if text is None else text, question.text_es if text_es is None else text_es
    )
    new_department = None if department is None else problems.check(_clean_department, department)
    problems.raise_any()
    assert wording is not None
    new_text, new_text_es = wording
    reworded = (new_text, new_text_es) != (question.text, question.text_es)
    question.text, question.text_es = new_text, new_text_es
    if new_department is not None:
        question.department = new_department
    if reworded:
        question.version += 1
    question.save()
    if themes is not None:
        question.themes.set({live_theme(t).pk for t in themes})
    if product_areas is not None:
        question.product_areas.set(list(product_areas))
    audit.record(
        actor=by,
        action="question.edited",
        obj=question,
        ip_address=ip,
        details={"before": before, "after": {"text": new_text, "text_es": new_text_es}},
    )
    if reworded:
        _queue_preparation(question)
    return question


@transaction.atomic
def close_question(*, question: Question, by: User, reopen: bool = False, ip: str | None = None) -> Question:
    """Close a question (its counts stay; no new note is matched) or open it again."""
    if not may_edit(by, question):
        raise NotAllowed(_("Only the person who asked, their department or an administrator can change it."))
    if reopen:
        if question.status == Question.Status.OPEN:
            return question
        question.status, question.closed_at = Question.Status.OPEN, None
        question.version += 1  # notes logged while it was closed are matched by the scan
        question.save(update_fields=["status", "closed_at", "version", "updated_at"])
        audit.record(actor=by, action="question.reopened", obj=question, ip_address=ip)
        _queue_preparation(question)
        return question
    if question.status == Question.Status.CLOSED:
        return question
    question.status, question.closed_at = Question.Status.CLOSED, timezone.now()
    question.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(actor=by, action="question.closed", obj=question, ip_address=ip)
    if question.bias is not None:
        # It leaves the probe: the taught questions still open are fitted again without it.
        from insights import tasks

        transaction.on_commit(lambda: tasks.refit_question.delay(question.pk))
    return question


# --- matching (workers) ---------------------------------------------------------------------


def _encode(texts: list[str], language: str) -> np.ndarray:
    from insights import nlp  # heavy: loaded in workers only

    return nlp.encoder(settings.VOC_ENCODER).encode(texts, language=language)


def embed_question(*, question: Question) -> None:
    """Store the question's vector: the mean of its English and Spanish wordings, each embedded
    as a note in that language is."""
    from voc.notes.language import detect_language

    vectors = []
    if question.text:
        vectors.append(_encode([question.text], detect_language(question.text, default="en"))[0])
    if question.text_es:
        vectors.append(_encode([question.text_es], detect_language(question.text_es, default="es"))[0])
    question.vector = matcher.unit(np.mean(vectors, axis=0)).tobytes()
    question.encoder = settings.VOC_ENCODER


def _embedded_open() -> QuerySet[Question]:
    return Question.objects.open().filter(encoder=settings.VOC_ENCODER).exclude(vector=b"")


def _confirmed_vectors(question_ids: list[int]) -> dict[int, list[np.ndarray]]:
    """The stored vectors of each question's confirmed, active notes."""
    rows = NoteVector.objects.usable().filter(
        note__question_matches__question_id__in=question_ids,
        note__question_matches__state=QuestionMatch.State.CONFIRMED,
        note__status=Insight.Status.ACTIVE,
    )
    found: dict[int, list[np.ndarray]] = {}
    for question_id, vector in rows.values_list("note__question_matches__question_id", "vector"):
        found.setdefault(question_id, []).append(np.frombuffer(bytes(vector), dtype=np.float32))
    return found


# The background is drawn from this many of the latest notes: recent, and one bounded read.
BACKGROUND_POOL = 20_000


def _background(dims: int) -> np.ndarray:
    """Up to ``matcher.BACKGROUND_NOTES`` active notes' vectors, drawn from the latest (the same
    draw while the notes are the same), without notes leads confirmed for any question."""
    confirmed = QuestionMatch.objects.filter(state=QuestionMatch.State.CONFIRMED).values("note_id")
    pool = list(
        NoteVector.objects.usable()
        .filter(note__status=Insight.Status.ACTIVE)
        .exclude(note_id__in=confirmed)
        .order_by("-note_id")
        .values_list("note_id", flat=True)[:BACKGROUND_POOL]
    )
    if len(pool) > matcher.BACKGROUND_NOTES:
        pool = sorted(np.random.default_rng(0).choice(pool, matcher.BACKGROUND_NOTES, replace=False).tolist())
    stored = NoteVector.objects.filter(note_id__in=pool).values_list("vector", flat=True)
    vectors = [v for v in (np.frombuffer(bytes(b), dtype=np.float32) for b in stored) if len(v) == dims]
    return np.stack(vectors) if vectors else np.zeros((0, dims), dtype=np.float32)


def refit(*, question: Question | None = None) -> Question | None:
    """Fit every open, embedded question's matcher again from the stored vectors: the questions
    leads have taught (``matcher.MIN_CONFIRMED`` confirmations) in one probe, the others by their
    wording. ``question``: the one that changed (its new vector and key terms are saved with it).
    A matcher that changes gets a new version, so the next scan matches past notes again."""
    now = timezone.now()
    if question is not None:
        Question.objects.filter(pk=question.pk).update(
            key_terms=key_terms(question=question),
            vector=question.vector,
            encoder=question.encoder,
            version=F("version") + 1,
            updated_at=now,
        )
    questions = list(_embedded_open().order_by("pk"))
    confirmed = _confirmed_vectors([q.pk for q in questions])
    taught = [q for q in questions if len(confirmed.get(q.pk, [])) >= matcher.MIN_CONFIRMED]
    fitted: dict[int, tuple[np.ndarray, float | None, float]] = {}
    if taught:
        background = _background(len(taught[0].vector_array()))
        if len(background) >= matcher.BACKGROUND_MIN:
            probe = matcher.fit_probe(
                np.stack([q.vector_array() for q in taught]), [np.stack(confirmed[q.pk]) for q in taught], background
            )
            for i, q in enumerate(taught):
                fitted[q.pk] = (probe.weights[i], float(probe.biases[i]), matcher.PROBE_THRESHOLD)
    for q in questions:
        weights, bias, threshold = fitted.get(q.pk, (q.vector_array(), None, matcher.ZERO_SHOT_THRESHOLD))
        count = len(confirmed.get(q.pk, []))
        if (bytes(q.weights), q.bias, q.threshold, q.confirmed) == (weights.tobytes(), bias, threshold, count):
            continue
        Question.objects.filter(pk=q.pk).update(
            weights=weights.tobytes(),
            bias=bias,
            threshold=threshold,
            confirmed=count,
            version=F("version") + 1,
            updated_at=now,
        )
    if question is not None:
        question.refresh_from_db()
    return question


KEY_TERMS = 15


def key_terms(*, question: Question) -> list[str]:
    """The words most used by the notes counted for ``question`` (at least twice), most used first."""
    from voc.notes.similarity import terms

    texts = Insight.objects.filter(
        status=Insight.Status.ACTIVE,
        question_matches__question=question,
        question_matches__state__in=[QuestionMatch.State.MATCHED, QuestionMatch.State.CONFIRMED],
    ).values_list("text", flat=True)[:500]
    counted = Counter(word for text in texts for word in terms(text))
    return [word for word, n in counted.most_common(KEY_TERMS) if n >= 2]


def prepare_question(*, question_id: int) -> int:
    """Worker: embed the question when its wording is new, fit its matcher, and match past notes.
    Safe to run twice (the scan finds nothing left to do)."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return 0
    embed_question(question=question)
    refit(question=question)
    return rescan()


def _open_questions() -> QuerySet[Question]:
    return _embedded_open().filter(threshold__isnull=False).exclude(weights=b"")


_cached: tuple[tuple[object, ...], _Open] | None = None


def open_matchers() -> _Open:
    """The open questions' matchers, read again only when a question changed (one small
    aggregate query otherwise): a worker matching note after note does not reload 500 vectors."""
    global _cached
    state = tuple(_open_questions().aggregate(n=Count("id"), at=Max("updated_at"), v=Sum("version")).values())
    if _cached is None or _cached[0] != state:
        _cached = (state, _Open())
    return _cached[1]


class _Open:
    """The open, fitted questions as matrices (one query)."""

    def __init__(self) -> None:
        rows = list(_open_questions().values_list("pk", "weights", "bias", "version"))
        self.ids = [r[0] for r in rows]
        self.versions = {r[0]: r[3] for r in rows}
        if rows:
            self.weights = np.stack([np.frombuffer(bytes(r[1]), dtype=np.float32) for r in rows])
        else:
            self.weights = np.zeros((0, 0), dtype=np.float32)
        self.biases = np.array([matcher.NO_BIAS if r[2] is None else r[2] for r in rows], dtype=np.float32)

    def desired(self, vectors: np.ndarray) -> list[list[tuple[int, str, float]]]:  # (question, state, score)
        """Per note: (question id, state, score) for the questions it counts for, or the one
        question to suggest to leads (just under the bar)."""
        result: list[list[tuple[int, str, float]]] = []
        for decision in matcher.decide(vectors, self.weights, self.biases):
            row: list[tuple[int, str, float]] = [
                (self.ids[k], QuestionMatch.State.MATCHED, score) for k, score in decision.counted
            ]
            if decision.suggested is not None:
                k, score = decision.suggested
                row.append((self.ids[k], QuestionMatch.State.SUGGESTED, score))
            result.append(row)
        return result


def _vectors(notes: Q) -> list[tuple[int, bytes, int, str, str, datetime]]:
    return list(
        NoteVector.objects.usable()
        .filter(notes, note__status=Insight.Status.ACTIVE)
        .order_by("note_id")
        .values_list("note_id", "vector", "note__site_id", "note__channel", "note__language", "note__occurred_at")
    )


def _apply(
    open_questions: _Open, rows: list[tuple[int, bytes, int, str, str, datetime]], *, fresh: bool = False
) -> int:
    """Make the machine's matches of these notes what the matcher says now; people's decisions
    (confirmed, rejected, "+1") are never touched. ``fresh``: the notes were just embedded and
    have no match to replace. Returns how many matches were written."""
    if not rows or not open_questions.ids:
        return 0
    vectors = np.stack([np.frombuffer(bytes(r[1]), dtype=np.float32) for r in rows])
    if vectors.shape[1] != open_questions.weights.shape[1]:
        log.warning("question matcher and note vectors differ in size; run `themes backfill`")
        return 0
    desired: dict[tuple[int, int], tuple[str, float]] = {}
    for row, found in zip(rows, open_questions.desired(vectors), strict=True):
        for question_id, state, score in found:
            desired[(question_id, row[0])] = (state, score)
    by_note = {r[0]: r for r in rows}

    def match(question_id: int, note_id: int, state: str, score: float) -> QuestionMatch:
        _, _, site_id, channel, language, occurred_at = by_note[note_id]
        return QuestionMatch(
            question_id=question_id,
            note_id=note_id,
            state=state,
            score=round(score, 4),
            site_id=site_id,
            channel=channel,
            language=language,
            occurred_at=occurred_at,
        )

    if fresh:
        # Notes embedded just now have no match yet: one INSERT (a scan racing it wins the tie).
        created = QuestionMatch.objects.bulk_create(
            [match(q, n, state, score) for (q, n), (state, score) in desired.items()], ignore_conflicts=True
        )
        return len(created)
    with transaction.atomic():
        existing: dict[tuple[int, int], QuestionMatch] = {
            (m.question_id, m.note_id): m  # type: ignore[misc]  # note_id is set: filtered by note
            for m in QuestionMatch.objects.filter(note_id__in=list(by_note), question_id__in=open_questions.ids)
        }
        stale = [m.pk for key, m in existing.items() if m.state in QuestionMatch.MACHINE and key not in desired]
        QuestionMatch.objects.filter(pk__in=stale).delete()
        changed = [
            m
            for key, m in existing.items()
            if m.state in QuestionMatch.MACHINE and key in desired and (m.state, m.score) != desired[key]
        ]
        for m in changed:
            m.state, m.score = desired[(m.question_id, m.note_id)]  # type: ignore[index]  # note_id is set
        QuestionMatch.objects.bulk_update(changed, ["state", "score"])
        new = [match(q, n, state, score) for (q, n), (state, score) in desired.items() if (q, n) not in existing]
        QuestionMatch.objects.bulk_create(new, ignore_conflicts=True)
    return len(new) + len(changed)


def match_notes(*, note_ids: list[int]) -> int:
    """Live: match newly embedded notes against every open question (called by embed_notes, for
    notes it embedded just now; a note embedded again after a change of encoder is matched anew
    by the next scan)."""
    if not note_ids:
        return 0
    return _apply(open_matchers(), _vectors(Q(note_id__in=note_ids)), fresh=True)


def rescan(*, now: datetime | None = None) -> int:
    """Match the notes of the last ``SCAN_WINDOW`` against the open questions when any question
    changed since the last scan (its ``version`` ahead of ``scanned_version``); else nothing.
    Safe to run twice and concurrently with live matching. Returns matches written."""
    if _embedded_open().filter(confirmed__gte=matcher.MIN_CONFIRMED, bias__isnull=True).exists():
        refit()  # taught questions left out of the probe (a refit missed, or too few notes then)
    pending = Question.objects.open().filter(version__gt=F("scanned_version"))
    if not pending.exists():
        return 0
    open_questions = _Open()
    since = (now or timezone.now()) - SCAN_WINDOW
    written = 0
    after = 0
    while True:
        ids = list(
            NoteVector.objects.usable()
            .filter(note_id__gt=after, note__occurred_at__gte=since)
            .order_by("note_id")
            .values_list("note_id", flat=True)[:SCAN_CHUNK]
        )
        if not ids:
            break
        written += _apply(open_questions, _vectors(Q(note_id__in=ids)))
        after = ids[-1]
    for question_id, version in open_questions.versions.items():
        Question.objects.filter(pk=question_id, version=version).update(scanned_version=version)
    return written


# --- people's decisions -----------------------------------------------------------------------


@transaction.atomic
def decide_match(*, match: QuestionMatch, by: User, confirm: bool, ip: str | None = None) -> QuestionMatch:
    """A lead says whether a note of their sites asks the question. Confirmations teach the
    question's matcher (refitted in a worker); a rejected note is never matched to it again."""
    _require(by, Capability.CONFIRM_MATCHES, _("Only team leads confirm or reject matches."))
    if match.note_id is None:
        raise DomainError(_("An agent's +1 is not a match to decide."))
    if match.site_id not in lead_site_ids(by):
        raise NotAllowed(_("This note is from a site you do not lead."))
    note = Insight.objects.select_for_update().get(pk=match.note_id)
    if note.status != Insight.Status.ACTIVE:
        raise DomainError(_("This note has been withdrawn; it no longer counts."))
    state = QuestionMatch.State.CONFIRMED if confirm else QuestionMatch.State.REJECTED
    if match.state == state:
        return match
    now = timezone.now()
    match.state, match.decided_by, match.decided_at = state, by, now
    match.save(update_fields=["state", "decided_by", "decided_at"])
    # Notes that say exactly the same at the lead's sites get the same answer (shown as one).
    copies = (
        QuestionMatch.objects.filter(
            question_id=match.question_id,
            state__in=QuestionMatch.MACHINE,
            site_id__in=lead_site_ids(by),
            note__text=note.text,
            note__status=Insight.Status.ACTIVE,
        )
        .exclude(pk=match.pk)
        .update(state=state, decided_by=by, decided_at=now)
    )
    audit.record(
        actor=by,
        action=f"question.match_{state}",
        obj=match.question,
        ip_address=ip,
        details={"note": note.pk, "copies": copies},
    )
    from insights import tasks

    question_id = match.question_id
    transaction.on_commit(lambda: tasks.refit_question.delay(question_id))
    return match


def refit_and_rescan(*, question_id: int) -> int:
    """Worker, after a lead's decision (or a taught question closed): refit the matchers (the
    probe is fitted over all taught questions together), then match past notes."""
    question = Question.objects.filter(pk=question_id).exclude(vector=b"").first()
    if question is None:
        return 0
    refit(question=question)
    return rescan()


@transaction.atomic
def hear_question(*, question: Question, agent: User, channel: str) -> QuestionMatch:
    """An agent's "+1, heard this too" straight on an open question: one more customer asked."""
    if not has_capability(agent, Capability.LOG_NOTES) or agent.site_id is None:
        raise NotAllowed(_("Your role cannot log notes."))
    if question.status != Question.Status.OPEN:
        raise DomainError(_("This question is closed; it no longer counts."))
    if channel not in Insight.Channel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    Question.objects.select_for_update().filter(pk=question.pk).first()
    now = timezone.now()
    recent = QuestionMatch.objects.filter(
        question=question, agent=agent, state=QuestionMatch.State.HEARD, created_at__gte=now - HEARD_DEBOUNCE
    )
    if recent.exists():
        raise DomainError(_("You added +1 to this a moment ago."))
    return QuestionMatch.objects.create(
        question=question,
        state=QuestionMatch.State.HEARD,
        agent=agent,
        site_id=agent.site_id,
        channel=channel,
        language=_language_of(agent),
        occurred_at=now,
    )


def _language_of(agent: User) -> str:
    """A "+1" has no text: it counts in the language the agent works in."""
    code = (agent.language or "en").split("-")[0]
    return code if code in Insight.Language.values else Insight.Language.ENGLISH
