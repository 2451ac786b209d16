"""Numbers that identify a person: bank accounts, passports, DNI/NIE and NI numbers, phones."""

from __future__ import annotations

import re

from voc.redaction.payments import FILLER, NOT_AN_AMOUNT
from voc.redaction.spans import NUMBER_END, Claims, Finder, starting

# -------------------------------------------------------------------------------- accounts, passports

_SORT_CODE = r"[0-9]{2}(?P<sep>[ \-]?)[0-9]{2}(?P=sep)[0-9]{2}"
_ACCOUNT_NUMBER = r"[0-9]{4} ?[0-9]{4}"
_NO_MORE_NUMBER = r"(?!\w|[.,:/\-][0-9]| [0-9])" + NOT_AN_AMOUNT
# "20-00-00 55779911": a sort code written with dashes and the account number right after it.
SORT_CODE_AND_ACCOUNT = re.compile(
    r"(?<![\w.,/\-])(?P<v>[0-9]{2}-[0-9]{2}-[0-9]{2}[\s,;/]{1,3}+" + _ACCOUNT_NUMBER + ")" + _NO_MORE_NUMBER
)
SORT_CODE_AFTER_WORD = re.compile(
    r"(?<!\w)(?:sort[ \-]?code|s/c)(?!\w)"
    + FILLER
    + r"(?P<v>(?<![\w.,/\-])"
    + _SORT_CODE
    + r"(?:(?:[\s,;/]{1,3}+|[\s,;/]*+(?:and|y|account|acc|a/c|cuenta|no|number|número)[\s.:,#]*+)+"
    + _ACCOUNT_NUMBER
    + r")?)"
    + _NO_MORE_NUMBER,
    re.IGNORECASE,
)
# An account or policy number after the word: eight digits (UK), or up to twelve (elsewhere, policies).
ACCOUNT_AFTER_WORD = re.compile(
    r"(?<!\w)(?:account|acct|acc|a/c|bank number|cuenta|cta|n[º°] cuenta|n\.º cuenta|policy|p[óo]liza)(?!\w)"
    + FILLER
    + r"(?P<v>(?<![\w.,/\-])(?:"
    + _ACCOUNT_NUMBER
    + r"|[0-9]{6,12}))"
    + _NO_MORE_NUMBER,
    re.IGNORECASE,
)
# UK: nine digits; Spain: three letters and six digits (older ones: two letters); others: a letter and
# seven or eight digits. Only after the word, which nothing else in a note is called.
PASSPORT_AFTER_WORD = re.compile(
    r"(?<!\w)(?:passport|pasaporte|passaporte)(?!\w)"
    + FILLER
    + r"(?P<v>(?<![\w.,/\-])(?:[0-9]{9}|[A-Za-z]{2,3}[0-9]{6}|[A-Za-z][0-9]{7,8}))"
    + _NO_MORE_NUMBER,
    re.IGNORECASE,
)


def after_word(pattern: re.Pattern[str], kind: str) -> Finder:
    """A finder for the value (group ``v``) that ``pattern`` finds after the word that names it."""

    def find(text: str, claims: Claims) -> None:
        for m in pattern.finditer(text):
            if claims.free(*m.span("v")):
                claims.take(*m.span("v"), kind)

    return find


# ----------------------------------------------------------------------------------------- DNI / NIE

