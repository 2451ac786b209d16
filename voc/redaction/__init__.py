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

from dataclasses import dataclass

from voc.redaction.emails import find_emails, find_written_emails
from voc.redaction.identities import (
    ACCOUNT_AFTER_WORD,
    DIGIT,
    DNI_DIGITS_AFTER_WORD,
    ID,
    NI_NUMBER,
    PASSPORT_AFTER_WORD,
    PHONE_INTERNATIONAL,
    PHONE_NORTH_AMERICA,
    PHONE_SPACED,
    PHONE_SPAIN,
    PHONE_UK,
    SORT_CODE_AFTER_WORD,
    SORT_CODE_AND_ACCOUNT,
    SSN_AFTER_WORD,
    after_word,
    id_ok,
    international_ok,
    spaced_ok,
    spanish_ok,
    uk_ok,
)
from voc.redaction.payments import find_card_details, find_cards, find_ibans
from voc.redaction.spans import Claims, Finder, checked, fold

__all__ = ["PLACEHOLDER_KINDS", "Redacted", "redact"]

# Every kind ``redact`` can report, in the order the finders look for them.
PLACEHOLDER_KINDS = ("EMAIL", "IBAN", "CARD", "EXPIRY", "CVV", "ACCOUNT", "PASSPORT", "ID", "PHONE")


@dataclass(frozen=True)
class Redacted:
    text: str  # the text with each finding replaced by its placeholder
    found: dict[str, int]  # placeholder kind -> how many were replaced, e.g. {"CARD": 1}


# One finder per kind, most specific first: a later finder never overrides an earlier one. The first
# two need no digit.
_FINDERS: tuple[Finder, ...] = (
    find_emails,
    find_written_emails,
    find_ibans,
    find_cards,
    find_card_details,
    checked(SORT_CODE_AND_ACCOUNT, "ACCOUNT"),
    after_word(SORT_CODE_AFTER_WORD, "ACCOUNT"),
    after_word(ACCOUNT_AFTER_WORD, "ACCOUNT"),
    after_word(PASSPORT_AFTER_WORD, "PASSPORT"),
    checked(ID, "ID", id_ok),
    checked(NI_NUMBER, "ID"),
    after_word(SSN_AFTER_WORD, "ID"),
    after_word(DNI_DIGITS_AFTER_WORD, "ID"),
    checked(PHONE_INTERNATIONAL, "PHONE", international_ok),
    checked(PHONE_SPAIN, "PHONE", spanish_ok),
    checked(PHONE_UK, "PHONE", uk_ok),
    checked(PHONE_SPACED, "PHONE", spaced_ok),
    checked(PHONE_NORTH_AMERICA, "PHONE"),
)
_WITHOUT_DIGITS = _FINDERS[:2]
# A pass can only make a later one find something by bringing a card's placeholder closer to an
# expiry date or code; three passes are more than any note needs.
_MAX_PASSES = 3


def _redact_once(text: str) -> Redacted:
    folded, where = fold(text)
    claims = Claims()
    for find in _FINDERS if DIGIT.search(folded) else _WITHOUT_DIGITS:
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
