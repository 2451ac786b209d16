"""Bulk import of notes from CSV: every row validated by the same rule as the form
(``services.build_note``), valid rows stored in chunks that each commit, invalid rows reported
with their row number, column and reason. Streams the file, so memory stays flat however many
rows there are. The lifecycle of an uploaded file (queue, run, resume, retention) is in
``voc.notes.import_jobs``.

Safe to run twice: a row's ``external_id`` (or, without one, a fingerprint of the row) is its
identity within its ``source``; a row already stored is counted as a duplicate, not stored again.

Nothing here echoes a raw cell: a reason names the row and the column, and any value it quotes
(and every value written to the file of rows to fix) has been through ``redact``. A bad cell --
an impossible date, a NUL byte, bytes that are not UTF-8, a value too long for the CSV reader --
is a bad row, never the end of the import.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voc import csvfiles
from voc.access import lead_site_ids
from voc.errors import DomainError
from voc.input_guard import EARLIEST_OCCURRED_AT
from voc.models import Insight, ProductArea, User
from voc.notes import fileformat, services
from voc.redaction import redact
from voc.roles import Capability, has_capability

logger = logging.getLogger(__name__)

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
CHUNK_SIZE = 1000
MAX_ERROR_ROWS = 10_000  # rows written to the file of rows to fix; the rest are counted
EARLIEST_YEAR = EARLIEST_OCCURRED_AT.year  # checked before the date is made aware: keeps it in range
_TRUE = {"1", "true", "yes", "y", "si", "sí", "x"}
_FALSE = {"", "0", "false", "no", "n"}
_MAX_REASON = 300


@dataclass
class RowProblem:
    row: int
    field: str
    reason: str  # safe to show: no raw cell value
    values: dict[str, str]  # the row's cells, redacted
    # The reason in each of settings.LANGUAGES (kept rows only), so a page shows it in its reader's language.
    reasons: dict[str, str] = dataclasses.field(default_factory=dict)  # `field` is the column here


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first MAX_KEPT, for display
    fatal: str = ""
    last_row: int = 0  # the file row up to which every row's fate is committed
    finished: bool = False  # False when stopped early (time budget) or on a whole-file problem
    file_format: fileformat.FileFormat | None = None  # the encoding and separator it was read with

    MAX_KEPT = 200

    @property
    def ok(self) -> bool:
        return not self.fatal


class FileProblem(DomainError):
    """The file as a whole cannot be read (size, rows, encoding, header, emptiness)."""


def echo(value: str, limit: int = 40) -> str:
    """A cell value fit to quote in a message: redacted, one line, at most ``limit`` characters."""
    text = redact(value).text
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_cell(value: str) -> str:
    """A cell for the file of rows to fix: redacted, without NUL or undecodable bytes, bounded."""
    text = redact(value[:MAX_FIELD]).text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def _safe_reason(reason: str) -> str:
    """Reasons from ``build_note`` may quote the value they refused; redact it, keep it short."""
    text = redact(reason).text.replace("\x00", "")
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


Redo = Callable[[], object]  # runs the check that refused a row again: raises its DomainError


def _reasons(exc: DomainError, redo: Redo | None) -> dict[str, str]:
    """The refusal in every interface language: the check is run again under each (it is pure
    validation), so what a worker stored reads right on a Spanish or Galician page too."""
    reasons: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            try:
                if redo is not None:
                    redo()
                message = str(exc.message)
            except DomainError as again:
                message = again.message
            except Exception:  # noqa: BLE001 -- a check that fails otherwise: keep the stored text
                message = exc.message
            reasons[code] = _safe_reason(message)
    return reasons


def _refusal(message: Callable[[], str]) -> tuple[DomainError, Redo]:
    """A row refused with one fixed message (a function, to translate it again), and its ``Redo``."""

    def redo() -> None:
        raise DomainError(message(), field="row")

    return DomainError(message(), field="row"), redo


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise DomainError(_("Use yes or no."), field=name)


def _datetime(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = datetime(day.year, day.month, day.day, 12, 0)
    except ValueError:  # the right shape, an impossible day: 2026-13-45
        raise DomainError(
            _("This is not a real date: use one like 2026-11-23 or 2026-11-23T10:30."), field="occurred_at"
        ) from None
    if parsed is None:
        raise DomainError(_("Use a date like 2026-11-23 or 2026-11-23T10:30."), field="occurred_at")
    if parsed.year < EARLIEST_YEAR:
        raise DomainError(_("Use a date from the year %(year)d on.") % {"year": EARLIEST_YEAR}, field="occurred_at")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def fingerprint(row: dict[str, str]) -> str:
    """A stable identity for a row without an external id: the hash of its values."""
    canonical = "\x1f".join(f"{name}={row.get(name, '').strip()}" for name in COLUMNS)
    return "row:" + hashlib.sha256(canonical.encode("utf-8", "surrogateescape")).hexdigest()[:40]


class _Resolver:
    """Looks up agents and product areas once per import, and checks the importer may use them."""

    def __init__(self, importer: User | None, default_agent: User | None) -> None:
        self.importer = importer
        self.default_agent = default_agent
        self.agents: dict[str, User | None] = {}
        self.areas: dict[str, ProductArea | None] = {}
        self.led_sites = set(lead_site_ids(importer)) if importer is not None else None

    def _may_use(self, agent: User) -> bool:
        if self.importer is None or agent == self.importer:
            return True
        return has_capability(self.importer, Capability.VIEW_SITE_NOTES) and agent.site_id in (self.led_sites or ())

    def agent(self, username: str) -> User:
        username = username.strip()
        if not username:
            if self.default_agent is None:
                raise DomainError(_("Say who heard it: fill the agent column."), field="agent")
            return self.default_agent
        if username not in self.agents:
            found = User.objects.filter(username=username, is_active=True).first()
            # Someone the importer may not attribute to is treated exactly like no one, so the
            # page never confirms that a username exists elsewhere.
            self.agents[username] = found if found is not None and self._may_use(found) else None
        agent = self.agents[username]
        if agent is None:
            if self.importer is None:
                raise DomainError(_("No active person has this username."), field="agent")
            raise DomainError(_("No one with this username works at a site you lead."), field="agent")
        return agent

    def area(self, name: str) -> ProductArea | None:
        name = name.strip()
        if not name:
            return None
        if name not in self.areas:
            self.areas[name] = ProductArea.objects.filter(name__iexact=name).first()
        if self.areas[name] is None:
            raise DomainError(_("Unknown product or area."), field="product_area")
        return self.areas[name]


def _text(stream: IO[bytes], *, strict: bool, encoding: str) -> io.TextIOWrapper:
    # Lenient decoding keeps undecodable bytes as lone surrogates, so one bad row is reported as
    # such; ``check_file`` (strict) refuses a file that cannot be decoded before anything is stored.
    return io.TextIOWrapper(stream, encoding=encoding, errors="strict" if strict else "surrogateescape", newline="")


def detect(stream: IO[bytes]) -> fileformat.FileFormat:
    """``fileformat.detect``, its refusal as a ``FileProblem`` (safe to show)."""
    try:
        return fileformat.detect(stream)
    except fileformat.NotText as exc:
        raise FileProblem(exc.message) from None


def _header(text: io.TextIOWrapper, delimiter: str | None = None) -> tuple[list[str], Iterator[list[str] | csv.Error]]:
    """Read and check the header; return the column names and the records after it (a record
    the CSV reader refuses comes as its ``csv.Error``, so the caller reports that row)."""
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise FileProblem(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from None
    if not first.strip():
        raise FileProblem(_("The file is empty: it needs a header row and at least one note."))
    delimiter = delimiter or fileformat.delimiter_of(first)
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    names = [name.strip() for name in next(reader)]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FileProblem(
            _("Missing columns: %(missing)s. The first row must be a header with %(required)s, separated by commas.")
            % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED)}
        )
    unknown = [name for name in names if name not in COLUMNS and name not in IGNORED]
    if unknown:
        raise FileProblem(
            _("Unknown columns: %(unknown)s. Allowed: %(allowed)s.")
            % {"unknown": ", ".join(echo(u, 30) for u in unknown[:5]), "allowed": ", ".join(COLUMNS)}
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FileProblem(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(repeated)})

    def records() -> Iterator[list[str] | csv.Error]:
        while True:
            try:
                yield next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field beyond the reader's limit: that row only
                yield exc

    return names, records()


def check_file(
    *, stream: IO[bytes], max_rows: int | None = None, file_format: fileformat.FileFormat | None = None
) -> int:
    """Read the whole file once, strictly, without storing anything; return its number of rows.
    ``file_format`` is detected (``detect``) when not given.

    Raises ``FileProblem`` (safe to show) when the file is empty, not text, has a bad header,
    no notes, or more than ``max_rows`` (default ``VOC_IMPORT_MAX_ROWS``) rows."""
    limit = settings.VOC_IMPORT_MAX_ROWS if max_rows is None else max_rows
    found = file_format or detect(stream)
    text = _text(stream, strict=True, encoding=found.encoding)
    rows = 0
    try:
        _names, records = _header(text, found.delimiter)
        for _record in records:
            rows += 1
            if rows > limit:
                raise FileProblem(
                    _("The file has more than %(max)d rows. Split it into files of at most %(max)d rows.")
                    % {"max": limit}
                )
    except UnicodeDecodeError:
        raise FileProblem(
            _("The file is not UTF-8 text (around row %(row)d). Save it as CSV UTF-8 and try again.")
            % {"row": rows + 2}
        ) from None
    finally:
        text.detach()  # the caller owns the stream
    if rows == 0:
        raise FileProblem(_("The file has a header but no notes."))
    return rows


def check_size(size: int) -> None:
    """Refuse a file larger than ``VOC_IMPORT_MAX_BYTES`` (a ``FileProblem``, safe to show)."""
    if size > settings.VOC_IMPORT_MAX_BYTES:
        raise FileProblem(
            _("The file is %(size)s; the limit is %(max)s. Split it into smaller files.")
            % {"size": filesizeformat(size), "max": filesizeformat(settings.VOC_IMPORT_MAX_BYTES)}
        )


def _cells(names: list[str], record: list[str]) -> dict[str, str]:
    return {name: csvfiles.unneutralise(value) for name, value in zip(names, record, strict=False)}


def row_key(values: dict[str, str]) -> tuple[str, str]:
    """(source, external_id) of a row: its identity, known before the row is validated."""
    return (
        values.get("source", "").strip() or DEFAULT_SOURCE,
        values.get("external_id", "").strip() or fingerprint(values),
    )


def _check_cells(names: list[str], record: list[str]) -> None:
    if len(record) > len(names):
        raise DomainError(_("This row has more values than the header has columns."), field="row")
    for name, value in zip(names, record, strict=False):
        if "\x00" in value:
            raise DomainError(_("This cell contains a null character."), field=name)
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            raise DomainError(_("This cell is not UTF-8 text."), field=name)
        if len(value) > MAX_FIELD:
            raise DomainError(_("This cell is far too long."), field=name)


def _build(values: dict[str, str], key: tuple[str, str], resolver: _Resolver) -> Insight:
    source, external_id = key
    services.check_client_identity(source=source, external_id=external_id)
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
    on_chunk: Callable[[ImportReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume: ImportReport | None = None,
    chunk_size: int | None = None,
    file_format: fileformat.FileFormat | None = None,
) -> ImportReport:
    """Import a CSV of notes, ``chunk_size`` (default ``CHUNK_SIZE``) rows per transaction.

    ``importer`` (a lead uploading) may attribute rows only to people at sites they lead;
    ``None`` (the command line) may attribute to anyone. Rows without an ``agent`` go to
    ``default_agent``. ``on_problem`` hears of every invalid row as it is found (reason safe to
    show, values redacted); ``on_chunk`` is called with the running totals inside each chunk's
    transaction, so what it records commits with the rows (and raising there undoes the chunk).
    ``resume`` continues a report whose rows up to ``last_row`` are committed: those rows are
    skipped unread. ``should_stop`` is asked after each chunk; when it says yes the import returns
    with ``finished`` False. Rows with no value at all are skipped. ``file_format`` (encoding and
    separator) is detected when not given, and kept on the report."""
    report = resume or ImportReport()
    chunk_size = chunk_size or CHUNK_SIZE
    start_after = report.last_row
    resolver = _Resolver(importer, default_agent)
    chunk: list[tuple[int, dict[str, str] | None, DomainError | None, Redo | None]] = []

    def problem(line: int, values: dict[str, str], exc: DomainError, redo: Redo | None) -> None:
        report.invalid += 1
        found = RowProblem(
            row=line,
            field=exc.field if exc.field in COLUMNS else "row",
            reason=_safe_reason(exc.message),
            values={name: _error_cell(value) for name, value in values.items()},
        )
        if len(report.problems) < ImportReport.MAX_KEPT:
            found.reasons = _reasons(exc, redo)
            report.problems.append(found)
        if on_problem is not None:
            on_problem(found)

    def store(fresh: list[tuple[int, dict[str, str], Insight]]) -> list[Insight]:
        """Insert the chunk in one statement; if the database refuses it, row by row, so the row
        it refuses is reported and the others are kept (a concurrent import of the same row is a
        duplicate, not an error)."""
        try:
            with transaction.atomic():
                return Insight.objects.bulk_create([note for _, _, note in fresh])
        except (OperationalError, InterfaceError):
            raise  # the connection, not the rows: the job is retried (voc.notes.import_jobs.TRANSIENT)
        except DatabaseError:
            pass
        created: list[Insight] = []
        for line, values, note in fresh:
            try:
                with transaction.atomic():
                    created.extend(Insight.objects.bulk_create([note]))
            except IntegrityError:
                report.duplicates += 1
            except (OperationalError, InterfaceError):
                raise
            except DatabaseError:
                logger.warning("import: the database refused row %d", line)
                problem(line, values, *_refusal(lambda: _("This row could not be stored; check its values.")))
        return created

    def flush() -> None:
        """Skip rows already stored (checked first, so known rows cost one indexed lookup, not a
        validation), validate the rest, store them and record progress in one transaction."""
        if not chunk:
            return
        last_line = chunk[-1][0]
        keys = {row_key(values) for _, values, error, _redo in chunk if values is not None and error is None}
        with transaction.atomic():
            existing = set(
                Insight.objects.exclude(external_id="")
                .filter(source__in={s for s, _ in keys}, external_id__in={e for _, e in keys})
                .values_list("source", "external_id")
            )
            fresh: list[tuple[int, dict[str, str], Insight]] = []
            for line, values, error, redo in chunk:
                if error is not None or values is None:
                    problem(
                        line, values or {}, error or DomainError(_("This row could not be read."), field="row"), redo
                    )
                    continue
                key = row_key(values)
                if key in existing:
                    report.duplicates += 1
                    continue
                existing.add(key)  # the same row twice in one file counts once
                try:
                    fresh.append((line, values, _build(values, key, resolver)))
                except DomainError as exc:
                    problem(line, values, exc, functools.partial(_build, values, key, resolver))
                except (SoftTimeLimitExceeded, OperationalError, InterfaceError):
                    raise  # the worker's time is up or the connection dropped: the chunk is undone
                except Exception as exc:  # noqa: BLE001 -- a bad row is a bad row, whatever it raised
                    logger.warning("import: row %d raised %s", line, type(exc).__name__)
                    problem(line, values, *_refusal(lambda: _("This row could not be read; check its values.")))
            created = store(fresh) if fresh else []
            services.announce_notes([n.pk for n in created if n.pk])
            report.created += len(created)
            report.last_row = last_line
            if on_chunk is not None:
                on_chunk(report)
        chunk.clear()

    try:
        found = file_format or detect(stream)
    except FileProblem as exc:
        report.fatal = exc.message
        return report
    report.file_format = found
    text = _text(stream, strict=False, encoding=found.encoding)
    try:
        names, records = _header(text, found.delimiter)
        for line, record in enumerate(records, start=2):
            if line <= start_after:
                continue
            if isinstance(record, csv.Error):
                report.rows += 1
                chunk.append((line, None, *_refusal(lambda: _("This row is not valid CSV."))))
            elif any(value.strip() for name, value in zip(names, record, strict=False) if name in COLUMNS):
                report.rows += 1
                try:
                    _check_cells(names, record)
                except DomainError as exc:
                    redo = functools.partial(_check_cells, names, record)
                    chunk.append((line, _cells(names, record[: len(names)]), exc, redo))
                else:
                    chunk.append((line, _cells(names, record), None, None))
            if len(chunk) >= chunk_size:
                flush()
                if should_stop is not None and should_stop():
                    return report
        flush()
    except FileProblem as exc:
        report.fatal = exc.message
        return report
    finally:
        text.detach()  # the caller owns the stream
    if report.rows == 0:
        report.fatal = _("The file has a header but no notes.")
    report.finished = True
    return report


class ErrorCsv:
    """Writes invalid rows back out, redacted and safe for spreadsheets, with ``row`` and
    ``error`` columns, ready to fix and re-import; at most ``MAX_ERROR_ROWS`` of them."""

    FIELDS = ["row", "error", *COLUMNS]

    def __init__(self, out: IO[str], *, written: int = 0, header: bool = True) -> None:
        self.writer = csvfiles.DictWriter(out, fieldnames=self.FIELDS, extrasaction="ignore")
        self.written = written
        self.left_out = 0
        if header:
            out.write(csvfiles.BOM)  # Excel then reads the accents right; the import skips it
            self.writer.writeheader()

    def __call__(self, problem: RowProblem) -> None:
        if self.written >= MAX_ERROR_ROWS:
            self.left_out += 1
            return
        self.written += 1
        values = {k: v for k, v in problem.values.items() if k in COLUMNS}
        self.writer.writerow({**values, "row": problem.row, "error": f"{problem.field}: {problem.reason}"})

    def finish(self, *, invalid: int) -> None:
        """Say how many invalid rows were left out, on a last row the import skips (no values)."""
        more = invalid - min(invalid, MAX_ERROR_ROWS)
        if more:
            self.writer.writerow(
                {
                    "row": "",
                    "error": ngettext(
                        "%(count)d more row with errors is not listed; fix these and import again to see it.",
                        "%(count)d more rows with errors are not listed; fix these and import again to see them.",
                        more,
                    )
                    % {"count": more},
                }
            )
