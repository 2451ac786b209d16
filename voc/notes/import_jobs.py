"""The life of an uploaded CSV: checked in the request, imported by a worker in chunks that each
commit, resumed after a crash or a time budget, and deleted.

- The raw upload exists only while its job is queued or running: it is deleted when the job
  finishes, done or failed.
- The file of rows to fix holds redacted values only; it and anything left behind (uploads of
  abandoned jobs, orphaned files under ``MEDIA_ROOT/imports``) are deleted after
  ``VOC_IMPORT_RETENTION_DAYS`` by ``purge_expired_imports``.
- A worker imports for at most half the task's soft time limit, then queues the rest; a job whose
  worker died (no progress for twice the task time limit) is taken over by the next delivery or by
  ``resume_stalled_imports``. Rows up to ``ImportJob.last_row`` are committed and never re-read.
- Every write of a worker is fenced on its claim (the ``progress_at`` it wrote): once a job is
  taken over, the worker that lost it writes nothing more, to the database or the rows-to-fix file.
- A transient fault (``TRANSIENT``) keeps the upload and queues the job again for the task's retry;
  only other faults fail the job.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from voc import audit
from voc.errors import DomainError, NotAllowed
from voc.models import ImportJob, User
from voc.notes import fileformat, imports
from voc.roles import Capability, has_capability

FOLDER = "imports"
# Faults that pass (a dropped database connection, a file system hiccup): the job stays resumable.
TRANSIENT: tuple[type[Exception], ...] = (OperationalError, InterfaceError, OSError)

logger = logging.getLogger(__name__)


class LostClaim(Exception):
    """Another worker took this job over; this one stops and its uncommitted chunk is undone."""


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


def queue_import(*, uploaded_by: User, upload: Any) -> ImportJob:
    """Check an uploaded CSV (size, encoding, header, rows) and queue its import in a worker,
    after commit. A file refused here raises ``DomainError`` on ``file`` and nothing is stored."""
    from voc import tasks  # tasks imports this module: a cycle at module level

    if not has_capability(uploaded_by, Capability.VIEW_SITE_NOTES):
        raise NotAllowed(_("Only leads can import notes."))
    name = getattr(upload, "name", "notes.csv") or "notes.csv"
    try:
        if not getattr(upload, "size", 0):
            raise imports.FileProblem(_("The file is empty: it needs a header row and at least one note."))
        imports.check_size(upload.size)
        upload.seek(0)
        found = imports.detect(upload)
        imports.check_file(stream=upload, file_format=found)
        upload.seek(0)
    except imports.FileProblem as exc:
        raise DomainError(exc.message, field="file") from None
    with transaction.atomic():
        job = ImportJob(
            uploaded_by=uploaded_by, original_name=name[:255], encoding=found.encoding, delimiter=found.delimiter
        )
        job.file.save(f"upload-{uuid.uuid4().hex}.csv", upload, save=False)
        job.save()
        transaction.on_commit(functools.partial(tasks.run_import.delay, job.pk))
    return job


def _claim(job_id: int, now: datetime) -> Claim | None:
    """Take a queued job, or a running one whose worker shows no progress for twice the task
    time limit; the ``progress_at`` written here is the claim's token."""
    stale = _stale_before(now)
    taken = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ImportJob.Status.QUEUED)
            | Q(status=ImportJob.Status.RUNNING, progress_at__lt=stale)
            | Q(status=ImportJob.Status.RUNNING, progress_at__isnull=True, created_at__lt=stale)
        )
        .update(status=ImportJob.Status.RUNNING, progress_at=now)
    )
    return Claim(job_id=job_id, token=now, previous=now) if taken else None


