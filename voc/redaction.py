"""Taking personal data out of the free text agents type about customers.

``redact(text)`` replaces personal data with typed placeholders and counts what it replaced:

==============  ==========================================================================================
``[EMAIL]``     e-mail addresses, also written out: "ana dot r at example dot com", "ana (at) example.com",
                "ana [at] example [dot] com", "ana arroba example punto com"
``[IBAN]``      IBANs (ISO 13616 mod 97 and the country's length)
``[CARD]``      payment card numbers (Luhn), all together or grouped by spaces, dashes, dots or slashes,
                also with a space between every digit
``[EXPIRY]``    a card's expiry date ("12/27", "exp 12/2027", "caduca 12/27"), only in a note with a card
``[CVV]``       a card's security code: 3-4 digits after "CVV", "CVC", "código de seguridad"..., or right
                after a card (and its expiry)
``[ACCOUNT]``   a UK sort code with its account number ("20-00-00 55779911"), a sort code after "sort
                code", an account or policy number (8 digits, or 6-12 together) after "account", "acc no",
                "cuenta", "bank number", "policy", "póliza"...
``[PASSPORT]``  a passport number after "passport"/"pasaporte" (UK: 9 digits; Spain: 3 letters + 6 digits)
``[ID]``        Spanish DNI/NIE numbers (the mod-23 letter), also "12345678 Z", "X-1234567-L", and eight
                digits after "DNI"/"NIF"; UK National Insurance numbers; a US SSN after "SSN"
``[PHONE]``     phone numbers: international, Spanish, British and North American shapes, also a space
                between every digit
==============  ==========================================================================================

Expiry dates and security codes get placeholders of their own, not ``[CARD]``, so that ``found``
still counts cards, and so that a reader sees what was there.

Detection runs on a folded copy of the note: Unicode decimal digits (full-width, Arabic-Indic...) read as
ASCII digits, full-width ASCII as ASCII, other spaces as a space, other dashes as "-", and zero-width
characters dropped. Each finding is mapped back and replaced in the ORIGINAL text, so what is not
personal data keeps every character it was typed with.

Anything that carries a check digit (cards: Luhn; IBANs; DNI/NIE) is replaced only when the check
passes. A number that has the shape of a card or an IBAN but fails its check is left exactly as typed:
later, looser patterns (phones) are not allowed to nibble at it either. Numbers without a check digit
(accounts, passports, expiry dates, security codes) are only taken next to the word that names them
or next to a card, because money, dates, times, percentages, order numbers and years are not
personal data and a redactor that eats them makes notes useless.

The kinds are looked for in a fixed order -- e-mail, IBAN, card (then its expiry and security code),
account, passport, ID, phone. Each finding claims its span; a later candidate that overlaps a claimed
span is dropped, so a card is never reported as a phone. Every pattern is precompiled, bounded in
length, possessive where it repeats, and anchored so that it can only start at the beginning of a
token, which keeps the whole thing linear in the length of the note (``bench/redaction.py`` measures
recall and precision).

Placeholders contain no digits and no ``@``. A card's placeholder still anchors its expiry date and
security code, so a note redacted once and then edited is redacted the same way again. ``redact``
repeats its pass on its own output until nothing more is found (one extra pass in practice), which
makes "redacting twice changes nothing the second time" hold by construction.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PLACEHOLDER_KINDS", "Redacted", "redact"]

# Every kind ``redact`` can report, in the order the finders look for them.
PLACEHOLDER_KINDS = ("EMAIL", "IBAN", "CARD", "EXPIRY", "CVV", "ACCOUNT", "PASSPORT", "ID", "PHONE")


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


def _folded(text: str) -> tuple[str, list[int] | None]:
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


# Written-out addresses. "at" is one of the commonest English words ("I was at the branch"), so a
# plain " at " counts only when the domain is spelt out too ("example dot com") or the part before it
# looks like a user name ("jane.perez at example.com"), and the domain ends in a known top-level
# domain; "(at)", "[at]", "arroba" and "@" count with any dots, still before a known TLD.
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT_MARK = re.compile(
    rf"\s*{_OPEN}\s*(?:at|arroba)\s*{_CLOSE}\s*"  # (at) [at] {{at}} (arroba)
    r"|\s+arroba\s+|\s*@\s*"  # explicit
    r"|\s+(at)\s+",  # plain: group 1
    re.IGNORECASE,
)
_SPOKEN_DOT = rf"\s+(?:dot|punto)\s+|\s*{_OPEN}\s*(?:dot|punto)\s*{_CLOSE}\s*"
_DOMAIN_DOT = re.compile(rf"({_SPOKEN_DOT})|\s?\.\s?", re.IGNORECASE)
_DOMAIN_LABEL = re.compile(r"[^\W_][\w\-]{0,62}")
# The local part read backwards from the mark: words joined by dots, dashes, underscores or a written
# "dot"/"punto" (reversed: "tod", "otnup").
_LOCAL_BACKWARDS = re.compile(
    rf"[\w%+\-.]{{1,64}}+(?:(?:\s+(?:tod|otnup)\s+|\s*{_CLOSE}\s*(?:tod|otnup)\s*{_OPEN}\s*)[\w%+\-.]{{1,64}}+){{0,5}}+",
    re.IGNORECASE,
)
_TLDS = frozenset({
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "io", "co", "uk", "es",
    "gal", "cat", "eus", "eu", "de", "fr", "it", "pt", "ie", "nl", "be", "ch", "at", "lu", "se", "no", "dk",
    "fi", "pl", "cz", "gr", "ro", "hu", "mx", "ar", "cl", "pe", "uy", "ve", "ec", "bo", "py", "br", "us", "ca",
    "au", "nz", "in", "me", "tv", "app", "dev", "online", "xyz", "email", "site", "shop", "store", "tech",
    "cloud", "ai",
})  # fmt: skip
# A plain " at " after one of these is English, not an address: "email them at work dot com" keeps "them".
_NOT_A_LOCAL_PART = frozenset({
    "i", "me", "you", "he", "him", "she", "her", "it", "we", "us", "they", "them", "is", "was", "are", "were",
    "be", "been", "am", "here", "there", "home", "work", "back", "up", "out", "off", "in", "on", "one", "all",
    "this", "that", "arrived", "arrive", "stay", "stayed", "look", "looked", "email", "mail", "write",
    "contact", "reach",
})  # fmt: skip


# A local part that cannot be an English word: it holds a dot, an underscore or a digit.
_USERNAME = re.compile(r"[._0-9]")


def _find_written_emails(text: str, claims: _Claims) -> None:
    for mark in _AT_MARK.finditer(text):
        plain = mark.group(1) is not None
        # The domain: labels joined by dots, written or not; the longest stretch ending in a known TLD.
        pos = mark.end()
        label = _DOMAIN_LABEL.match(text, pos)
        if not label:
            continue
        end = None
        spoken = False
        spoken_at_end = False
        pos = label.end()
        for _ in range(8):
            dot = _DOMAIN_DOT.match(text, pos)
            label = dot and _DOMAIN_LABEL.match(text, dot.end())
            if not dot or not label:
                break
            spoken = spoken or dot.group(1) is not None
            if label[0].lower() in _TLDS and (text[label.end() : label.end() + 1] not in ("-", "_")):
                end, spoken_at_end = label.end(), spoken
            pos = label.end()
        if end is None:
            continue
        before = text[max(0, mark.start() - 400) : mark.start()][::-1]
        local = _LOCAL_BACKWARDS.match(before)
        if not local:
            continue
        start = mark.start() - len(local[0])
        while start < mark.start() and text[start] in ".-":
            start += 1
        if start == mark.start():
            continue
        if start and (text[start - 1].isalnum() or text[start - 1] == "@"):
            continue  # the "local part" is the tail of something longer (an address caught already)
        local_part = text[start : mark.start()]
        if plain and (local_part.lower() in _NOT_A_LOCAL_PART or not (spoken_at_end or _USERNAME.search(local_part))):
            continue  # "bought it at amazon.com": an English "at"; "jane.perez at example.com": an address
        if claims.free(start, end):
            claims.take(start, end, "EMAIL")


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
    sizes: list[int] = []
    for chunk in _ALNUM_CHUNK.finditer(text, start, m.end()):
        compact += chunk[0].upper()
        sizes.append(len(chunk[0]))
        if chunk.end() == len(text) or not text[chunk.end()].isalnum():
            ends.append((chunk.end(), compact))
    for end, iban in reversed(ends):
        if (len(iban) == known or (not known and 15 <= len(iban) <= 34 and _iban_shaped(iban, sizes))) and (
            _iban_checksum_ok(iban)
        ):
            return start, end, "IBAN"
    for end, iban in ends:
        if len(iban) == known and sum(ch.isdigit() for ch in iban[4:]) * 5 >= (known - 4) * 3:
            return start, end, None  # IBAN-shaped (mostly digits) but wrong: keep it whole
    return None


def _iban_shaped(iban: str, sizes: list[int]) -> bool:
    """For a country without a known length ("HN88 CABF ..."), the checksum alone passes one string in
    97, words included ("SW19A 1AA and wants it"): ask for one token or groups of four, mostly digits."""
    chunks = []
    total = 0
    for size in sizes:
        if total >= len(iban):
            break
        chunks.append(size)
        total += size
    grouped = len(chunks) == 1 or all(size == 4 for size in chunks[:-1])
    return grouped and sum(ch.isdigit() for ch in iban[4:]) * 5 >= (len(iban) - 4) * 3


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

# A maximal run of digit groups joined by a space, dash, dot or slash (or two spaces, or a dash and a
# space: people line numbers up). Possessive, so no
# backtracking. Unlike the other patterns it may start inside a token ("line1 4539 1488 0343 6467"):
# which groups may open a card is decided in Python, group by group.
_DIGIT_RUN = re.compile(r"[0-9]++(?:(?:[ \-./]| [ \-]|- )[0-9]++)*+")
_DIGIT_GROUP = re.compile(r"[0-9]+")
# A run glued to what comes before it: part of a word, a "+", or a number with a decimal comma.
_GLUED_BEFORE = re.compile(r"(?:[\w+]|[0-9],)\Z")
# A run that runs into a letter or on into a decimal or time: its last group belongs to that.
_RUN_STOP = re.compile(r"[^\W\d_]|[,:][0-9]")
_SPACE_OR_DASH = frozenset({" ", "-", "  ", " -", "- "})
_LONGEST_SPACED = 19  # digits typed one by one: a card has at most 19


_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2d, less 9 when that is two digits


def _luhn_ok(digits: str) -> bool:
    backwards = digits[::-1]
    return (sum(map(int, backwards[::2])) + sum(map(int, backwards[1::2].translate(_LUHN_DOUBLED)))) % 10 == 0


def _card_shaped(sizes: list[int]) -> bool:
    """How people group a card number: all together, in fours, the 4-6-5 / 4-6-4 of Amex/Diners, or
    one digit at a time (read out, or typed to dodge a filter)."""
    if len(sizes) == 1:
        return True
    if all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4:
        return True
    if all(size == 1 for size in sizes):
        return True
    return sizes in ([4, 6, 5], [4, 6, 4])


def _is_card(values: list[str], separators: list[str]) -> bool:
    """Card length and grouping, one kind of separator throughout (dates mix them: "4/12/2026 10"),
    except spaces and dashes mixed between groups of four ("4539 1488-0343 6467")."""
    digits = "".join(values)
    sizes = [len(v) for v in values]
    kinds = set(separators)
    return (
        13 <= len(digits) <= 19
        and digits[0] != "0"
        and (len(kinds) <= 1 or (kinds <= _SPACE_OR_DASH and all(size == 4 for size in sizes[:-1])))
        and _card_shaped(sizes)
    )


def _find_cards(text: str, claims: _Claims) -> None:
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < 13:
            continue  # too short to hold 13 digits
        if not claims.free(run.start(), run.end()):
            continue
        offset = run.start()
        groups = [(offset + g.start(), offset + g.end(), g[0]) for g in _DIGIT_GROUP.finditer(run[0])]
        values = [g[2] for g in groups]
        # separators[k] follows group k
        separators = [text[groups[k][1] : groups[k + 1][0]] for k in range(len(groups) - 1)]
        first = 1 if _GLUED_BEFORE.search(text, max(0, run.start() - 2), run.start()) else 0
        last = len(groups) - (1 if _RUN_STOP.match(text, run.end()) else 0)  # windows end before this
        spaced = _single_digit_stretches(values, first, last)
        found = False
        i = first
        while i < last:
            best = _card_at(values, separators, i, last, spaced)
            if best is None:
                i += 1
                continue
            found = True
            claims.take(groups[i][0], groups[best][1], "CARD")
            i = best + 1
        if not found and last > first and _is_card(values[first:last], separators[first : last - 1]):
            # card-shaped but fails Luhn: leave it as typed
            claims.take(groups[first][0], groups[last - 1][1], None)


def _single_digit_stretches(values: list[str], first: int, last: int) -> dict[int, int]:
    """For each group of one digit in ``values[first:last]``, the last group of its stretch of
    one-digit groups, or -1 when the stretch is too long to be a card typed digit by digit."""
    ends: dict[int, int] = {}
    k = first
    while k < last:
        if len(values[k]) != 1:
            k += 1
            continue
        end = k
        while end + 1 < last and len(values[end + 1]) == 1:
            end += 1
        mark = end if end - k + 1 <= _LONGEST_SPACED else -1
        for member in range(k, end + 1):
            ends[member] = mark
        k = end + 1
    return ends


def _card_at(values: list[str], separators: list[str], i: int, last: int, spaced: dict[int, int]) -> int | None:
    """The last group of the longest Luhn-valid, card-shaped stretch opening at group ``i``, if any.
    Only a lone group, a group of four or a digit typed on its own can open one; five groups of four
    are already 20 digits and a stretch of single digits longer than ``_LONGEST_SPACED`` is a list,
    not a card, so each group is tried a bounded number of times and this stays linear."""
    if len(values[i]) == 1:
        # Typed digit by digit, the card is the whole stretch: a shorter window would pass Luhn by
        # chance one time in ten, and a stretch is only as long as a card's digits.
        limit = spaced[i]
        if limit < 0 or (i and spaced.get(i - 1, -2) == limit):
            return None
        shortest = limit  # the whole stretch or nothing
    elif len(values[i]) == 4:
        limit = min(i + 4, last - 1)
        shortest = i
    else:
        limit = shortest = i
    best = None
    size = 0
    for j in range(i, limit + 1):
        size += len(values[j])
        if size > 19:
            break
        if (
            size >= 13
            and j >= shortest
            and not _glued_after(separators, i, j)
            and _is_card(values[i : j + 1], separators[i:j])
            and _luhn_ok("".join(values[i : j + 1]))
        ):
            best = j
    return best


def _glued_after(separators: list[str], i: int, j: int) -> bool:
    """Group ``j`` is joined to the next by a dot, dash or slash the stretch from ``i`` does not use:
    it belongs to what follows ("4111 1111 1111 1111 4/27": the 4 is the expiry month)."""
    if j >= len(separators) or separators[j] in _SPACE_OR_DASH - {"-"}:
        return False
    return j == i or separators[j] != separators[i]


# ------------------------------------------------------------------------------- expiry, security code

# A number that says nothing on its own is only taken next to a card: the card found in this note,
# or the placeholder of one redacted before (so an edited note is redacted the same way again).
_CARD_PLACEHOLDER = re.compile(r"\[CARD\]")
_MONTH_YEAR = r"(?<![\w/.\-])(?:0?[1-9]|1[0-2]) ?[/\-] ?(?:20)?[0-9]{2}(?![\w/]|[.,:\-][0-9])"
# Followed by a currency: an amount, not personal data.
_NOT_AN_AMOUNT = r"(?! ?[€$£%])(?! *(?:euros?|eur|pounds?|libras?|gbp|usd|dollars?|dólares)(?!\w))"
_CODE = r"(?<![\w/.,\-])[0-9]{3,4}(?!\w|[.,:/\-][0-9])" + _NOT_AN_AMOUNT
_GAP = r"[\s,;:(\-]{1,3}+"  # between a card and its expiry date or code: "4111... 12/27", "4111..., (12/27"
_FILLER = (
    r"(?:[\s:.,#()]*+(?:date|fecha|de|del|la|el|en|on|is|es|at|in|the|of|end|final|number|no|num|"
    r"nº|n\.º|n°|número|numero|code|código|codigo|my|mi|su|his|her|bank|bancaria|ending|que|would|should|will|"
    r"has|have|be|to|as|follows|sería|será|:)(?!\w)){0,5}+"
    r"[\s:.,#()\-]*+"
)
_EXPIRY_WORD = (
    r"(?<!\w)(?:exp(?:iry|iration|ires|ired|ira|\.)?|valid (?:thru|through|until|till|to)|good thru|"
    r"caduca|caducidad|caducada|cad\.|vence|vencimiento|validez|válida hasta|valida hasta)(?![\w])"
)
_EXPIRY_AFTER_WORD = re.compile(_EXPIRY_WORD + _FILLER + f"(?P<v>{_MONTH_YEAR})", re.IGNORECASE)
_CVV_WORD = (
    r"(?<!\w)(?:(?P<specific>cvv2?|cvc2?|cv2|csc)|security code|card verification (?:value|code)|"
    r"c[óo]digo de seguridad|c[óo]d\. seguridad|(?:3|three|tres) d[íi]gitos(?: de (?:atr[áa]s|detr[áa]s))?|"
    r"(?:3|three) digits(?: on the back)?)(?!\w)"
)
_CVV_AFTER_WORD = re.compile(_CVV_WORD + _FILLER + f"(?P<v>{_CODE})", re.IGNORECASE)
_EXPIRY_AFTER_CARD = re.compile(_GAP + f"(?P<v>{_MONTH_YEAR})")
_CODE_AFTER_CARD = re.compile(_GAP + f"(?P<v>{_CODE})", re.IGNORECASE)


def _find_card_details(text: str, claims: _Claims) -> None:
    anchors = [(start, end) for start, end, kind in claims.spans if kind == "CARD"]
    anchors += [m.span() for m in _CARD_PLACEHOLDER.finditer(text)]
    for _, end in anchors:
        expiry = _EXPIRY_AFTER_CARD.match(text, end)
        if expiry and claims.free(*expiry.span("v")):
            claims.take(*expiry.span("v"), "EXPIRY")
            end = expiry.end()
        code = _CODE_AFTER_CARD.match(text, end)
        if code and claims.free(*code.span("v")):
            claims.take(*code.span("v"), "CVV")
    if anchors:
        for m in _EXPIRY_AFTER_WORD.finditer(text):
            if claims.free(*m.span("v")):
                claims.take(*m.span("v"), "EXPIRY")
    for m in _CVV_AFTER_WORD.finditer(text):
        # "CVV 123" is a security code anywhere; "security code 123" only in a note with a card.
        if (anchors or m.group("specific")) and claims.free(*m.span("v")):
            claims.take(*m.span("v"), "CVV")


# -------------------------------------------------------------------------------- accounts, passports

_SORT_CODE = r"[0-9]{2}(?P<sep>[ \-]?)[0-9]{2}(?P=sep)[0-9]{2}"
_ACCOUNT_NUMBER = r"[0-9]{4} ?[0-9]{4}"
_NO_MORE_NUMBER = r"(?!\w|[.,:/\-][0-9]| [0-9])" + _NOT_AN_AMOUNT
# "20-00-00 55779911": a sort code written with dashes and the account number right after it.
_SORT_CODE_AND_ACCOUNT = re.compile(
    r"(?<![\w.,/\-])(?P<v>[0-9]{2}-[0-9]{2}-[0-9]{2}[\s,;/]{1,3}+" + _ACCOUNT_NUMBER + ")" + _NO_MORE_NUMBER
)
_SORT_CODE_AFTER_WORD = re.compile(
    r"(?<!\w)(?:sort[ \-]?code|s/c)(?!\w)"
    + _FILLER
    + r"(?P<v>(?<![\w.,/\-])"
    + _SORT_CODE
    + r"(?:(?:[\s,;/]{1,3}+|[\s,;/]*+(?:and|y|account|acc|a/c|cuenta|no|number|número)[\s.:,#]*+)+"
    + _ACCOUNT_NUMBER
    + r")?)"
    + _NO_MORE_NUMBER,
    re.IGNORECASE,
)
# An account or policy number after the word: eight digits (UK), or up to twelve (elsewhere, policies).
_ACCOUNT_AFTER_WORD = re.compile(
    r"(?<!\w)(?:account|acct|acc|a/c|bank number|cuenta|cta|n[º°] cuenta|n\.º cuenta|policy|p[óo]liza)(?!\w)"
    + _FILLER
    + r"(?P<v>(?<![\w.,/\-])(?:"
    + _ACCOUNT_NUMBER
    + r"|[0-9]{6,12}))"
    + _NO_MORE_NUMBER,
    re.IGNORECASE,
)
# UK: nine digits; Spain: three letters and six digits (older ones: two letters); others: a letter and
# seven or eight digits. Only after the word, which nothing else in a note is called.
_PASSPORT_AFTER_WORD = re.compile(
    r"(?<!\w)(?:passport|pasaporte|passaporte)(?!\w)"
    + _FILLER
    + r"(?P<v>(?<![\w.,/\-])(?:[0-9]{9}|[A-Za-z]{2,3}[0-9]{6}|[A-Za-z][0-9]{7,8}))"
    + _NO_MORE_NUMBER,
    re.IGNORECASE,
)


def _after_word(pattern: re.Pattern[str], kind: str) -> _Finder:
    """A finder for the value (group ``v``) that ``pattern`` finds after the word that names it."""

    def find(text: str, claims: _Claims) -> None:
        for m in pattern.finditer(text):
            if claims.free(*m.span("v")):
                claims.take(*m.span("v"), kind)

    return find


# ----------------------------------------------------------------------------------------- DNI / NIE

_ID_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_ID = re.compile(
    r"[0-9XYZxyz](?<![\w.,\-][0-9XYZxyz])"  # a token's first character...
    r"(?:(?<=[0-9])(?:[0-9]{7}|[0-9]\.[0-9]{3}\.[0-9]{3})"  # ...of 12345678 or 12.345.678 (DNI)
    r"|(?<=[XYZ])[ \-.]?[0-9]{7}|(?<=[xyz])[\-.]?[0-9]{7})"  # ...or of X1234567, X-1234567, X 1234567 (NIE)
    # The check letter, maybe after a dash or a dot; after a space only in capitals or when it cannot be
    # a one-letter word ("12345678 a", "... y ..." are Spanish).
    r"(?:[\-.]?[A-Za-z]|[ ](?:[A-Z]|[bcdfghjklmnpqrstvwxz]))(?!\w)"
)
_NOT_ID_DIGIT = re.compile(r"[^0-9]")
# UK National Insurance number, capitals as issued: two prefix letters (never D F I Q U V, no O second,
# nor the prefixes never issued), six digits, a suffix A-D. Distinctive enough to need no word.
_NI_NUMBER = re.compile(
    r"[A-CEGHJ-PR-TW-Z](?<![\w.,\-][A-CEGHJ-PR-TW-Z])(?<!B(?=G))(?<!G(?=B))(?<!N(?=K))(?<!K(?=N))"
    r"(?<!T(?=N))(?<!N(?=T))(?<!Z(?=Z))[A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?!\w)"
)
# A DNI typed without its letter, only after its name: "DNI 12345678", "NIF: 12.345.678".
_DNI_DIGITS_AFTER_WORD = re.compile(
    r"(?<!\w)(?:dni|nif|documento(?: de identidad)?|d\.n\.i\.)(?!\w)"
    + _FILLER
    + r"(?P<v>(?<![\w.,/\-])(?:[0-9]{8}|[0-9]{2}\.[0-9]{3}\.[0-9]{3}))(?!\w|[.,:/\-][0-9]| [0-9])"
    + r"(?![\-.]?[A-Za-z](?!\w)|(?-i: [A-Z])(?!\w))",  # with a letter it is a DNI, checked above: a wrong one stays
    re.IGNORECASE,
)
# A US social security number, only after its name.
_SSN_AFTER_WORD = re.compile(
    r"(?<!\w)(?:ssn|social security(?: number)?)(?!\w)" + _FILLER + r"(?P<v>[0-9]{3}-?[0-9]{2}-?[0-9]{4})(?![\w\-])",
    re.IGNORECASE,
)


def _id_ok(m: re.Match[str]) -> bool:
    head, letter = m[0][0].upper(), m[0][-1].upper()
    number = int(_NOT_ID_DIGIT.sub("", m[0][:-1]))
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
            _starting("0") + "(?<![0-9] 0)0[1-9]",  # 0034, but not the 00 inside "020 0031 9931"
        )
    )
    + ")"
    + r"(?:[0-9]|[ .\-](?=[0-9]|\([0-9])|\([0-9]{1,4}\)){6,25}+"
    + r"(?![\w(])(?![ .\-]?[0-9])"
)
# Spanish national: nine digits starting 6, 7, 8 or 9, optionally split by spaces, dots or dashes.
_PHONE_SPAIN = re.compile(_starting("[6-9]") + r"[0-9](?:[ .\-]?[0-9]){7}" + _NUMBER_END)
# British national: a leading 0, 10 or 11 digits, in the groupings people actually write.
_PHONE_UK = re.compile(
    r"(?:" + _starting("0") + r"(?:"
    r"[0-9]{9,10}"  # 07700900123
    r"|[0-9]{4}[ \-][0-9]{3}[ \-]?[0-9]{3}"  # 07700 900123, 07700 900 123, 07700-900-123
    r"|[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3,4}"  # 0161 496 0000
    r"|[0-9]{3}[ \-][0-9]{6,7}"  # 0161 4960000
    r"|[0-9]{2}[ \-][0-9]{4}[ \-][0-9]{4}"  # 020 7946 0958
    r")|" + _starting(r"\(") + r"0[0-9]{2,4}\) ?[0-9]{3,4}[ \-]?[0-9]{3,4}"  # (0161) 496 0000
    r")" + _NUMBER_END
)
# Read out or typed digit by digit: "6 1 2 3 4 5 6 7 8", "0 7 7 0 0 9 0 0 1 2 3". The whole stretch
# of single digits, nothing before or after it.
_PHONE_SPACED = re.compile(_starting("[0-9]") + r"(?<![0-9] [0-9])(?: [0-9]){8,10}+(?! [0-9])" + _NUMBER_END)
# North American: "956-729-4344", "415 589 5478", "(415) 555-0132" -- callers from abroad give them without the +1.
_PHONE_NORTH_AMERICA = re.compile(
    r"(?:"
    + _starting("[2-9]")
    + r"[0-9]{2}(?P<sep>[ \-.])[2-9][0-9]{2}(?P=sep)[0-9]{4}"
    + "|"
    + _starting(r"\(")
    + r"[2-9][0-9]{2}\) ?[2-9][0-9]{2}-[0-9]{4}"
    + ")"
    + _NUMBER_END
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


def _spaced_ok(m: re.Match[str]) -> bool:
    digits = m[0].replace(" ", "")
    return (len(digits) == 9 and digits[0] in "6789") or (len(digits) in (10, 11) and digits[0] == "0")


# ------------------------------------------------------------------------------------------- the work


class _Claims:
    """Spans of the text already taken, sorted and never overlapping."""

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


# One finder per kind, most specific first: a later finder never overrides an earlier one. The first
# two need no digit.
_FINDERS: tuple[_Finder, ...] = (
    _find_emails,
    _find_written_emails,
    _find_ibans,
    _find_cards,
    _find_card_details,
    _checked(_SORT_CODE_AND_ACCOUNT, "ACCOUNT"),
    _after_word(_SORT_CODE_AFTER_WORD, "ACCOUNT"),
    _after_word(_ACCOUNT_AFTER_WORD, "ACCOUNT"),
    _after_word(_PASSPORT_AFTER_WORD, "PASSPORT"),
    _checked(_ID, "ID", _id_ok),
    _checked(_NI_NUMBER, "ID"),
    _after_word(_SSN_AFTER_WORD, "ID"),
    _after_word(_DNI_DIGITS_AFTER_WORD, "ID"),
    _checked(_PHONE_INTERNATIONAL, "PHONE", _international_ok),
    _checked(_PHONE_SPAIN, "PHONE", _spanish_ok),
    _checked(_PHONE_UK, "PHONE", _uk_ok),
    _checked(_PHONE_SPACED, "PHONE", _spaced_ok),
    _checked(_PHONE_NORTH_AMERICA, "PHONE"),
)
_WITHOUT_DIGITS = _FINDERS[:2]
# A pass can only make a later one find something by bringing a card's placeholder closer to an
# expiry date or code; three passes are more than any note needs.
_MAX_PASSES = 3


def _redact_once(text: str) -> Redacted:
    folded, where = _folded(text)
    claims = _Claims()
    for find in _FINDERS if _DIGIT.search(folded) else _WITHOUT_DIGITS:
        find(folded, claims)
    parts: list[str] = []
    found: dict[str, int] = {}
    pos = 0
    for start, end, kind in claims.spans:
        if kind is None:
            continue  # looked like personal data, failed its check: kept as typed
        if where is not None:
            start, end = where[start], where[end - 1] + 1
        parts.append(text[pos:start])
        parts.append(f"[{kind}]")
        found[kind] = found.get(kind, 0) + 1
        pos = end
    parts.append(text[pos:])
    return Redacted(text="".join(parts), found=found)


def redact(text: str) -> Redacted:
    """``text`` with personal data replaced by typed placeholders, and how many of each were replaced.
    Idempotent: ``redact(redact(t).text).found == {}``."""
    result = _redact_once(text)
    if not result.found:
        return result
    found = dict(result.found)
    for _ in range(_MAX_PASSES - 1):
        again = _redact_once(result.text)
        if not again.found:
            break
        for kind, count in again.found.items():
            found[kind] = found.get(kind, 0) + count
        result = again
    return Redacted(text=result.text, found=found)
