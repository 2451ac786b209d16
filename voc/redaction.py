"""Taking personal data out of the free text agents type about customers.

``redact(text)`` replaces e-mail addresses, payment card numbers, IBANs, Spanish DNI/NIE numbers and
phone numbers with typed placeholders (``[EMAIL]``, ``[CARD]``, ``[IBAN]``, ``[ID]``, ``[PHONE]``) and
counts what it replaced. Notes are written in English, Spanish and Galician, so the patterns are
about numbers and shapes, never about the words around them.

Anything that carries a check digit (cards: Luhn; IBANs: ISO 13616 mod 97 plus the country's length;
DNI/NIE: the mod-23 letter) is replaced only when the check passes. A number that has the shape of a
card or an IBAN but fails its check is left exactly as typed: later, looser patterns (phones) are not
allowed to nibble at it either.

The kinds are looked for in a fixed order -- e-mail, IBAN, card, ID, phone -- over the original text.
Each finding claims its span; a later candidate that overlaps a claimed span is dropped, so a card is
never reported as a phone. Every pattern is precompiled, bounded in length and anchored so that it can
only start at the beginning of a token, which keeps the whole thing linear in the length of the note.
Placeholders contain no digits and no ``@``, so redacting twice changes nothing the second time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Redacted", "redact"]


@dataclass(frozen=True)
class Redacted:
    text: str  # the text with each finding replaced by its placeholder
    found: dict[str, int]  # placeholder kind -> how many were replaced, e.g. {"CARD": 1}


# A candidate: (start, end, kind). ``kind`` None means "looks like personal data but fails its check:
# keep it as typed and let nothing else touch it".
_Span = tuple[int, int, str | None]
# A finder looks for one kind in the text and claims the spans it is sure about.
_Finder = Callable[[str, "_Claims"], None]


def _starting(first: str) -> str:
    """``first`` (one character class), not preceded by part of a word or a "+" (international
    prefix), nor by a digit and a decimal/thousands mark or dash (so nothing starts inside 1.200,50 or
    2024-03-12). The character comes before the look-behind so that ``re`` can skip ahead to it
    quickly: a pattern that opens with a look-behind is tried at every position of the note."""
    return rf"{first}(?<![\w+]{first})(?<![0-9][.,\-]{first})"


# Not followed by part of a word, by more number after a decimal mark, dash or colon, nor by a
# currency or percent sign (money and percentages are not personal data). A slash is fine:
# "612345678/912345678" is two phones, and dates never have a nine-digit part.
_NUMBER_END = r"(?!\w)(?![.,:\-][0-9])(?! ?[€$£%])"

# ---------------------------------------------------------------------------------------------- e-mail

# Found from each "@": walk back over the local part, then match forwards from its start.
_EMAIL_LOCAL = frozenset("._%+-_")  # besides letters and digits, any script
_EMAIL = re.compile(
    r"[\w%+\-][\w.%+\-]{0,63}"  # local part (accents allowed: people type them)
    r"@"
    r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}"  # labels of the domain
    r"[^\W\d_]{2,24}"  # top-level domain
    r"(?![\w\-]|\.[^\W_])"
)


def _is_local_char(ch: str) -> bool:
    return ch in _EMAIL_LOCAL or ch.isalnum()


def _find_emails(text: str, claims: _Claims) -> None:
    at = text.find("@")
    while at != -1:
        if not at or not _is_local_char(text[at - 1]):
            at = text.find("@", at + 1)
            continue
        start = at
        while start > 0 and at - start < 64 and _is_local_char(text[start - 1]):
            start -= 1
        while start < at and text[start] == ".":
            start += 1
        m = _EMAIL.match(text, start)
        if m and m.start() < at < m.end() and claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end(), "EMAIL")
            at = text.find("@", m.end())
        else:
            at = text.find("@", at + 1)


# ----------------------------------------------------------------------------------------------- IBAN

# Lengths from the SWIFT IBAN registry. A country not listed is accepted with any length 15-34.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# Country code, check digits, then up to 30 letters/digits with at most one space between any two.
# The greedy tail may run on into the next words ("... 1332 is my account"); the exact end is found
# in Python by trying the lengths the country allows, at word boundaries only.
# The pattern opens on the check digits (fast to skip to) and looks back for the country code.
_IBAN = re.compile(r"[0-9](?<=(?<!\w)[A-Za-z]{2}[0-9])[0-9](?: ?[A-Za-z0-9]){11,30}+")


_IBAN_DIGITS = {ch: str(int(ch, 36)) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}  # A=10 ... Z=35
_ALNUM_CHUNK = re.compile(r"[A-Za-z0-9]+")


def _iban_checksum_ok(compact: str) -> bool:
    """ISO 13616: first four characters moved to the end, letters read as 10..35, mod 97 leaves 1."""
    return int("".join(map(_IBAN_DIGITS.__getitem__, compact[4:] + compact[:4]))) % 97 == 1


def _iban_at(text: str, m: re.Match[str]) -> _Span | None:
    """The IBAN starting two characters before ``m``: the longest stretch that ends at a word boundary,
    has a length the country uses and a good checksum. Failing that, a span to keep as typed when it
    has the country's exact length and is mostly digits (an IBAN with a typo, say); else None."""
    start = m.start() - 2
    known = _IBAN_LENGTHS.get(text[start : start + 2].upper())
    compact = ""
    ends: list[tuple[int, str]] = []  # (end in text, compact IBAN up to there) at each word boundary
    for chunk in _ALNUM_CHUNK.finditer(text, start, m.end()):
        compact += chunk[0].upper()
        if chunk.end() == len(text) or not text[chunk.end()].isalnum():
            ends.append((chunk.end(), compact))
    for end, iban in reversed(ends):
        if (len(iban) == known or (not known and 15 <= len(iban) <= 34)) and _iban_checksum_ok(iban):
            return start, end, "IBAN"
    for end, iban in ends:
        if len(iban) == known and sum(ch.isdigit() for ch in iban[4:]) * 5 >= (known - 4) * 3:
            return start, end, None  # IBAN-shaped (mostly digits) but wrong: keep it whole
    return None