_ID_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
ID = re.compile(
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
NI_NUMBER = re.compile(
    r"[A-CEGHJ-PR-TW-Z](?<![\w.,\-][A-CEGHJ-PR-TW-Z])(?<!B(?=G))(?<!G(?=B))(?<!N(?=K))(?<!K(?=N))"
    r"(?<!T(?=N))(?<!N(?=T))(?<!Z(?=Z))[A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?!\w)"
)
# A DNI typed without its letter, only after its name: "DNI 12345678", "NIF: 12.345.678".
DNI_DIGITS_AFTER_WORD = re.compile(
    r"(?<!\w)(?:dni|nif|documento(?: de identidad)?|d\.n\.i\.)(?!\w)"
    + FILLER
    + r"(?P<v>(?<![\w.,/\-])(?:[0-9]{8}|[0-9]{2}\.[0-9]{3}\.[0-9]{3}))(?!\w|[.,:/\-][0-9]| [0-9])"
    + r"(?![\-.]?[A-Za-z](?!\w)|(?-i: [A-Z])(?!\w))",  # with a letter it is a DNI, checked above: a wrong one stays
    re.IGNORECASE,
)
# A US social security number, only after its name.
SSN_AFTER_WORD = re.compile(
    r"(?<!\w)(?:ssn|social security(?: number)?)(?!\w)" + FILLER + r"(?P<v>[0-9]{3}-?[0-9]{2}-?[0-9]{4})(?![\w\-])",
    re.IGNORECASE,
)


def id_ok(m: re.Match[str]) -> bool:
    head, letter = m[0][0].upper(), m[0][-1].upper()
    number = int(_NOT_ID_DIGIT.sub("", m[0][:-1]))
    if head in "XYZ":
        number += "XYZ".index(head) * 10_000_000
    return _ID_LETTERS[number % 23] == letter


# ---------------------------------------------------------------------------------------------- phones

# International: + or 00 (or "(+34)"), a country code, then digits, single separators and bracketed
# area codes such as the British "(0)". Possessive and followed by "no more number", so it is the
# whole number or nothing.
PHONE_INTERNATIONAL = re.compile(
    "(?:"
    + "|".join(
        (
            starting(r"\(") + r"(?:\+|00)[1-9][0-9]{0,2}\)",  # (+34)
            starting(r"\+") + "[1-9]",  # +34
            starting("0") + "(?<![0-9] 0)0[1-9]",  # 0034, but not the 00 inside "020 0031 9931"
        )
    )
    + ")"
    + r"(?:[0-9]|[ .\-](?=[0-9]|\([0-9])|\([0-9]{1,4}\)){6,25}+"
    + r"(?![\w(])(?![ .\-]?[0-9])"
)
# Spanish national: nine digits starting 6, 7, 8 or 9, optionally split by spaces, dots or dashes.
PHONE_SPAIN = re.compile(starting("[6-9]") + r"[0-9](?:[ .\-]?[0-9]){7}" + NUMBER_END)
# British national: a leading 0, 10 or 11 digits, in the groupings people actually write.
PHONE_UK = re.compile(
    r"(?:" + starting("0") + r"(?:"
    r"[0-9]{9,10}"  # 07700900123
    r"|[0-9]{4}[ \-][0-9]{3}[ \-]?[0-9]{3}"  # 07700 900123, 07700 900 123, 07700-900-123
    r"|[0-9]{3}[ \-][0-9]{3}[ \-][0-9]{3,4}"  # 0161 496 0000
    r"|[0-9]{3}[ \-][0-9]{6,7}"  # 0161 4960000
    r"|[0-9]{2}[ \-][0-9]{4}[ \-][0-9]{4}"  # 020 7946 0958
    r")|" + starting(r"\(") + r"0[0-9]{2,4}\) ?[0-9]{3,4}[ \-]?[0-9]{3,4}"  # (0161) 496 0000
    r")" + NUMBER_END
)
# Read out or typed digit by digit: "6 1 2 3 4 5 6 7 8", "0 7 7 0 0 9 0 0 1 2 3". The whole stretch
# of single digits, nothing before or after it.
PHONE_SPACED = re.compile(starting("[0-9]") + r"(?<![0-9] [0-9])(?: [0-9]){8,10}+(?! [0-9])" + NUMBER_END)
# North American: "956-729-4344", "415 589 5478", "(415) 555-0132" -- callers from abroad give them without the +1.
PHONE_NORTH_AMERICA = re.compile(
    r"(?:"
    + starting("[2-9]")
    + r"[0-9]{2}(?P<sep>[ \-.])[2-9][0-9]{2}(?P=sep)[0-9]{4}"
    + "|"
    + starting(r"\(")
    + r"[2-9][0-9]{2}\) ?[2-9][0-9]{2}-[0-9]{4}"
    + ")"
    + NUMBER_END
)
DIGIT = re.compile(r"[0-9]")
_SEPARATORS = re.compile(r"[ .\-]")


def international_ok(m: re.Match[str]) -> bool:
    digits = sum(ch.isdigit() for ch in m[0].replace("(0)", ""))
    return 8 <= digits <= 15


def spanish_ok(m: re.Match[str]) -> bool:
    # "612 34 56 78" and "612.345.678" yes; "9.12.2024 10" (a date and an hour) no.
    separators = set(_SEPARATORS.findall(m[0]))
    return len(separators) <= 1 and all(len(group) >= 2 for group in _SEPARATORS.split(m[0]))


def uk_ok(m: re.Match[str]) -> bool:
    return 10 <= sum(ch.isdigit() for ch in m[0]) <= 11


def spaced_ok(m: re.Match[str]) -> bool:
    digits = m[0].replace(" ", "")
    return (len(digits) == 9 and digits[0] in "6789") or (len(digits) in (10, 11) and digits[0] == "0")
