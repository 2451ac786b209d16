"""``complaints assign [--month 2026-11]``: the monthly case assignment by hand; safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from voc import periods
from voc.errors import DomainError
from voc.programme.cases import services as cases


class Command(BaseCommand):
    help = "Assign each active executive one open complaint for the month (most senior first)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        assign = sub.add_parser("assign", help="Assign the month's cases (default: this month).")
        assign.add_argument("--month", help="A month such as 2026-11.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = (
                periods.parse_month(options["month"]) if options["month"] else periods.month_start(timezone.localdate())
            )
            result = cases.assign_monthly_cases(month=month)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        label = f"{month:%Y-%m}"
        if not result.assigned and not result.gaps:
            self.stdout.write(f"{label}: every executive already has a case ({result.already}); nothing to do.")
            return
        for case in result.assigned:
            remit = " (in their remit)" if case.matched_remit else ""
            self.stdout.write(
                f"{label}: {case.executive} ← complaint {case.note_id}{remit}, buddy {case.buddy or 'none'}"
            )
        for gap in result.gaps:
            self.stdout.write(self.style.WARNING(f"{label}: {gap.executive} gets no case: {gap.get_reason_display()}"))
        if result.already:
            self.stdout.write(f"{result.already} executive(s) already had a case this month (left as they are).")
        self.stdout.write(self.style.SUCCESS(f"{len(result.assigned)} case(s) assigned."))
