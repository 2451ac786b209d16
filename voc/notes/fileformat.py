"""How an uploaded CSV is written: its encoding and its separator, found once by ``detect`` and
used by the web upload, the import task and the ``import_notes`` command alike.

Excel writes "CSV" as it likes: UTF-8 with a BOM ("CSV UTF-8"), UTF-16 with a BOM ("Unicode
text"), or the Windows code page (cp1252) -- and in Spanish with semicolons. A file is read as
UTF-8 when its bytes are valid UTF-8 (a BOM or not; a few stray bytes
among many UTF-8 accents leave it UTF-8, and only their rows are refused), as UTF-16 when it starts with a UTF-16
BOM, else as Windows Latin-1 (cp1252; ISO Latin-1 when it holds bytes cp1252 leaves undefined).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from voc.errors import DomainError

__all__ = ["DELIMITERS", "FileFormat", "NotText", "delimiter_of", "detect"]

DELIMITERS = (",", ";", "\t")  # Excel in Spanish saves "CSV" with semicolons
UTF8 = "utf-8-sig"  # reads a file with or without the BOM
UTF16 = "utf-16"  # the BOM says which byte order
CP1252 = "cp1252"
LATIN1 = "latin-1"
_CHUNK = 1 << 16
_SAMPLE = 8192
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_QUOTED = re.compile(r'"[^"]*"')


class NotText(DomainError):
    """The bytes are not a text file (safe to show)."""


@dataclass(frozen=True)
class FileFormat:
    encoding: str = UTF8
    delimiter: str = ","

    def describe(self) -> str:
        """One sentence for the reader, in their language: "Read as UTF-8, separated by commas."."""
        return describe(self.encoding, self.delimiter)


def describe(encoding: str, delimiter: str) -> str:
    """The sentence of ``FileFormat.describe`` from stored codes ("" when nothing was detected)."""
    names = {
        UTF8: _("UTF-8"),
        UTF16: _("UTF-16 (Unicode)"),
        CP1252: _("Latin-1 (Windows)"),
        LATIN1: _("Latin-1 (ISO)"),
    }
    separators = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}
    if encoding not in names or delimiter not in separators:
        return ""
    return _("Read as %(encoding)s, separated by %(separator)s.") % {
        "encoding": names[encoding],
        "separator": separators[delimiter],
    }


def delimiter_of(header: str) -> str:
    """The separator of a header line: the most frequent of ``DELIMITERS`` outside quotes
    (a comma when there is none: a file of one column)."""
    unquoted = _QUOTED.sub("", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _encoding(stream: IO[bytes]) -> str:
    head = stream.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UTF16
    sample = head + stream.read(_SAMPLE)
    # Control bytes are rare in text (a stray one is a bad row); many are binary, or UTF-16 without a BOM.
    if len(_CONTROL.findall(sample)) > len(sample) // 20 + 1:
        raise NotText(_("This is not a text file. Save it from your spreadsheet as CSV and try again."))
    # A file that is UTF-8 but for a stray byte or two stays UTF-8 (those rows are reported, the
    # others keep their accents); one whose bytes mostly fail is Windows Latin-1.
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    undefined = False
    invalid = wide = 0
    chunk = sample
    while True:
        undefined = undefined or bool(_CP1252_UNDEFINED.search(chunk))
        text = decoder.decode(chunk, final=not chunk)
        bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
        invalid += bad
        wide += sum(1 for ch in text if ch > "\x7f") - bad
        if not chunk:
            break
        chunk = stream.read(_CHUNK)
    if invalid == 0 or wide > invalid:
        return UTF8
    return LATIN1 if undefined else CP1252


def detect(stream: IO[bytes]) -> FileFormat:
    """The encoding and separator of a CSV, read in chunks (memory stays flat); the stream is put
    back where it was. Raises ``NotText`` for bytes that are plainly not text."""
    start = stream.tell()
    try:
        encoding = _encoding(stream)
        stream.seek(start)
        header = stream.read(_CHUNK).decode(encoding, errors="replace").splitlines()
    finally:
        stream.seek(start)
    return FileFormat(encoding=encoding, delimiter=delimiter_of(header[0] if header else ""))