@dataclass
class Claim:
    """One worker's hold on a job, fenced by ``progress_at``: the claim writes a fresh one and
    each chunk checks and advances it, so once another worker has taken the job over (writing
    its own) every write of this one is refused. ``previous`` is the token before the last
    advance, in case that advance's commit did not go through."""

    job_id: int
    token: datetime
    previous: datetime

    def held(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.filter(
            pk=self.job_id, status=ImportJob.Status.RUNNING, progress_at__in=[self.previous, self.token]
        )

    def hold(self) -> None:
        """Lock the job's row if this worker still holds it, else raise ``LostClaim``; a
        takeover waits for the lock and then finds fresh progress, so it cannot start until this
        transaction ends."""
        if not list(self.held().select_for_update().values_list("pk", flat=True)):
            raise LostClaim

    def advance(self, now: datetime) -> None:
        self.previous, self.token = self.token, now


def _resume_report(job: ImportJob) -> imports.ImportReport:
    return imports.ImportReport(
        rows=job.rows,
        created=job.created,
        duplicates=job.duplicates,
        invalid=job.invalid,
        problems=[
            imports.RowProblem(
                row=p["row"], field=p["field"], reason=p["reason"], values={}, reasons=p.get("reasons", {})
            )
            for p in job.problems
        ],
        last_row=job.last_row,
    )


def _file_format(job: ImportJob) -> fileformat.FileFormat | None:
    """The format found when the file was uploaded (None for older jobs: detected again)."""
    if job.encoding and job.delimiter:
        return fileformat.FileFormat(encoding=job.encoding, delimiter=job.delimiter)
    return None


def _problems(report: imports.ImportReport) -> list[dict[str, Any]]:
    return [{"row": p.row, "field": p.field, "reason": p.reason, "reasons": p.reasons} for p in report.problems]


def _delete_upload(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    job.file = ""


def run_import_job(job_id: int, *, time_budget: float | None = None) -> ImportJob:
    """Import (or go on importing) a queued upload; a finished job, or one another worker is
    running, is left alone. Works for ``time_budget`` seconds (default: half the task's soft time
    limit), then queues the rest; each chunk of rows commits with the job's progress, so a job
    killed half-way resumes after its last committed row and stores nothing twice. Every write is
    fenced on this run's claim: a worker whose job was taken over writes nothing more.

    A transient fault (``TRANSIENT``: the database connection or the file system) leaves the job
    resumable: the upload is kept, the job is queued again when the database allows it, and the
    fault is raised for the task to retry (else ``resume_stalled_imports`` resumes it). Any other
    fault fails the job and is raised. When the job ends, done or failed, its raw upload is
    deleted."""

    now = timezone.now()
    claim = _claim(job_id, now)
    if claim is None:
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    # Messages and the rows-to-fix file are stored as text: in the uploader's language.
    with translation.override(job.uploaded_by.language or settings.LANGUAGE_CODE):
        return _run_claimed(job, claim, time_budget=time_budget)


def _run_claimed(job: ImportJob, claim: Claim, *, time_budget: float | None) -> ImportJob:
    job_id = job.pk
    if not job.file:
        try:
            return _finish(
                job,
                claim,
                None,
                _("The uploaded file is no longer kept. Upload it again: rows already imported are skipped."),
            )
        except LostClaim:
            return ImportJob.objects.get(pk=job_id)
    if not job.error_file:
        job.error_file.name = f"{FOLDER}/errors/errors-{job.pk}-{uuid.uuid4().hex[:8]}.csv"
        claim.held().update(error_file=job.error_file.name)
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2 if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    errors_path = Path(job.error_file.path)
    errors_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with errors_path.open("a+b") as raw:
            raw.truncate(job.error_file_size)  # rows of a chunk that never committed
            # Rows to fix wait here until their chunk commits, and reach the file only under the
            # job's row lock: a worker that lost its claim never writes to it.
            pending = io.StringIO(newline="")
            sink = imports.ErrorCsv(
                pending, written=min(job.invalid, imports.MAX_ERROR_ROWS), header=job.error_file_size == 0
            )

            def write_pending() -> int:
                raw.write(pending.getvalue().encode("utf-8"))
                pending.seek(0)
                pending.truncate()
                raw.flush()
                os.fsync(raw.fileno())
                return os.fstat(raw.fileno()).st_size

            def on_chunk(report: imports.ImportReport) -> None:
                claim.hold()
                size = write_pending()
                now = timezone.now()
                claim.held().update(
                    rows=report.rows,
                    created=report.created,
                    duplicates=report.duplicates,
                    invalid=report.invalid,
                    problems=_problems(report),
                    last_row=report.last_row,
                    error_file_size=size,
                    progress_at=now,
                )
                claim.advance(now)
                job.last_row, job.error_file_size = report.last_row, size

            with job.file.open("rb") as stream:
                report = imports.import_notes(
                    stream=stream,
                    importer=job.uploaded_by,
                    default_agent=job.uploaded_by,
                    on_problem=sink,
                    on_chunk=on_chunk,
                    should_stop=lambda: time.monotonic() > deadline,
                    resume=_resume_report(job),
                    file_format=_file_format(job),
                )
            if not (report.finished or report.fatal):
                _requeue(job, claim)
                return ImportJob.objects.get(pk=job_id)
            sink.finish(invalid=report.invalid)
            return _finish(job, claim, report, report.fatal, settle_errors=write_pending)
    except LostClaim:
        return ImportJob.objects.get(pk=job_id)
    except SoftTimeLimitExceeded:
        # A chunk outran the budget: its transaction is undone; the next task resumes after the
        # last committed row (the upload is kept for it).
        _requeue(job, claim)
        return ImportJob.objects.get(pk=job_id)
    except Exception as exc:
        if _transient(exc, job):
            _release(claim, errors_path)
        else:
            _fail(job, claim, errors_path)
        raise


def _transient(exc: Exception, job: ImportJob) -> bool:
    if not isinstance(exc, TRANSIENT):
        return False
    if isinstance(exc, FileNotFoundError) and job.file:
        try:
            return job.file.storage.exists(job.file.name)  # an upload that is gone stays gone
        except OSError:
            return True
    return True


def _release(claim: Claim, errors_path: Path) -> None:
    """After a transient fault: cut the rows-to-fix file back to its committed size and queue the
    job again, so a retry seconds later can claim it. If the database is still down this is only
    logged: the job then resumes once its claim is stale."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()  # a dropped connection is replaced, not reused
    try:
        with transaction.atomic():
            claim.hold()
            size = claim.held().values_list("error_file_size", flat=True).get()
            if errors_path.exists():
                with errors_path.open("r+b") as raw:
                    raw.truncate(size)
            claim.held().update(status=ImportJob.Status.QUEUED)
    except LostClaim:
        return
    except Exception:
        logger.warning("import %d: could not queue the job again after a transient fault", claim.job_id, exc_info=True)


def _fail(job: ImportJob, claim: Claim, errors_path: Path) -> None:
    """After any other fault: keep the rows of committed chunks and fail the job."""
    job.refresh_from_db()

    def cut() -> int:
        try:
            with errors_path.open("r+b") as raw:
                raw.truncate(job.error_file_size)  # keep only rows of committed chunks
        except OSError:
            pass
        return job.error_file_size

    with contextlib.suppress(LostClaim):  # the job is another worker's now
        _finish(
            job,
            claim,
            None,
            _(
                "The import stopped on an unexpected error after row %(row)d; the rows before it are saved. "
                "Upload the file again to import the rest: rows already imported are skipped."
            )
            % {"row": job.last_row},
            settle_errors=cut,
        )


def _requeue(job: ImportJob, claim: Claim) -> None:
    """Hand the rest of the file to a new task, unless another worker has taken the job over."""
    from voc import tasks  # tasks imports this module: a cycle at module level

    if claim.held().update(status=ImportJob.Status.QUEUED):
        transaction.on_commit(functools.partial(tasks.run_import.delay, job.pk))


def _finish(
    job: ImportJob,
    claim: Claim,
    report: imports.ImportReport | None,
    message: str,
    *,
    settle_errors: Callable[[], int] | None = None,
) -> ImportJob:
    """End a job, done or failed, if this worker still holds it (else raise ``LostClaim``):
    ``settle_errors`` brings the rows-to-fix file to its final size under the row lock; after
    commit the raw upload is deleted, and the error file if it lists nothing."""
    if report is not None:
        job.rows, job.created, job.duplicates, job.invalid = (
            report.rows,
            report.created,
            report.duplicates,
            report.invalid,
        )
        job.problems = _problems(report)
        job.last_row = report.last_row
    failed = report is None or (bool(report.fatal) and not report.created)
    storage = job.file.storage
    doomed = [job.file.name] if job.file else []
    with transaction.atomic():
        claim.hold()
        if settle_errors is not None:
            job.error_file_size = settle_errors()
        job.file = ""
        if job.error_file and not job.invalid:
            doomed.append(job.error_file.name)
            job.error_file = ""
            job.error_file_size = 0
        job.message = message
        job.status = ImportJob.Status.FAILED if failed else ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save()
        audit.record(
            actor=job.uploaded_by,
            action="notes.imported",
            obj=job,
            details={"rows": job.rows, "created": job.created, "duplicates": job.duplicates, "invalid": job.invalid},
        )
    for name in doomed:  # after commit: a job whose end did not commit keeps its files
        storage.delete(name)
    return job


def resume_stalled_imports(*, now: datetime | None = None) -> int:
    """Queue again every job whose worker died, whose message was lost or whose retries ran out
    (no progress for twice the task time limit); the claim in ``run_import_job`` makes a second
    delivery a no-op."""
    from voc import tasks  # tasks imports this module: a cycle at module level

    stale = _stale_before(now or timezone.now())
    stalled = ImportJob.objects.filter(
        Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        & (Q(progress_at__lt=stale) | Q(progress_at__isnull=True, created_at__lt=stale))
    ).values_list("pk", flat=True)
    ids = list(stalled)
    for pk in ids:
        transaction.on_commit(functools.partial(tasks.run_import.delay, pk))
    return len(ids)


def purge_expired_imports(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what imports leave behind once ``VOC_IMPORT_RETENTION_DAYS`` have passed: files of
    rows to fix of finished jobs, uploads of jobs abandoned that long (the job is marked failed),
    and files under ``MEDIA_ROOT/imports`` no job refers to. The jobs' counts stay. Returns the
    counts deleted; a second run straight after deletes nothing."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VOC_IMPORT_RETENTION_DAYS)
    counts = {"error_files": 0, "uploads": 0, "orphans": 0}
    for job in ImportJob.objects.filter(finished_at__lt=cutoff).exclude(error_file="").exclude(error_file__isnull=True):
        job.error_file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(error_file="", error_file_size=0)
        counts["error_files"] += 1
    abandoned = ImportJob.objects.filter(
        Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        & (Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, created_at__lt=cutoff))
    ) | ImportJob.objects.filter(finished_at__lt=cutoff).exclude(file="").exclude(file__isnull=True)
    for job in abandoned.distinct():
        if job.file:
            counts["uploads"] += 1
        _delete_upload(job)
        if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            job.status = ImportJob.Status.FAILED
            job.finished_at = now
            job.message = _(
                "The import was abandoned and its file deleted. Upload it again: rows already imported are skipped."
            )
        job.save()
    counts["orphans"] = _purge_orphans(cutoff)
    return counts


def _purge_orphans(cutoff: datetime) -> int:
    root = Path(default_storage.path(FOLDER))
    if not root.is_dir():
        return 0
    referenced = {name for pair in ImportJob.objects.values_list("file", "error_file") for name in pair if name}
    deleted = 0
    limit = cutoff.timestamp()
    for path in root.rglob("*"):
        if not path.is_file() or path.stat().st_mtime >= limit:
            continue
        name = path.relative_to(Path(default_storage.path(""))).as_posix()
        if name not in referenced:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
