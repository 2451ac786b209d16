"""Every .xlsx the product writes goes through here: streamed to a temporary file row by row
(openpyxl's write-only mode, so memory stays flat however many rows), every text cell written as
a string and neutralised as in ``voc.csvfiles`` (no cell is ever a live formula)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from voc.csvfiles import safe_cell

__all__ = ["CONTENT_TYPE", "write_xlsx"]

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SPOOL = 8 * 1024 * 1024  # bytes kept in memory before the file goes to disk


def write_xlsx(*, title: str, header: list[str], rows: Iterable[Iterable[Any]]) -> IO[bytes]:
    """One sheet named ``title``: ``header`` then ``rows``; returns the file, rewound, to stream.

    Text passes ``safe_cell`` and is stored as a string cell (data type ``s``), so a value like
    ``=HYPERLINK(…)`` shows as typed and never runs; numbers and booleans stay numbers and booleans."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 -- the response closes it
    workbook.save(out)
    out.seek(0)
    return out


def _cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return WriteOnlyCell(sheet, value="")
    if isinstance(value, bool | int | float):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(safe_cell(str(value))))
    cell.data_type = "s"  # openpyxl would make "=…" a formula; a string cell never runs
    return cell
