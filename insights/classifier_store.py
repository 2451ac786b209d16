"""The classifier that assigns new notes to accepted themes, kept with a version.

``refit()`` fits it on the accepted themes' notes (at most ``classifier.MAX_EXAMPLES_PER_THEME``
each) and stores it as a new ``ThemeClassifier`` row; curation steps ask for a refit after they
commit and beat refits nightly. ``current()`` gives a process the newest row, loaded once per
version: assigning a note costs one small query and one product, whatever the number of notes.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from insights import classifier, figures
from insights.models import ThemeChange, ThemeClassifier

log = logging.getLogger(__name__)
KEEP = 3  # classifiers kept (the newest is used; the others only until every process moved on)

_loaded: tuple[tuple[int, datetime], classifier.Classifier] | None = None  # (version, its fit time): ids can repeat
_lock = threading.Lock()


def refit(*, after_change: int | None = None) -> ThemeClassifier:
    """Fit the classifier on the accepted themes' notes as they are now and make it current.
    Safe to run twice: the second run stores an identical classifier.

    ``after_change``: the curation step (ThemeChange id) that asked for the refit. When the
    current classifier was fitted after it, that classifier is returned as it is: a lead who
    accepts twenty themes in a row asks for twenty refits, and the first one to run covers all.
    (Two leads' steps committing out of id order can leave the older one out until the nightly
    refit, which passes no ``after_change``.)"""
    if after_change is not None:
        latest = ThemeClassifier.objects.order_by("-id").first()
        if latest is not None and latest.after_change >= after_change:
            return latest
    watermark = ThemeChange.objects.aggregate(newest=Max("id"))["newest"] or 0  # read before the examples
    examples = figures.labelled_examples(per_theme=classifier.MAX_EXAMPLES_PER_THEME)
    dimensions = examples.matrix.shape[1] if len(examples.theme_ids) else 0
    if len(examples.theme_ids):
        fitted = classifier.fit(examples.matrix, examples.theme_ids)
    else:
        empty = np.zeros((0, dimensions), dtype=np.float32)
        fitted = classifier.Classifier(np.zeros(0, np.int64), empty, np.zeros(0, np.float32), empty)
    with transaction.atomic():
        row = ThemeClassifier.objects.create(
            encoder=settings.VOC_ENCODER,
            theme_ids=fitted.theme_ids.tolist(),
            weights=fitted.weights.astype(np.float32).tobytes(),
            bias=fitted.bias.astype(np.float32).tobytes(),
            centres=fitted.centres.astype(np.float32).tobytes(),
            examples=len(examples.theme_ids),
            after_change=watermark,
        )
        stale = ThemeClassifier.objects.order_by("-id").values_list("id", flat=True)[KEEP:]
        ThemeClassifier.objects.filter(id__in=list(stale)).delete()
    log.info("theme classifier %s fitted: %s themes, %s notes", row.pk, len(fitted.theme_ids), row.examples)
    return row


def _from_row(row: ThemeClassifier) -> classifier.Classifier:
    themes = np.array(row.theme_ids, dtype=np.int64)
    if len(themes) == 0:
        empty = np.zeros((0, 0), dtype=np.float32)
        return classifier.Classifier(themes, empty, np.zeros(0, np.float32), empty)
    weights = np.frombuffer(bytes(row.weights), dtype=np.float32).reshape(len(themes), -1)
    centres = np.frombuffer(bytes(row.centres), dtype=np.float32).reshape(len(themes), -1)
    return classifier.Classifier(themes, weights, np.frombuffer(bytes(row.bias), dtype=np.float32), centres)


def latest() -> classifier.Classifier | None:
    """The newest classifier of the configured encoder (loaded once per version), or None."""
    global _loaded
    newest = (
        ThemeClassifier.objects.filter(encoder=settings.VOC_ENCODER)
        .order_by("-id")
        .values_list("id", "created_at")
        .first()
    )
    if newest is None:
        return None
    with _lock:
        if _loaded is None or _loaded[0] != newest:
            _loaded = (newest, _from_row(ThemeClassifier.objects.get(pk=newest[0])))
        return _loaded[1]


def current() -> classifier.Classifier:
    """The newest classifier, fitted now when there is none yet (workers only: fitting is heavy)."""
    found = latest()
    if found is None:
        refit()
        found = latest()
    assert found is not None  # just stored
    return found


def refit_after_commit(*, change: ThemeChange) -> None:
    """Ask a worker for a refit once the current transaction commits (curation steps); the
    refit is skipped when a classifier fitted after ``change`` is already current."""
    from insights import tasks  # tasks import the services

    transaction.on_commit(lambda: tasks.refit_classifier.delay(after_change=change.pk))
