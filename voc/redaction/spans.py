"""What every finder shares: claimed spans, folding the text for matching, the pattern edges."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

# A candidate: (start, end, kind). ``kind`` None means "looks like personal data but fails its check:
# keep it as typed and let nothing else touch it".
Span = tuple[int, int, str | None]
# A finder looks for one kind in the text and claims the spans it is sure about.
Finder = Callable[[str, "Claims"], None]


def starting(first: str) -> str:
    """``first`` (one character class), not preceded by part of a word or a "+" (international
    prefix), nor by a digit and a decimal/thousands mark or dash (so nothing starts inside 1.200,50 or
    2024-03-12). The character comes before the look-behind so that ``re`` can skip ahead to it
    quickly: a pattern that opens with a look-behind is tried at every position of the note."""
    return rf"{first}(?<![\w+]{first})(?<![0-9][.,\-]{first})"


# Not followed by part of a word, by more number after a decimal mark, dash or colon, nor by a
# currency or percent sign (money and percentages are not personal data). A slash is fine:
# "612345678/912345678" is two phones, and dates never have a nine-digit part.
NUMBER_END = r"(?!\w)(?![.,:\-][0-9])(?! ?[€$£%])"

# --------------------------------------------------------------------------------------------- folding

# Typed between digits by copy-paste from web pages and chat apps, or on purpose to dodge filters.
_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character as the patterns should see it (always one character: positions map 1:1)."""
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII: U+FF14 "4", U+FF20 "@"
        ch = chr(ord(ch) - 0xFEE0)
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    category = unicodedata.category(ch)
    if category == "Zs":
        return " "
    if category == "Pd" or ch == "\u2212":  # en dash, em dash, minus sign...
        return "-"
    return ch


def fold(text: str) -> tuple[str, list[int] | None]:
    """The text the patterns read, and for each of its characters the position in ``text`` (None when
    the two are the same)."""
    if text.isascii():
        return text, None
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch < "\x80":
            chars.append(ch)
        elif ch in _INVISIBLE:
            continue
        else:
            chars.append(_fold_char(ch))
        where.append(i)
    return "".join(chars), where


class Claims:
    """Spans of the text already taken, sorted and never overlapping."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.spans: list[Span] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        if i and self.spans[i - 1][1] > start:
            return False
        return not (i < len(self.starts) and self.starts[i] < end)

    def take(self, start: int, end: int, kind: str | None) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.spans.insert(i, (start, end, kind))


def checked(pattern: re.Pattern[str], kind: str, ok: Callable[[re.Match[str]], bool] | None = None) -> Finder:
    """A finder for ``pattern`` matches that pass ``ok``; after a miss it looks again one character on."""

    def find(text: str, claims: Claims) -> None:
        pos = 0
        while m := pattern.search(text, pos):
            if claims.free(m.start(), m.end()) and (ok is None or ok(m)):
                claims.take(m.start(), m.end(), kind)
                pos = m.end()
            else:
                pos = m.start() + 1

    return find
