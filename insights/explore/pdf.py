"""The dashboard as a PDF, rendered by a worker (WeasyPrint is heavy work, never a request's):
one file per reader, query and day under ``MEDIA_ROOT/exports``; the page that asked waits for
it and downloads it when it is there. Asking again for the same view reuses a fresh file or
the render already under way; files older than a day are deleted as new ones are made."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation

from insights.explore import pages
from voc import documents
from voc.models import User

FRESH = 10 * 60  # seconds a rendered file is served again
STALE_PENDING = 5 * 60  # a render asked this long ago with no file: the worker died, ask again
KEEP = 24 * 3600


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def path_for(user: User, query: str) -> Path:
    """The file of ``user``'s view ``query`` today (the query's parameters sorted)."""
    canonical = QueryDict(query).copy()
    canonical.pop("page", None)
    items = sorted((key, value) for key in canonical for value in canonical.getlist(key))
    key = f"{user.pk}|{timezone.localdate().isoformat()}|{items}"
    return folder() / f"dashboard-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pdf"


def ready(path: Path) -> bool:
    return path.exists() and time.time() - path.stat().st_mtime < FRESH


def ask(path: Path) -> bool:
    """Mark a render of ``path`` as asked for; False when one is already under way."""
    pending = path.with_suffix(".pending")
    if pending.exists() and time.time() - pending.stat().st_mtime < STALE_PENDING:
        return False
    folder().mkdir(parents=True, exist_ok=True)
    pending.write_text("")
    return True


def render(*, user_id: int, query: str) -> Path:
    """Render ``user``'s view ``query`` in their language into its file (written whole, then
    moved into place, so a reader never downloads half a file)."""
    user = User.objects.get(pk=user_id)
    path = path_for(user, query)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        _view, board, context = pages.context(user, QueryDict(query))
        if board is None:
            raise ValueError("the dashboard's filters are not valid")
        html = render_to_string(
            "insights/explore/pdf/dashboard.html", {**context, "font_faces": documents.font_faces()}
        )
    folder().mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_bytes(documents.render(html).write_pdf())
    partial.replace(path)
    path.with_suffix(".pending").unlink(missing_ok=True)
    _tidy()
    return path


def _tidy() -> None:
    cutoff = time.time() - KEEP
    for old in folder().glob("dashboard-*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
