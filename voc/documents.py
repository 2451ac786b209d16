"""PDFs for every app: WeasyPrint with the Source Sans 3 files in static/fonts, read from disk,
and a URL fetcher that refuses every URL that is not a local file or inline data, so a render
never downloads anything."""

from __future__ import annotations

from typing import Any

import weasyprint
from django.conf import settings
from weasyprint.document import Document

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


def render(html: str) -> Document:
    """``html`` laid out (its relative URLs are the font folder's)."""
    folder = settings.BASE_DIR / "static" / "fonts"
    return weasyprint.HTML(string=html, base_url=folder.as_uri() + "/", url_fetcher=url_fetcher()).render()