def _find_ibans(text: str, claims: _Claims) -> None:
    pos = 0
    while m := _IBAN.search(text, pos):
        span = _iban_at(text, m)
        if span is None or not claims.free(span[0], span[1]):
            pos = m.start() + 1
            continue
        claims.take(*span)
        pos = span[1]


# ----------------------------------------------------------------------------------------------- cards

# A maximal run of digit groups joined by single spaces or dashes. Possessive, so no backtracking.
_DIGIT_RUN = re.compile(r"[0-9](?<![\w+][0-9])(?<![0-9][ .,\-][0-9])[0-9]*+(?:[ \-][0-9]++)*+")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
# A run that runs into a letter or on into a decimal, time or date: its last group belongs to that.
_RUN_STOP = re.compile(r"[^\W\d_]|[.,/:][0-9]")


_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2d, less 9 when that is two digits


def _luhn_ok(digits: str) -> bool:
    backwards = digits[::-1]
    return (sum(map(int, backwards[::2])) + sum(map(int, backwards[1::2].translate(_LUHN_DOUBLED)))) % 10 == 0


def _card_shaped(sizes: list[int]) -> bool:
    """How people group a card number: all together, in fours, or the 4-6-5 / 4-6-4 of Amex/Diners."""
    if len(sizes) == 1:
        return True
    if all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4:
        return True
    return sizes in ([4, 6, 5], [4, 6, 4])


def _is_card(groups: list[str]) -> bool:
    digits = "".join(groups)
    return 13 <= len(digits) <= 19 and digits[0] != "0" and _card_shaped([len(g) for g in groups])


def _find_cards(text: str, claims: _Claims) -> None:
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < 13 or not _FOUR_DIGITS.search(run[0]):
            continue  # too short to hold 13 digits, or no group that could open a card
        if not claims.free(run.start(), run.end()):
            continue
        offset = run.start()
        groups = [(offset + g.start(), offset + g.end(), g[0]) for g in _DIGIT_GROUP.finditer(run[0])]
        if _RUN_STOP.match(text, run.end()):
            groups.pop()  # "4111111111111111 12/25": the 12 is the expiry month, not part of the card
        values = [g[2] for g in groups]
        found = False
        i = 0
        while i < len(values):
            # The longest Luhn-valid, card-shaped stretch starting at this group, if any. Only a lone
            # group or a group of four can open one, and five groups of four are already 20 digits:
            # at most five windows per group, so this stays linear.
            best = None
            size = 0
            last = min(i + 4 if len(values[i]) == 4 else i, len(values) - 1)
            for j in range(i, last + 1):
                size += len(values[j])
                if size > 19:
                    break
                if size >= 13 and _is_card(values[i : j + 1]) and _luhn_ok("".join(values[i : j + 1])):
                    best = j
            if best is None:
                i += 1
                continue
            found = True
            claims.take(groups[i][0], groups[best][1], "CARD")
            i = best + 1
        if not found and groups and _is_card(values):
            claims.take(groups[0][0], groups[-1][1], None)  # card-shaped but fails Luhn: leave it as typed


# ----------------------------------------------------------------------------------------- DNI / NIE

_ID_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_ID = re.compile(
    r"[0-9XYZxyz](?<![\w.,\-][0-9XYZxyz])"  # a token's first character...
    r"(?:(?<=[0-9])(?:[0-9]{7}|[0-9]\.[0-9]{3}\.[0-9]{3})"  # ...of 12345678 or 12.345.678 (DNI)
    r"|(?<=[XYZxyz])-?[0-9]{7})"  # ...or of X1234567, X-1234567 (NIE)
    r"-?[A-Za-z](?!\w)"  # the check letter, maybe after a dash
)
_NOT_DIGIT = re.compile(r"[^0-9]")


