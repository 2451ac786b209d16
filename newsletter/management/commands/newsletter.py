"""``newsletter build [--week 2026-W47] [--send] [--pdf PATH]``: the weekly issue by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from newsletter import services
from newsletter.models import Issue
from voc import periods
from voc.errors import DomainError


class Command(BaseCommand):
    help = (
        "Build (draft) a week's newsletter issue; optionally approve and send it, or write its PDF. Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Draft the issue of an ISO week (default: the last week that ended).")
        build.add_argument("--week", help="ISO week such as 2026-W47.")
        build.add_argument(
            "--send",
            action="store_true",
            help="Approve the issue (you, at the command line, are the approver) and e-mail it; "
            "resumes an interrupted send.",
        )
        build.add_argument("--pdf", type=Path, metavar="PATH", help="Also write the issue's PDF to PATH.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            week = (
                periods.parse_week(options["week"])
                if options["week"]
                else periods.last_complete_week(timezone.localdate())
            )
            issue, created = services.prepare_weekly_issue(week_start=week)
            self._report(issue, created)
            if issue.status == Issue.Status.SKIPPED:
                return
            if options["pdf"]:
                from newsletter import pdf  # WeasyPrint loads only when a PDF is asked for

                options["pdf"].write_bytes(pdf.weekly(issue))
                self.stdout.write(f"PDF written to {options['pdf']}")
            if options["send"]:
                if issue.status in services.EDITABLE:
                    services.approve_issue(issue=issue, by=None)
                    self.stdout.write("Approved at the command line.")
                queued = services.send_issue(issue=Issue.objects.get(pk=issue.pk))
                self.stdout.write(
                    self.style.SUCCESS(f"Sending: {queued} new deliveries queued; a Celery worker e-mails them.")
                    if queued
                    else "Already sent; any delivery still pending was queued again (nobody gets it twice)."
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except OSError as exc:
            raise CommandError(f"Cannot write the PDF: {exc}") from None

    def _report(self, issue: Issue, created: bool) -> None:
        verb = "Drafted" if created else "Already there (left untouched)"
        self.stdout.write(
            f"{verb}: issue {issue.label} ({issue.week_start:%d %b} to {issue.week_end:%d %b %Y}), "
            f"{issue.get_status_display()}, {issue.notes_count} notes that week."
        )
        if issue.status == Issue.Status.SKIPPED:
            self.stdout.write(
                self.style.WARNING("Nothing notable that week: recorded as skipped, nothing will be sent.")
            )
            return
        for fact in issue.facts.all():
            mark = " " if fact.included else "-"
            self.stdout.write(f" {mark} {fact.figure:>7}  {fact.sentence_en}  (n={fact.base})")
