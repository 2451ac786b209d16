"""``themes discover | evaluate | backfill | spikes``: thin adapters over insights services."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from insights import services, tasks
from insights.embedding_queue import CHUNK
from voc import periods
from voc.errors import DomainError


class Command(BaseCommand):
    help = "Themes: discover proposals, evaluate grouping on a labelled file, embed missing notes, detect spikes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        discover = sub.add_parser("discover", help="propose themes for notes that have none")
        discover.add_argument("--min-size", type=int, default=3)
        evaluate = sub.add_parser("evaluate", help="group a labelled CSV as the product would; prints JSON")
        evaluate.add_argument("--input", type=Path)
        evaluate.add_argument("--text-col", default="text")
        evaluate.add_argument("--label-col", default="label")
        evaluate.add_argument("--k", type=int, help="the number of themes, when known")
        evaluate.add_argument("--assign", action="store_true", help="evaluate assignment to curated themes instead")
        evaluate.add_argument("--train", type=Path)
        evaluate.add_argument("--test", type=Path)
        evaluate.add_argument("--encoder", default=None)
        backfill = sub.add_parser("backfill", help="embed notes without a vector (queued over workers)")
        backfill.add_argument("--now", action="store_true", help="embed here instead of queueing")
        spikes = sub.add_parser("spikes", help="detect spikes of a week (default: the last complete week)")
        spikes.add_argument("--week", help="ISO week, e.g. 2026-W47")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _discover(self, options: dict[str, Any]) -> None:
        themes = services.discover_themes(min_size=options["min_size"])
        self.stdout.write(f"{len(themes)} themes proposed.")
        for theme in themes:
            self.stdout.write(f"  #{theme.pk} {theme.name} ({theme.assignments.count()} notes)")

    def _evaluate(self, options: dict[str, Any]) -> None:
        from insights import evaluation  # loads spaCy, the encoders and scikit-learn: only for evaluate

        encoder = options["encoder"] or settings.VOC_ENCODER
        if options["assign"]:
            if not options["train"] or not options["test"]:
                raise CommandError("--assign needs --train FILE and --test FILE.")
            cols = {"text_col": options["text_col"], "label_col": options["label_col"]}
            result = evaluation.evaluate_assignment(
                evaluation.read_labelled(options["train"], **cols),
                evaluation.read_labelled(options["test"], **cols),
                encoder_name=encoder,
                threshold=settings.VOC_ASSIGN_THRESHOLD,
            )
        else:
            if not options["input"]:
                raise CommandError("evaluate needs --input FILE (or --assign --train FILE --test FILE).")
            texts, labels = evaluation.read_labelled(
                options["input"], text_col=options["text_col"], label_col=options["label_col"]
            )
            if options["k"] is not None and not 1 < options["k"] <= len(texts):
                raise CommandError(f"--k must be between 2 and the number of texts ({len(texts)}).")
            result = evaluation.evaluate_grouping(texts, labels, k=options["k"], encoder_name=encoder)
        self.stdout.write(json.dumps(result))

    def _backfill(self, options: dict[str, Any]) -> None:
        chunks = services.notes_without_vectors(chunk=CHUNK)
        for ids in chunks:
            if options["now"]:
                services.embed_notes(note_ids=ids)
            else:
                tasks.embed_notes.delay(ids)
        verb = "embedded" if options["now"] else "queued"
        self.stdout.write(f"{sum(len(c) for c in chunks)} notes {verb} in {len(chunks)} chunks.")

    def _spikes(self, options: dict[str, Any]) -> None:
        week = periods.last_complete_week(timezone.localdate())
        if options["week"]:
            try:
                week = datetime.strptime(options["week"] + "-1", "%G-W%V-%u").date()
            except ValueError:
                raise CommandError(f"--week must look like 2026-W47 (got {options['week']!r}).") from None
        alerts = services.detect_spikes(week=week)
        self.stdout.write(f"{len(alerts)} themes spiking.")
        for alert in alerts:
            self.stdout.write(f"  {alert.theme}: {alert.count} this week against {alert.baseline:.1f}")
