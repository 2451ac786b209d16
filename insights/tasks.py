"""Celery adapters for insights services: ids in, one service call each.

This module is imported by every process at start-up (the signal handlers live here); the
services load spaCy, torch and scikit-learn only when a worker calls them."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from insights import classifier_store, demo, services, signals
from insights.embedding_queue import CHUNK, EmbeddingQueue
from insights.explore import pdf as explore_pdf
from insights.explore import rollup as explore_rollup
from insights.following import alerts, mail, webhooks
from insights.questions import services as questions
from voc import periods


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def embed_notes(self, note_ids: list[int]) -> int:
    """Embed and assign these notes. At least once; notes already embedded are skipped, and on
    the last retry the notes that still fail are flagged instead of lost."""
    return services.embed_notes(note_ids=note_ids, final_attempt=self.request.retries >= self.max_retries)


@shared_task(acks_late=True)
def backfill_vectors() -> int:
    """Fan the notes that have no vector out over the workers, in chunks. Safe to run twice."""
    chunks = services.notes_without_vectors(chunk=CHUNK)
    for ids in chunks:
        embed_notes.delay(ids)
    return len(chunks)


@shared_task(acks_late=True)
def sweep_vectors() -> int:
    """Hourly: queue the recent notes that have no vector and that the after-commit path should
    have queued minutes ago (``services.missed_notes``). Safe to run twice: a note embedded
    meanwhile is skipped by ``embed_notes``."""
    chunks = services.missed_notes(chunk=CHUNK)
    for ids in chunks:
        embed_notes.delay(ids)
    return sum(len(ids) for ids in chunks)


@shared_task(acks_late=True)
def discover() -> int:
    """Nightly: propose themes for notes without one. Safe to run twice (grouped notes are taken)."""
    return len(services.discover_themes())


@shared_task(acks_late=True)
def refit_classifier(after_change: int | None = None) -> int:
    """After each curation step (``after_change``: its ThemeChange id; skipped when a classifier
    fitted after it is current), and nightly: fit the classifier new notes are assigned with.
    Safe to run twice. Returns the number of themes it knows."""
    return len(classifier_store.refit(after_change=after_change).theme_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def prepare_question(question_id: int) -> int:
    """After a question is asked or reworded: embed it, fit its matcher, match past notes.
    At least once; safe to run twice. Returns the matches written."""
    return questions.prepare_question(question_id=question_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def refit_question(question_id: int) -> int:
    """After a lead confirms or rejects a match, or a taught question is closed: refit the
    matchers and match past notes again. Safe to run twice."""
    return questions.refit_and_rescan(question_id=question_id)


@shared_task(acks_late=True)
def rescan_questions() -> int:
    """Nightly, and whenever a scan was missed: match past notes against questions changed since
    their last scan; nothing when none changed. Safe to run twice."""
    return questions.rescan()


@shared_task(acks_late=True)
def run_alerts() -> int:
    """Every 15 minutes: bursts in the last window, raised or updated, and their people told.
    Safe to run twice (one open burst per subject, one notification per person and burst)."""
    return len(alerts.run_alerts())


@shared_task(acks_late=True)
def send_following_mail() -> dict[str, int]:
    """E-mail every waiting alert, digest and "what happened" once (claims, ``voc.outbox``),
    then come back when the next retry is due. Safe to run twice."""
    run = mail.send_pending()
    if run.retry_in is not None:
        send_following_mail.apply_async(countdown=max(run.retry_in, 1))
    return {"sent": run.sent, "failed": run.failed}


@shared_task(acks_late=True)
def call_webhooks() -> dict[str, int]:
    """Post every waiting webhook call once (claims, ``voc.outbox``), retried with backoff, then
    come back when the next retry is due. Safe to run twice."""
    run = webhooks.call_pending()
    if run.retry_in is not None:
        call_webhooks.apply_async(countdown=max(run.retry_in, 1))
    return {"sent": run.sent, "failed": run.failed}


@shared_task(acks_late=True)
def send_waiting() -> None:
    """Every five minutes: resume e-mails and webhook calls a stopped worker left waiting."""
    send_following_mail.delay()
    call_webhooks.delay()


@shared_task(acks_late=True)
def daily_digests() -> int:
    """Every morning: yesterday's digest of what each person follows. Safe to run twice."""
    queued = mail.queue_digests(frequency="daily", today=timezone.localdate())
    send_following_mail.delay()
    return queued


@shared_task(acks_late=True)
def weekly_digests() -> int:
    """Monday morning: last week's digests, and the agents' "what happened" for those who asked.
    Safe to run twice."""
    today = timezone.localdate()
    queued = mail.queue_digests(frequency="weekly", today=today) + mail.queue_what_happened(today=today)
    send_following_mail.delay()
    return queued


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_dashboard_pdf(user_id: int, query: str) -> str:
    """A reader's dashboard view as a PDF (``explore.pdf``). At least once; rendering twice
    only replaces the file."""
    return str(explore_pdf.render(user_id=user_id, query=query))


@shared_task(acks_late=True)
def detect_spikes() -> int:
    """Monday morning: spikes of the week that just ended against the weeks before it."""
    return len(services.detect_spikes(week=periods.last_complete_week(timezone.localdate())))


embedding_queue = EmbeddingQueue(lambda ids: embed_notes.delay(ids))


def queue_embedding(sender: object, note_ids: list[int], **kwargs: object) -> None:
    """voc.signals.notes_recorded handler (already after commit): embed in a worker."""
    embedding_queue.add(list(note_ids))


@shared_task(acks_late=True)
def rebuild_dashboard_rollup() -> dict[str, int]:
    """Nightly: check the dashboard's daily roll-up against the notes without locking, and
    recount it only when it drifted or the time zone changed (PostgreSQL; a no-op elsewhere).
    Safe to run twice or concurrently with note capture."""
    return explore_rollup.refresh()


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def seed_demo_themes() -> dict[str, int]:
    """After seed_demo: embed the demo notes, discover and accept demo themes. Idempotent."""
    result = demo.seed_themes()
    signals.demo_themes_ready.send(sender=seed_demo_themes)
    return result


def queue_demo_themes(sender: object, **kwargs: object) -> None:
    """voc.signals.demo_seeded handler."""
    seed_demo_themes.delay()
