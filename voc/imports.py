"""Bulk import of notes from CSV: every row validated by the same rule as the form
(``services.build_note``), valid rows stored in batches, invalid rows reported with their row
number, field and reason. Streams the file, so memory stays flat however many rows there are.

Safe to run twice: a row's ``external_id`` (or, without one, a fingerprint of the row) is its
identity within its ``source``; a row already stored is counted as a duplicate, not stored again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from voc import audit, services
from voc.access import lead_site_ids
from voc.errors import DomainError
from voc.models import ImportJob, Insight, ProductArea, User
from voc.roles import Capability, has_capability

REQUIRED = ["kind", "text", "channel"]
OPTIONAL = [
    "external_id",
    "occurred_at",
    "language",
    "customer_abroad",
    "caused_by_us",
    "lonely",
    "source",
    "agent",
    "abroad_country",
    "vulnerable",
    "product_area",
]
COLUMNS = REQUIRED + OPTIONAL
IGNORED = ["row", "error"]  # the columns of our own error file, so it can be fixed and re-imported
DEFAULT_SOURCE = "csv"
MAX_FIELD = 10_000
_TRUE = {"1", "true", "yes", "y", "si", "sí", "x"}
_FALSE = {"", "0", "false", "no", "n"}


@dataclass
class RowProblem:
    row: int
    field: str
    reason: str
    values: dict[str, str]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first MAX_KEPT, for display
    fatal: str = ""

    MAX_KEPT = 200

    @property
    def ok(self) -> bool:
        return not self.fatal


class FileProblem(DomainError):
    """The file as a whole cannot be read (encoding, header, emptiness)."""


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise DomainError(_("Use yes or no (got %(value)s).") % {"value": value}, field=name)


def _datetime(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is not None:
            parsed = datetime(day.year, day.month, day.day, 12, 0)
    if parsed is None:
        raise DomainError(
            _("Use a date like 2026-11-23 or 2026-11-23T10:30 (got %(value)s).") % {"value": value},
            field="occurred_at",
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def fingerprint(row: dict[str, str]) -> str:
    """A stable identity for a row without an external id: the hash of its values."""
    canonical = "\x1f".join(f"{name}={row.get(name, '').strip()}" for name in COLUMNS)
    return "row:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


class _Resolver:
    """Looks up agents and product areas once per import, and checks the importer may use them."""

    def __init__(self, importer: User | None, default_agent: User | None) -> None:
        self.importer = importer
        self.default_agent = default_agent
        self.agents: dict[str, User | None] = {}
        self.areas: dict[str, ProductArea | None] = {}
        self.led_sites = set(lead_site_ids(importer)) if importer is not None else None

    def agent(self, username: str) -> User:
        username = username.strip()
        if not username:
            if self.default_agent is None:
                raise DomainError(_("Say who heard it: fill the agent column."), field="agent")
            return self.default_agent
        if username not in self.agents:
            self.agents[username] = User.objects.filter(username=username, is_active=True).first()
        agent = self.agents[username]
        if agent is None:
            raise DomainError(_("No active person is called %(name)s.") % {"name": username}, field="agent")
        if (
            self.importer is not None
            and agent != self.importer
            and not (has_capability(self.importer, Capability.VIEW_SITE_NOTES) and agent.site_id in self.led_sites)
        ):
            raise DomainError(_("%(name)s is not at a site you lead.") % {"name": username}, field="agent")
        return agent

    def area(self, name: str) -> ProductArea | None:
        name = name.strip()
        if not name:
            return None
        if name not in self.areas:
            self.areas[name] = ProductArea.objects.filter(name__iexact=name).first()
        if self.areas[name] is None:
            raise DomainError(_("Unknown product or area %(name)s.") % {"name": name}, field="product_area")
        return self.areas[name]


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        reader = csv.DictReader(text)
        header = reader.fieldnames
    except UnicodeDecodeError:
        raise FileProblem(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from None
    except csv.Error as exc:
        raise FileProblem(_("The file is not a readable CSV: %(error)s") % {"error": exc}) from None
    if not header:
        raise FileProblem(_("The file is empty: it needs a header row and at least one note."))
    names = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [h for h in names if h not in COLUMNS and h not in IGNORED]
    if missing:
        raise FileProblem(
            _("Missing columns: %(missing)s. The header must include %(required)s.")
            % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED)}
        )
    if unknown:
        raise FileProblem(
            _("Unknown columns: %(unknown)s. Allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(COLUMNS)}
        )
    reader.fieldnames = names
    line = 1
    try:
        for raw in reader:
            line += 1
            yield line, raw
    except UnicodeDecodeError:
        raise FileProblem(
            _("The file stops being UTF-8 text after row %(row)d. Save it as CSV UTF-8 and try again.") % {"row": line}
        ) from None
    except csv.Error as exc:
        raise FileProblem(_("Row %(row)d is not valid CSV: %(error)s") % {"row": line + 1, "error": exc}) from None


def _values(row: dict[Any, Any]) -> dict[str, str]:
    return {k: (v or "") for k, v in row.items() if k is not None and not isinstance(v, list)}


def row_key(row: dict[Any, Any]) -> tuple[str, str]:
    """(source, external_id) of a row: its identity, known before the row is validated."""
    values = _values(row)
    return (
        values.get("source", "").strip() or DEFAULT_SOURCE,
        values.get("external_id", "").strip() or fingerprint(values),
    )


def _build(row: dict[Any, Any], resolver: _Resolver) -> Insight:
    extra = row.get(None)
    if extra:
        raise DomainError(_("This row has more values than the header has columns."), field="row")
    values = _values(row)
    if any(len(v) > MAX_FIELD for v in values.values()):
        raise DomainError(_("A value in this row is far too long."), field="row")
    source, external_id = row_key(row)
    return services.build_note(
        agent=resolver.agent(values.get("agent", "")),
        kind=values["kind"].strip().lower(),
        text=values["text"],
        channel=values["channel"].strip().lower(),
        language=values.get("language", "").strip().lower(),
        occurred_at=_datetime(values.get("occurred_at", "")),
        customer_abroad=_bool(values.get("customer_abroad", ""), "customer_abroad"),
        abroad_country=values.get("abroad_country", ""),
        caused_by_us=_bool(values.get("caused_by_us", ""), "caused_by_us"),
        lonely=_bool(values.get("lonely", ""), "lonely"),
        vulnerable=_bool(values.get("vulnerable", ""), "vulnerable"),
        product_area=resolver.area(values.get("product_area", "")),
        source=source,
        external_id=external_id,
    )


def import_notes(
    *,
    stream: IO[bytes],
    importer: User | None = None,
    default_agent: User | None = None,
    on_problem: Callable[[RowProblem], None] | None = None,
    batch_size: int = 1000,
) -> ImportReport:
    """Import a CSV of notes. ``importer`` (a lead uploading) may attribute rows only to people
    at sites they lead; ``None`` (the command line) may attribute to anyone. Rows without an
    ``agent`` go to ``default_agent``. ``on_problem`` hears of every invalid row as it is found."""
    report = ImportReport()
    resolver = _Resolver(importer, default_agent)
    batch: list[tuple[int, dict[Any, Any], tuple[str, str]]] = []

    def problem(line: int, row: dict[Any, Any], exc: DomainError) -> None:
        report.invalid += 1
        found = RowProblem(row=line, field=exc.field or "row", reason=exc.message, values=_values(row))
        if len(report.problems) < ImportReport.MAX_KEPT:
            report.problems.append(found)
        if on_problem is not None:
            on_problem(found)

    def flush() -> None:
        """Skip rows already stored (checked first, so known rows cost one indexed lookup, not
        a validation), validate the rest and store them in one transaction."""
        if not batch:
            return
        keys = {key for _, _, key in batch}
        existing = set(
            Insight.objects.exclude(external_id="")
            .filter(source__in={s for s, _ in keys}, external_id__in={e for _, e in keys})
            .values_list("source", "external_id")
        )
        fresh: list[Insight] = []
        for line, row, key in batch:
            if key in existing:
                report.duplicates += 1
                continue
            existing.add(key)  # the same row twice in one file counts once
            try:
                fresh.append(_build(row, resolver))
            except DomainError as exc:
                problem(line, row, exc)
        with transaction.atomic():
            created = Insight.objects.bulk_create(fresh)
            services.announce_notes([n.pk for n in created if n.pk])
        report.created += len(created)
        batch.clear()

    try:
        for line, row in _rows(stream):
            report.rows += 1
            batch.append((line, row, row_key(row)))
            if len(batch) >= batch_size:
                flush()
        flush()
    except FileProblem as exc:
        flush()
        report.fatal = exc.message
    if report.rows == 0 and not report.fatal:
        report.fatal = _("The file has a header but no notes.")
    return report


class ErrorCsv:
    """Writes invalid rows back out, with an ``error`` column, ready to fix and re-import."""

    def __init__(self, out: IO[str]) -> None:
        self.writer = csv.DictWriter(out, fieldnames=["row", "error", *COLUMNS], extrasaction="ignore")
        self.writer.writeheader()

    def __call__(self, problem: RowProblem) -> None:
        self.writer.writerow({**problem.values, "row": problem.row, "error": f"{problem.field}: {problem.reason}"})


def queue_import(*, uploaded_by: User, upload: Any) -> ImportJob:
    """Keep an uploaded CSV and queue its import in a worker (after commit)."""
    from voc import tasks

    if not has_capability(uploaded_by, Capability.VIEW_SITE_NOTES):
        raise DomainError(_("Only leads can import notes."))
    name = getattr(upload, "name", "notes.csv") or "notes.csv"
    if getattr(upload, "size", 0) == 0:
        raise DomainError(_("The file is empty: it needs a header row and at least one note."), field="file")
    with transaction.atomic():
        job = ImportJob(uploaded_by=uploaded_by, original_name=name[:255])
        job.file.save(f"upload-{uuid.uuid4().hex}.csv", upload, save=False)
        job.save()
        tasks.run_import.delay_on_commit(job.pk)
    return job


def run_import_job(job_id: int) -> ImportJob:
    """Import a queued upload; a finished job, or one another worker is running, is left alone.

    A job still "running" long after its time limit (its worker died) is taken over: rows stored
    before are recognised as duplicates, so nothing is stored twice."""
    stale = timezone.now() - timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=ImportJob.Status.QUEUED) | Q(status=ImportJob.Status.RUNNING, created_at__lt=stale))
        .update(status=ImportJob.Status.RUNNING)
    )
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if not claimed:
        return job
    with tempfile.TemporaryFile() as errors:
        buffer = io.TextIOWrapper(errors, encoding="utf-8", newline="")
        try:
            with job.file.open("rb") as stream:
                report = import_notes(
                    stream=stream, importer=job.uploaded_by, default_agent=job.uploaded_by, on_problem=ErrorCsv(buffer)
                )
        except Exception:
            job.status = ImportJob.Status.FAILED
            job.message = _("The import stopped on an unexpected error; rows saved before it are kept.")
            job.finished_at = timezone.now()
            job.save()
            raise
        if report.invalid:
            buffer.flush()
            errors.seek(0)
            job.error_file.save(f"errors-{job.pk}.csv", File(errors), save=False)
        buffer.detach()
    job.rows, job.created, job.duplicates, job.invalid = report.rows, report.created, report.duplicates, report.invalid
    job.message = report.fatal
    job.problems = [{"row": p.row, "field": p.field, "reason": p.reason} for p in report.problems]
    job.status = ImportJob.Status.FAILED if report.fatal and not report.created else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    audit.record(
        actor=job.uploaded_by,
        action="notes.imported",
        obj=job,
        details={"rows": job.rows, "created": job.created, "duplicates": job.duplicates, "invalid": job.invalid},
    )
    return job