def _id_ok(m: re.Match[str]) -> bool:
    head, letter = m[0][0].upper(), m[0][-1].upper()
    number = int(_NOT_DIGIT.sub("", m[0][:-1]))
    if head in "XYZ":
        number += "XYZ".index(head) * 10_000_000
    return _ID_LETTERS[number % 23] == letter


# ---------------------------------------------------------------------------------------------- phones

# International: + or 00 (or "(+34)"), a country code, then digits, single separators and bracketed
# area codes such as the British "(0)". Possessive and followed by "no more number", so it is the
# whole number or nothing.
_PHONE_INTERNATIONAL = re.compile(
    "(?:"
    + "|".join(
        (
            _starting(r"\(") + r"(?:\+|00)[1-9][0-9]{0,2}\)",  # (+34)
            _starting(r"\+") + "[1-9]",  # +34
            _starting("0") + "0[1-9]",  # 0034
        )
    )
    + ")"
    + r"(?:[0-9]|[ .\-](?=[0-9(])|\([0-9]{1,4}\)){6,25}+"
    + r"(?![\w(])(?![ .\-]?[0-9])"
)
# Spanish national: nine digits starting 6, 7, 8 or 9, optionally split by spaces, dots or dashes.
_PHONE_SPAIN = re.compile(_starting("[6-9]") + r"[0-9](?:[ .\-]?[0-9]){7}" + _NUMBER_END)
# British national: a leading 0, 10 or 11 digits, in the groupings people actually write.
_PHONE_UK = re.compile(
    r"(?:" + _starting("0") + r"(?:"
    r"[0-9]{9,10}"  # 07700900123
    r"|[0-9]{4}[ \-][0-9]{3} ?[0-9]{3}"  # 07700 900123, 07700 900 123
    r"|[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3,4}"  # 0161 496 0000
    r"|[0-9]{3}[ \-][0-9]{6,7}"  # 0161 4960000
    r"|[0-9]{2}[ \-][0-9]{4}[ \-][0-9]{4}"  # 020 7946 0958
    r")|" + _starting(r"\(") + r"0[0-9]{2,4}\) ?[0-9]{3,4}[ \-]?[0-9]{3,4}"  # (0161) 496 0000
    r")" + _NUMBER_END
)
_DIGIT = re.compile(r"[0-9]")
_SEPARATORS = re.compile(r"[ .\-]")


def _international_ok(m: re.Match[str]) -> bool:
    digits = sum(ch.isdigit() for ch in m[0].replace("(0)", ""))
    return 8 <= digits <= 15


def _spanish_ok(m: re.Match[str]) -> bool:
    # "612 34 56 78" and "612.345.678" yes; "9.12.2024 10" (a date and an hour) no.
    separators = set(_SEPARATORS.findall(m[0]))
    return len(separators) <= 1 and all(len(group) >= 2 for group in _SEPARATORS.split(m[0]))


def _uk_ok(m: re.Match[str]) -> bool:
    return 10 <= sum(ch.isdigit() for ch in m[0]) <= 11


# ------------------------------------------------------------------------------------------- the work


class _Claims:
    """Spans of the original text already taken, sorted and never overlapping."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.spans: list[_Span] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        if i and self.spans[i - 1][1] > start:
            return False
        return not (i < len(self.starts) and self.starts[i] < end)

    def take(self, start: int, end: int, kind: str | None) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.spans.insert(i, (start, end, kind))


def _checked(pattern: re.Pattern[str], kind: str, ok: Callable[[re.Match[str]], bool] | None = None) -> _Finder:
    """A finder for ``pattern`` matches that pass ``ok``; after a miss it looks again one character on."""

    def find(text: str, claims: _Claims) -> None:
        pos = 0
        while m := pattern.search(text, pos):
            if claims.free(m.start(), m.end()) and (ok is None or ok(m)):
                claims.take(m.start(), m.end(), kind)
                pos = m.end()
            else:
                pos = m.start() + 1

    return find


# One finder per kind, most specific first: a later finder never overrides an earlier one.
_FINDERS: tuple[_Finder, ...] = (
    _find_emails,
    _find_ibans,
    _find_cards,
    _checked(_ID, "ID", _id_ok),
    _checked(_PHONE_INTERNATIONAL, "PHONE", _international_ok),
    _checked(_PHONE_SPAIN, "PHONE", _spanish_ok),
    _checked(_PHONE_UK, "PHONE", _uk_ok),
)


def redact(text: str) -> Redacted:
    """``text`` with personal data replaced by typed placeholders, and how many of each were replaced."""
    claims = _Claims()
    finders = _FINDERS if _DIGIT.search(text) else _FINDERS[:1]  # all but e-mail need a digit
    for find in finders:
        find(text, claims)
    parts: list[str] = []
    found: dict[str, int] = {}
    pos = 0
    for start, end, kind in claims.spans:
        if kind is None:
            continue  # looked like personal data, failed its check: kept as typed
        parts.append(text[pos:start])
        parts.append(f"[{kind}]")
        found[kind] = found.get(kind, 0) + 1
        pos = end
    parts.append(text[pos:])
    return Redacted(text="".join(parts), found=found)
