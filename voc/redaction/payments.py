"""Payment data: IBANs, card numbers, and a card's expiry date and security code."""

from __future__ import annotations

import re

from voc.redaction.spans import Claims, Span

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


def _iban_at(text: str, m: re.Match[str]) -> Span | None:
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


def find_ibans(text: str, claims: Claims) -> None:
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


def find_cards(text: str, claims: Claims) -> None:
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
NOT_AN_AMOUNT = r"(?! ?[€$£%])(?! *(?:euros?|eur|pounds?|libras?|gbp|usd|dollars?|dólares)(?!\w))"
_CODE = r"(?<![\w/.,\-])[0-9]{3,4}(?!\w|[.,:/\-][0-9])" + NOT_AN_AMOUNT
_GAP = r"[\s,;:(\-]{1,3}+"  # between a card and its expiry date or code: "4111... 12/27", "4111..., (12/27"
FILLER = (
    r"(?:[\s:.,#()]*+(?:date|fecha|de|del|la|el|en|on|is|es|at|in|the|of|end|final|number|no|num|"
    r"nº|n\.º|n°|número|numero|code|código|codigo|my|mi|su|his|her|bank|bancaria|ending|que|would|should|will|"
    r"has|have|be|to|as|follows|sería|será|:)(?!\w)){0,5}+"
    r"[\s:.,#()\-]*+"
)
_EXPIRY_WORD = (
    r"(?<!\w)(?:exp(?:iry|iration|ires|ired|ira|\.)?|valid (?:thru|through|until|till|to)|good thru|"
    r"caduca|caducidad|caducada|cad\.|vence|vencimiento|validez|válida hasta|valida hasta)(?![\w])"
)
_EXPIRY_AFTER_WORD = re.compile(_EXPIRY_WORD + FILLER + f"(?P<v>{_MONTH_YEAR})", re.IGNORECASE)
_CVV_WORD = (
    r"(?<!\w)(?:(?P<specific>cvv2?|cvc2?|cv2|csc)|security code|card verification (?:value|code)|"
    r"c[óo]digo de seguridad|c[óo]d\. seguridad|(?:3|three|tres) d[íi]gitos(?: de (?:atr[áa]s|detr[áa]s))?|"
    r"(?:3|three) digits(?: on the back)?)(?!\w)"
)
_CVV_AFTER_WORD = re.compile(_CVV_WORD + FILLER + f"(?P<v>{_CODE})", re.IGNORECASE)
_EXPIRY_AFTER_CARD = re.compile(_GAP + f"(?P<v>{_MONTH_YEAR})")
_CODE_AFTER_CARD = re.compile(_GAP + f"(?P<v>{_CODE})", re.IGNORECASE)


def find_card_details(text: str, claims: Claims) -> None:
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
