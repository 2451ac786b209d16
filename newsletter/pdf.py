"""The printable PDFs: the weekly "Did you know…?" one-pager for the contact-centre floor and the
monthly head-office pack. Django templates make the HTML, WeasyPrint the PDF (workers only).

Both render in the organisation's default language: one PDF per issue, whoever reads it. Fonts
are the Source Sans 3 files in static/fonts, read from disk; the URL fetcher refuses every URL
that is not a local file or inline data, so a render never downloads anything.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.document import Document

from newsletter import pack
from newsletter.models import Issue

log = logging.getLogger(__name__)

ALLOWED_PROTOCOLS = ("file", "data")
FONT_WEIGHTS = (400, 600, 700)
# The subsets of the fontsource files (static/fonts/README.md), so each glyph comes from its file.
UNICODE_RANGES = {
    "latin": (
        "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, "
        "U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
    ),
    "latin-ext": (
        "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, U+0304, U+0308, U+0329, "
        "U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, U+2113, "
        "U+2C60-2C7F, U+A720-A7FF"
    ),
}
# The one-pager's type steps down as facts are added: (most facts, CSS class). An issue that still
# overflows (long edited sentences, a long editor's note) is rendered again a step denser, down to
# "tiny", which also leaves the quotes out.
DENSITIES = ((4, "roomy"), (7, "regular"), (10, "compact"))
STEPS = ("roomy", "regular", "compact", "dense", "tiny")


def url_fetcher() -> weasyprint.URLFetcher:
    """Local files and ``data:`` URLs only: an http(s) URL raises and nothing is downloaded."""
    return weasyprint.URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, timeout=1)


def font_faces() -> list[dict[str, Any]]:
    """The @font-face rules' data for the templates (``newsletter/pdf/_fonts.css``)."""
    folder = settings.BASE_DIR / "static" / "fonts"
    return [
        {
            "weight": weight,
            "url": (folder / f"source-sans-3-{subset}-{weight}-normal.woff").as_uri(),
            "unicode_range": unicode_range,
        }
        for subset, unicode_range in UNICODE_RANGES.items()
        for weight in FONT_WEIGHTS
    ]


def density(facts: int) -> str:
    """The first type size tried for an issue of ``facts`` facts."""
    return next((name for most, name in DENSITIES if facts <= most), "dense")


def weekly(issue: Issue) -> bytes:
    """The A4 one-pager of ``issue``: its included facts in order and the editor's note. Always
    exactly one page: the type is chosen by the number of facts and shrinks further if needed."""
    with translation.override(settings.LANGUAGE_CODE):
        facts = list(issue.facts.filter(included=True).order_by("position", "id"))
        context = {"issue": issue, "facts": facts, "font_faces": font_faces()}
        for name in STEPS[STEPS.index(density(len(facts))) :]:
            document = _document(render_to_string("newsletter/pdf/weekly.html", {**context, "density": name}))
            if len(document.pages) == 1:
                break
        else:
            # Only an editor's note of thousands of words gets here; the first page is the issue.
            log.warning("issue %s does not fit on one page even at the smallest type", issue.label)
            document = document.copy(document.pages[:1])
    return document.write_pdf()


def monthly(month: date) -> bytes:
    """The head-office pack of ``month`` (its first day): cover, contents, then the sections of
    ``pack.month_figures``."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {**pack.month_figures(month), "font_faces": font_faces()}
        html = render_to_string("newsletter/pdf/pack.html", context)
    return _document(html).write_pdf()


def _document(html: str) -> Document:
    folder = settings.BASE_DIR / "static" / "fonts"
    return weasyprint.HTML(string=html, base_url=folder.as_uri() + "/", url_fetcher=url_fetcher()).render()
