"""``import_notes FILE.csv``: bulk import with a per-row report; safe to run twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from voc.models import User
from voc.notes import imports


class Command(BaseCommand):
    help = (
        "Import notes from a CSV (UTF-8, UTF-16 or Latin-1; commas, semicolons or tabs, detected). "
        "Required columns: kind, text, channel; "
        "optional: "
        + ", ".join(imports.OPTIONAL)
        + ". Invalid rows are reported by row and column (and written, redacted, with --errors) and the "
        "rest imported, a chunk of rows per transaction. Safe to run twice, and to run again after an "
        "interruption: rows already stored are skipped. Limits: VOC_IMPORT_MAX_BYTES, VOC_IMPORT_MAX_ROWS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--agent", help="username for rows without an agent column value")
        parser.add_argument(
            "--errors", type=Path, help="write the invalid rows here (redacted), with an error column, to fix"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        default_agent = None
        if options["agent"]:
            default_agent = User.objects.filter(username=options["agent"]).first()
            if default_agent is None:
                raise CommandError(f"No person is called {options['agent']}.")
        try:
            imports.check_size(path.stat().st_size)
            with path.open("rb") as stream:
                found = imports.detect(stream)
                imports.check_file(stream=stream, file_format=found)
        except imports.FileProblem as exc:
            raise CommandError(exc.message) from None

        self.stdout.write(found.describe())

        def on_problem(problem: imports.RowProblem) -> None:
            # The reason never quotes a raw cell (see voc.notes.imports), so this is safe in a terminal log.
            self.stdout.write(f"row {problem.row}: {problem.field}: {problem.reason}")
            if sink is not None:
                sink(problem)

        error_file = options["errors"].open("w", encoding="utf-8", newline="") if options["errors"] else None
        sink = imports.ErrorCsv(error_file) if error_file else None
        try:
            with path.open("rb") as stream:
                report = imports.import_notes(
                    stream=stream, default_agent=default_agent, on_problem=on_problem, file_format=found
                )
            if sink is not None:
                sink.finish(invalid=report.invalid)
        finally:
            if error_file:
                error_file.close()
        self.stdout.write(
            f"{report.rows} rows: {report.created} imported, {report.duplicates} already there, "
            f"{report.invalid} with errors."
        )
        if report.fatal:
            raise CommandError(report.fatal)
