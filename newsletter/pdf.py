"""The printable PDFs: the weekly "Did you know…?" one-pager for the contact-centre floor and the
monthly head-office pack. Django templates make the HTML, WeasyPrint the PDF (workers only).

Both render in every interface language (``services.render_issue_pdf``): each reader gets their own. Fonts
are the Source Sans 3 files in static/fonts, read from disk; the URL fetcher refuses every URL
that is not a local file or inline data, so a render never downloads anything.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.document import Document

from newsletter import pack
from newsletter.models import Issue
from voc import documents
from voc.documents import font_faces

log = logging.getLogger(__name__)

# The one-pager at full scale: (size, unit). The body scales as a whole; the masthead and the
# editor's note stop shrinking at HEAD_MIN so they stay readable from a distance.
BODY = {
    "figure": (50, "pt"),
    "figure_width": (52, "mm"),
    "figure_gap": (7, "mm"),
    "sentence": (20, "pt"),
    "quote": (14, "pt"),
    "quote_gap": (2.5, "mm"),
    "base": (11, "pt"),
    "base_gap": (1.5, "mm"),
    "gap": (5.5, "mm"),
}
HEAD = {
    "title": (46, "pt"),
    "label": (22, "pt"),
    "dates": (12, "pt"),
    "kicker": (12, "pt"),
    "head_pad": (6, "mm"),
    "head_side": (9, "mm"),
    "editor": (14, "pt"),
}
HEAD_MIN = 0.7
SMALLEST_PT = {"sentence": 9.0, "quote": 8.0, "base": 7.0}  # no smaller, whatever the scale
# Each step is about 12 % smaller. An issue starts at a step chosen by its number of facts and
# is rendered again a step smaller while it overflows (long edited sentences, a long editor's
# note); the last step also leaves the quotes out.
SCALES = (1.0, 0.88, 0.78, 0.69, 0.61, 0.54, 0.48, 0.36)


def first_step(facts: int) -> int:
    """The step of ``SCALES`` tried first for ``facts`` facts: full size up to three, then a step
    smaller for every two more."""
    return min(max((facts - 2) // 2, 0), 5)


def sizes(step: int) -> dict[str, Any]:
    """The CSS sizes of the one-pager at ``SCALES[step]``. The last step is the emergency one:
    everything shrinks, with no floor, and the quotes are left out."""
    scale, last = SCALES[step], step == len(SCALES) - 1
    head = scale if last else max(scale, HEAD_MIN)
    floor = {} if last else SMALLEST_PT
    result: dict[str, Any] = {
        key: f"{max(value * scale, floor.get(key, 0)):.2f}{unit}" for key, (value, unit) in BODY.items()
    }
    result.update({key: f"{value * head:.2f}{unit}" for key, (value, unit) in HEAD.items()})
    result["quotes"] = not last
    return result


def weekly(issue: Issue, *, language: str | None = None) -> bytes:
    """The A4 one-pager of ``issue``: its included facts in order and the editor's note. Always
    exactly one page, at the largest type (from the first step on) at which it fits."""
    with translation.override(language or settings.LANGUAGE_CODE):
        facts = list(issue.facts.filter(included=True).order_by("position", "id"))
        context = {"issue": issue, "facts": facts, "font_faces": font_faces()}
        # The editor's note takes about the room of one more fact.
        for step in range(first_step(len(facts) + bool(issue.editor_note)), len(SCALES)):
            document = _document(render_to_string("newsletter/pdf/weekly.html", {**context, "size": sizes(step)}))
            if len(document.pages) == 1:
                break
        else:
            # Only an editor's note of thousands of words gets here; the first page is the issue.
            log.warning("issue %s does not fit on one page even at the smallest type", issue.label)
            document = document.copy(document.pages[:1])
    return document.write_pdf()


def monthly(month: date, *, language: str | None = None) -> bytes:
    """The head-office pack of ``month`` (its first day): cover, contents, then the sections of
    ``pack.month_figures``."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {**pack.month_figures(month), "font_faces": font_faces()}
        html = render_to_string("newsletter/pdf/pack.html", context)
    return _document(html).write_pdf()


def _document(html: str) -> Document:
    return documents.render(html)
