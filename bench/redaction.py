"""Recall and precision of ``voc.redaction.redact``; prints one JSON object.

    .venv/bin/python bench/redaction.py [--seed 3] [--per-form 3000] [--data /work/shared/data] [--cases 300]

Recall: for every form of personal data people type (card variants, phones, written-out e-mails,
IBANs, DNI/NIE, sort code + account, passports, expiry dates and security codes...), ``--per-form``
values with valid check digits, each inside a random English or Spanish context (words before and
after, punctuation, case). A value counts as caught when none of its digits survives: the digits of
the redacted note are exactly those of the context around it, nor any of its words (an e-mail's
names). The patterns were tuned on seed 1; the figures in bench/README.md are seed 3 (seed 2 was
looked at once during tuning, so it is not used for the report). "known_gaps" are forms people type
that are not caught; they are measured but kept out of "overall". "hard_negatives" are generated
amounts, dates, times, percentages, order numbers, years, postcodes and English "at": anything
replaced there is a false positive.

Precision: every note text of the open data -- Banking77 train, the DSTC11 insurance turns, the
Spanish Multilingual TOD set, and the demo corpus in voc/demo/data -- is redacted; every text where
something was replaced is listed (up to ``--cases``) so a person can judge it. Texts judged to hold
personal data (``PERSONAL`` below, by utterance) are true positives; every other redaction is a
false positive, reported per 10,000 texts. Needs no database.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voc.redaction import redact  # noqa: E402

# ------------------------------------------------------------------------------------------ values


def luhn_complete(body: str) -> str:
    """``body`` plus the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the check digit will be appended to the right
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def card_number(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [("4", 16), ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("37", 15), ("34", 15), ("6011", 16),
         ("65", 16), ("36", 14), ("4", 13), ("4", 19)]
    )  # fmt: skip
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def grouped(digits: str, sep: str) -> str:
    if len(digits) == 15:
        return sep.join((digits[:4], digits[4:10], digits[10:]))
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


FULL_WIDTH = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})  # "4" -> U+FF14
ZERO_WIDTH = "\u200b"


def iban(rng: random.Random, country: str) -> str:
    bban = {
        "ES": lambda: "".join(rng.choice(string.digits) for _ in range(20)),
        "GB": lambda: (
            "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
            + "".join(rng.choice(string.digits) for _ in range(14))
        ),
        "DE": lambda: "".join(rng.choice(string.digits) for _ in range(18)),
        "IT": lambda: rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.digits) for _ in range(22)),
        "FR": lambda: "".join(rng.choice(string.digits) for _ in range(23)),
    }[country]()
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(rng: random.Random) -> tuple[str, str]:
    number = rng.randrange(10_000_000, 100_000_000)
    return f"{number:08d}", LETTERS[number % 23]


def nie(rng: random.Random) -> tuple[str, str, str]:
    head = rng.choice("XYZ")
    number = rng.randrange(0, 10_000_000)
    return head, f"{number:07d}", LETTERS[("XYZ".index(head) * 10_000_000 + number) % 23]


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


NUMBER_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
}


def spelled(number: str, rng: random.Random) -> str:
    words = NUMBER_WORDS[rng.choice(("en", "es"))]
    return " ".join(words[int(d)] for d in number)


def letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(n))


def ni_number(rng: random.Random) -> str:
    """A UK National Insurance number with a prefix that is issued."""
    while True:
        prefix = rng.choice("ABCEGHJKLMNPRSTWXYZ") + rng.choice("ABCEGHJKLMNPRSTWXYZ")
        if prefix not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
            break
    sep = rng.choice(["", " "])
    return sep.join([prefix, digits(rng, 2), digits(rng, 2), digits(rng, 2), rng.choice("ABCD")])


FIRST = ["ana", "juan", "maria", "john", "jane", "xoan", "lucia", "peter", "sarah", "jose", "carmen", "david"]
LAST = ["perez", "smith", "garcia", "jones", "lopez", "brown", "fernandez", "taylor", "rodriguez", "wilson"]
DOMAINS = [("example", "com"), ("correo", "es"), ("mail", "co.uk"), ("empresa", "es"), ("gmail", "com"),
           ("hotmail", "es"), ("outlook", "com"), ("yahoo", "co.uk"), ("telefonica", "net"),
           ("xunta", "gal")]  # fmt: skip


def local_parts(rng: random.Random) -> tuple[str, str]:
    """(first, last) names with a digit sometimes, as people choose them."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.3:
        last += str(rng.randrange(1, 99))
    return first, last


def written_email(rng: random.Random, style: str) -> str:
    first, last = local_parts(rng)
    domain, tld = rng.choice(DOMAINS)
    if style == "plain":
        return f"{first}.{last}@{domain}.{tld}"
    if style == "spoken":  # name dot x at example dot com
        dot = " dot "
        return f"{first}{dot}{last} at {domain}{dot}{tld.replace('.', dot)}"
    if style == "paren":  # name (at) example.com
        return f"{first}.{last} {rng.choice(['(at)', '(AT)', '(arroba)'])} {domain}.{tld}"
    if style == "bracket":  # name [at] example [dot] com
        return f"{first}.{last} [at] {domain} [dot] {tld.replace('.', ' [dot] ')}"
    if style == "arroba":  # name arroba example punto com
        return f"{first} punto {last} arroba {domain} punto {tld.replace('.', ' punto ')}"
    raise ValueError(style)


def expiry(rng: random.Random) -> str:
    month = rng.randrange(1, 13)
    year = rng.randrange(25, 36)
    return rng.choice([f"{month:02d}/{year:02d}", f"{month:02d}/20{year:02d}", f"{month}/{year:02d}"])


def cvv(rng: random.Random, amex: bool = False) -> str:
    return digits(rng, 4 if amex else 3)


# ---------------------------------------------------------------------------------------- contexts

OPENERS = {
    "en": ["", "", "Customer called about a refund.", "Rang twice today,", "Very upset:", "Elderly customer,",
           "Re the complaint", "Follow-up:", "She says", "He asked us to check"],
    "es": ["", "", "Cliente llama por un cargo duplicado.", "Ha llamado dos veces,", "Muy enfadado:",
           "Señora mayor,", "Sobre la reclamación", "Seguimiento:", "Dice que", "Nos pide revisar"],
}  # fmt: skip
CLOSERS = {
    "en": ["", "", ".", ", please call back.", " and wants it sorted today.", " - escalated to the lead.",
           " thanks", "; no answer yet.", " (checked twice)", "!"],
    "es": ["", "", ".", ", que le llamen.", " y quiere una solución hoy.", " - escalado al responsable.",
           " gracias", "; sin respuesta aún.", " (comprobado dos veces)", "!"],
}  # fmt: skip
# What people type right before each kind of value.
LEAD_INS = {
    "card": {
        "en": ["card number", "card", "paid with", "my card is", "card no.", "visa", "debit card", "the card",
               "card number:", "gave the card", "long number on the card is"],
        "es": ["tarjeta", "número de tarjeta", "pagó con la tarjeta", "mi tarjeta es", "tarjeta nº", "visa",
               "la tarjeta", "tarjeta:", "número largo de la tarjeta"],
    },
    "phone": {
        "en": ["call back on", "mobile", "phone", "tel", "her number is", "ring him on", "contact number:"],
        "es": ["llamar al", "móvil", "teléfono", "tlf", "su número es", "contacto:", "que le llamen al"],
    },
    "email": {
        "en": ["email", "e-mail is", "write to", "send it to", "her address is", "contact:"],
        "es": ["correo", "su email es", "escribir a", "enviar a", "correo electrónico:", "contacto:"],
    },
    "iban": {
        "en": ["IBAN", "refund to", "account", "pay into", "bank details:"],
        "es": ["IBAN", "devolver a la cuenta", "cuenta", "ingresar en", "datos bancarios:"],
    },
    "id": {
        "en": ["DNI", "ID", "Spanish ID", "NIE", "id number", "identity document"],
        "es": ["DNI", "NIE", "documento", "con DNI", "su NIE es", "DNI número"],
    },
    "account": {
        "en": ["sort code", "bank details: sort code", "sort code:", "sortcode"],
        "es": ["sort code", "código sort code", "datos: sort code"],
    },
    "account_number": {
        "en": ["account", "account number", "acc no", "account no.", "account number is", "a/c"],
        "es": ["cuenta", "número de cuenta", "cuenta nº", "la cuenta", "nº cuenta"],
    },
    "bare_account": {
        "en": ["bank details", "pay into", "refund to", "transfer to", "details:"],
        "es": ["datos bancarios", "ingresar en", "devolver a", "transferir a", "datos:"],
    },
    "document": {
        "en": ["document", "ID document", "doc no.", "document number"],
        "es": ["documento", "doc. nº", "número de documento", "documento:"],
    },
    "dni_word": {
        "en": ["DNI", "Spanish ID (DNI)", "NIF:", "DNI number"],
        "es": ["DNI", "con DNI", "su DNI es", "DNI nº", "NIF"],
    },
    "passport": {
        "en": ["passport", "passport number", "passport no.", "passport number is", "UK passport"],
        "es": ["pasaporte", "número de pasaporte", "pasaporte nº", "su pasaporte es", "con pasaporte"],
    },
}  # fmt: skip
AFTER = {
    "en": ["", "", "was declined", "please check", "for the refund", "as requested", "and wants a call"],
    "es": ["", "", "rechazada", "por favor revisar", "para la devolución", "según pidió", "y quiere que le llamen"],
}  # fmt: skip


def context(rng: random.Random, lead_in: str, value: str) -> tuple[str, str, str]:
    """(note text, its context, the personal part) for one value in one language. Parts of ``value``
    between « and » are context too (the word before a card, "CVV2"): only the rest must go."""
    lang = rng.choice(("en", "es"))
    lead = rng.choice(LEAD_INS[lead_in][lang])
    if rng.random() < 0.2:
        lead = lead.upper() if rng.random() < 0.5 else lead.capitalize()
    opener = rng.choice(OPENERS[lang])
    joiner = rng.choice([" ", " ", " ", ": ", " (", " - ", ":", " #"])
    before = " ".join(part for part in (opener, lead) if part) + (joiner if lead else " ")
    if before == " ":
        before = ""
    after_word = rng.choice(AFTER[lang])
    close = ")" if joiner == " (" else ""
    after = close + (" " + after_word if after_word else "") + rng.choice(CLOSERS[lang])
    marked = re.findall(r"«([^»]*)»", value)
    personal = re.sub(r"«[^»]*»", " ", value)
    value = value.replace("«", "").replace("»", "")
    return before + value + after, before + " ".join(marked) + after, personal


# One generator per form: (lead-in kind, value) from the RNG.
Form = Callable[[random.Random], tuple[str, str]]


def _card(fmt: Callable[[str, random.Random], str]) -> Form:
    return lambda rng: ("card", fmt(card_number(rng), rng))


FORMS: dict[str, dict[str, Form]] = {
    "card": {
        "together": _card(lambda d, rng: d),
        "spaces": _card(lambda d, rng: grouped(d, " ")),
        "dashes": _card(lambda d, rng: grouped(d, "-")),
        "dots": _card(lambda d, rng: grouped(d, ".")),
        "slashes": _card(lambda d, rng: grouped(d, "/")),
        "every_digit_spaced": _card(lambda d, rng: " ".join(d)),
        "after_token_ending_in_digit": _card(
            lambda d, rng: "«" + rng.choice(["line1 ", "ref 2 ", "x3 ", "tarjeta2 ", "no.1 "]) + "»" + grouped(d, " ")
        ),
        "full_width": _card(lambda d, rng: grouped(d, rng.choice([" ", ""])).translate(FULL_WIDTH)),
        "zero_width": _card(lambda d, rng: ZERO_WIDTH.join(d)),
        "double_spaces": _card(lambda d, rng: grouped(d, "  ")),
        "spaces_and_dashes_mixed": _card(
            lambda d, rng: "".join(d[i : i + 4] + rng.choice(" -") for i in range(0, len(d), 4)).rstrip(" -")
        ),
    },
    "card_details": {
        "expiry_after_card": lambda rng: ("card", f"{grouped(card_number(rng), ' ')} {expiry(rng)}"),
        "expiry_with_word": lambda rng: (
            "card",
            f"{card_number(rng)}«{rng.choice([', exp ', ' caduca ', ' expiry date ', ' valid thru ', ' vence el '])}»"
            f"{expiry(rng)}",
        ),
        "cvv_with_word": lambda rng: (
            "card",
            f"{grouped(card_number(rng), ' ')}"
            f"«{rng.choice([' cvv ', ', CVC: ', ' código de seguridad ', ' security code ', ' CVV2 '])}»{cvv(rng)}",
        ),
        "card_expiry_cvv": lambda rng: ("card", f"{grouped(card_number(rng), '-')} {expiry(rng)} {cvv(rng)}"),
    },
    "phone": {
        "spanish_mobile": lambda rng: ("phone", rng.choice("67") + digits(rng, 8)),
        "spanish_grouped": lambda rng: (
            "phone",
            rng.choice(
                [
                    "{0}{1}{2} {3}{4}{5} {6}{7}{8}",
                    "{0}{1}{2} {3}{4} {5}{6} {7}{8}",
                    "{0}{1} {2}{3}{4} {5}{6} {7}{8}",
                    "{0}{1}{2}.{3}{4}{5}.{6}{7}{8}",
                    "{0}{1}{2}-{3}{4}{5}-{6}{7}{8}",
                ]
            ).format(rng.choice("6789"), *digits(rng, 8)),
        ),
        "international": lambda rng: (
            "phone",
            rng.choice(
                [
                    "+34 6{0}{1} {2}{3}{4} {5}{6}{7}",
                    "+44 7700 9{0}{1} {2}{3}{4}",
                    "0034 6{0}{1} {2}{3} {4}{5} {6}{7}",
                    "+44 (0)20 79{0}{1} {2}{3}{4}{5}",
                    "(+34) 9{0}{1} {2}{3}{4} {5}{6}{7}",
                    "+1 415-5{0}{1}-{2}{3}{4}{5}",
                ]
            ).format(*digits(rng, 8)),
        ),
        "uk_national": lambda rng: (
            "phone",
            rng.choice(
                [
                    "07{0}{1}{2} {3}{4}{5}{6}{7}{8}",
                    "07{0}{1}{2} {3}{4}{5} {6}{7}{8}",
                    "(0161) {0}{1}{2} {3}{4}{5}{6}",
                    "020 {0}{1}{2}{3} {4}{5}{6}{7}",
                    "0161 {0}{1}{2} {3}{4}{5}{6}",
                    "07{0}{1}{2}{3}{4}{5}{6}{7}{8}",
                ]
            ).format(*digits(rng, 9)),
        ),
        "every_digit_spaced": lambda rng: (
            "phone",
            " ".join(rng.choice([rng.choice("67") + digits(rng, 8), "07" + digits(rng, 9)])),
        ),
        "full_width": lambda rng: (
            "phone",
            ("6" + digits(rng, 2) + " " + digits(rng, 3) + " " + digits(rng, 3)).translate(FULL_WIDTH),
        ),
    },
    "email": {
        "plain": lambda rng: ("email", written_email(rng, "plain")),
        "spoken_dot_at": lambda rng: ("email", written_email(rng, "spoken")),
        "paren_at": lambda rng: ("email", written_email(rng, "paren")),
        "bracket_at_dot": lambda rng: ("email", written_email(rng, "bracket")),
        "arroba_punto": lambda rng: ("email", written_email(rng, "arroba")),
        "plain_at_user_name": lambda rng: ("email", f"{rng.choice(FIRST)}.{rng.choice(LAST)} at example.com"),
    },
    "iban": {
        "compact": lambda rng: ("iban", iban(rng, rng.choice(["ES", "GB", "DE", "IT", "FR"]))),
        "grouped": lambda rng: ("iban", grouped4(iban(rng, rng.choice(["ES", "GB", "DE", "IT", "FR"])))),
    },
    "id": {
        "dni": lambda rng: ("id", "".join(dni(rng))),
        "dni_space_letter": lambda rng: ("id", " ".join(dni(rng))),
        "dni_dash_letter": lambda rng: ("id", "-".join(dni(rng))),
        "dni_dots": lambda rng: ("id", dotted_dni(*dni(rng))),
        "nie": lambda rng: ("id", "".join(nie(rng))),
        "nie_separated": lambda rng: ("id", rng.choice(["-", " "]).join(nie(rng))),
        "dni_without_letter_after_word": lambda rng: ("dni_word", dni(rng)[0]),
        "uk_national_insurance": lambda rng: ("id", ni_number(rng)),
    },
    "account": {
        "sort_code_and_account": lambda rng: (
            "bare_account",
            f"{digits(rng, 2)}-{digits(rng, 2)}-{digits(rng, 2)} {digits(rng, 8)}",
        ),
        "sort_code_word": lambda rng: (
            "account",
            f"{digits(rng, 2)}-{digits(rng, 2)}-{digits(rng, 2)}"
            f"«{rng.choice([' account ', ', account number ', ' acc no ', ' cuenta '])}»{digits(rng, 8)}",
        ),
        "account_word": lambda rng: ("account_number", digits(rng, 8)),
    },
    "passport": {
        "uk": lambda rng: ("passport", digits(rng, 9)),
        "spain": lambda rng: (
            "passport",
            letters(rng, 3) + digits(rng, 6),
        ),
    },
}


# Written the way people type but not caught, on purpose or not yet: measured, kept out of "overall".
GAPS: dict[str, Form] = {
    "phone_spelled_out": lambda rng: ("phone", spelled(rng.choice("67") + digits(rng, 8), rng)),
    "dni_with_its_letter_two_words_away": lambda rng: ("id", "{} «letra {}»".format(*dni(rng))),
    "passport_without_its_word": lambda rng: ("document", letters(rng, 3) + digits(rng, 6)),
    "phone_uk_mobile_in_pairs": lambda rng: (
        "phone",
        " ".join(["07", *(digits(rng, 2) for _ in range(4)), digits(rng, 1)]),
    ),
    "email_plain_at_one_word": lambda rng: ("email", f"{rng.choice(FIRST)} at {rng.choice(LAST)}.com"),
}

# Hard negatives: what a note is full of and is not personal data. Anything replaced here is a false
# positive.
NEGATIVES: dict[str, Callable[[random.Random], str]] = {
    "money": lambda rng: rng.choice(
        [f"{rng.randrange(1, 999)}.{digits(rng, 3)},{digits(rng, 2)} €",
         f"£{rng.randrange(1, 99)},{digits(rng, 3)}.{digits(rng, 2)}",
         f"{rng.randrange(1, 9999)},{digits(rng, 2)}€", f"${rng.randrange(1, 99999)}",
         f"{rng.randrange(100, 99999)} euros", f"{rng.randrange(1, 999)} {digits(rng, 3)} {digits(rng, 3)} €"]
    ),
    "date": lambda rng: rng.choice(
        [f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 13):02d}/20{rng.randrange(20, 30)}",
         f"20{rng.randrange(20, 30)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
         f"{rng.randrange(1, 29)}.{rng.randrange(1, 13)}.20{rng.randrange(20, 30)}",
         f"{rng.randrange(1, 29):02d}-{rng.randrange(1, 13):02d}-{rng.randrange(20, 30)}",
         f"{rng.randrange(1, 13):02d}/{rng.randrange(20, 35)}"]
    ),
    "date_and_time": lambda rng: f"{rng.randrange(1, 29)}/{rng.randrange(1, 13)}/20{rng.randrange(20, 30)} "
    f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}",
    "time": lambda rng: rng.choice([f"{rng.randrange(0, 24)}:{rng.randrange(0, 60):02d}", f"{rng.randrange(1, 12)}pm",
                                    f"{rng.randrange(0, 24)}h{rng.randrange(0, 60):02d}"]),
    "percentage": lambda rng: rng.choice(
        [f"{rng.randrange(1, 100)}%", f"{rng.randrange(1, 100)},{rng.randrange(0, 10)} %",
         f"{rng.randrange(1, 100)}.{rng.randrange(0, 100)}%"]
    ),
    "order_or_reference": lambda rng: rng.choice(
        [f"order {digits(rng, rng.randrange(4, 8))}", f"pedido {digits(rng, rng.randrange(4, 8))}",
         f"ref {letters(rng, 2)}{digits(rng, 6)}", f"incidencia {digits(rng, 7)}", f"ticket #{digits(rng, 6)}",
         f"case {digits(rng, 8)}-{digits(rng, 2)}"]
    ),
    "year_and_counts": lambda rng: rng.choice(
        [f"since {rng.randrange(1950, 2027)}", f"desde {rng.randrange(1950, 2027)}",
         f"{rng.randrange(2, 40)} calls in {rng.randrange(2, 12)} days", f"{rng.randrange(2, 60)} minutos de espera",
         f"{rng.randrange(1, 9)} {rng.randrange(1, 9)} {rng.randrange(1, 9)} stars"]
    ),
    "card_last_digits": lambda rng: rng.choice([f"card ending {digits(rng, 4)}", f"tarjeta acabada en {digits(rng, 4)}",
                                                f"**** **** **** {digits(rng, 4)}"]),
    "postcode": lambda rng: rng.choice([f"CP {rng.randrange(1000, 52999):05d}", f"SW{rng.randrange(1, 20)}A 1AA",
                                        f"M{rng.randrange(1, 60)} {rng.randrange(1, 9)}AB"]),
    "at_in_english": lambda rng: rng.choice(
        ["bought it at amazon.com last week", "was at the branch at 10:30", "looked at example dot com",
         "arrived at home dot com? no", "rate at 3.5% for 2026", "meet at the office on Friday"]
    ),
}  # fmt: skip


def negatives(seed: int, per_form: int, kept: int) -> dict:
    rng = random.Random(seed)
    forms: dict[str, dict] = {}
    total = fp = 0
    for name, make in NEGATIVES.items():
        hits = 0
        examples: list[dict[str, str]] = []
        for _ in range(per_form):
            lang = rng.choice(("en", "es"))
            text = f"{rng.choice(OPENERS[lang])} {make(rng)}{rng.choice(CLOSERS[lang])}".strip()
            result = redact(text)
            if result.found:
                hits += 1
                if len(examples) < kept:
                    examples.append({"text": text, "redacted": result.text})
        forms[name] = {"redacted": hits, "n": per_form, "examples": examples}
        total += per_form
        fp += hits
    return {"seed": seed, "n": total, "redacted": fp, "per_10k": round(fp * 10_000 / total, 2), "forms": forms}


def grouped4(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def dotted_dni(number: str, letter: str) -> str:
    return f"{number[:2]}.{number[2:5]}.{number[5:]}-{letter}"


_WORD = re.compile(r"[^\W_]+")
_SPOKEN = {"dot", "at", "arroba", "punto", "com", "es", "co", "uk", "net", "gal"}


def caught(context_text: str, personal: str, redacted: str) -> bool:
    """No digit of the value survives (the redacted text's digits are those of the context, in any
    order), nor any of its words (an e-mail's names, a number spelt out) that the context lacks."""
    kept = sorted(ch for ch in redacted if ch.isdigit())
    if kept != sorted(ch for ch in context_text if ch.isdigit()):
        return False
    words = {w.lower() for w in _WORD.findall(personal) if not w.isdigit()} - _SPOKEN
    remaining = {w.lower() for w in _WORD.findall(redacted)} - {w.lower() for w in _WORD.findall(context_text)}
    return not words & remaining


def recall(seed: int, per_form: int, misses_kept: int) -> dict:
    rng = random.Random(seed)
    families: dict[str, dict] = {}
    total = hits = 0
    for family, forms in [*FORMS.items(), ("known_gaps", GAPS)]:
        fam_total = fam_hits = 0
        per: dict[str, dict] = {}
        for name, make in forms.items():
            form_hits = 0
            misses: list[dict[str, str]] = []
            for _ in range(per_form):
                lead_in, value = make(rng)
                text, context_text, personal = context(rng, lead_in, value)
                out = redact(text).text
                if caught(context_text, personal, out):
                    form_hits += 1
                elif len(misses) < misses_kept:
                    misses.append({"text": text, "redacted": out})
            per[name] = {"recall": round(form_hits / per_form, 4), "n": per_form, "misses": misses}
            fam_total += per_form
            fam_hits += form_hits
        families[family] = {"recall": round(fam_hits / fam_total, 4), "n": fam_total, "forms": per}
        if family != "known_gaps":
            total += fam_total
            hits += fam_hits
    return {"seed": seed, "overall": round(hits / total, 4), "n": total, "families": families}


# --------------------------------------------------------------------------------------- precision

# Texts of the open data in which everything redact replaced was judged (by reading each, 2026-12-04) to
# be personal data, keyed by source and id, with what was replaced. All are DSTC11 insurance turns:
# role-played calls in which callers give (made-up) phone numbers, e-mail addresses, account and policy
# numbers. Not here, so counted as a false positive: insurance_0536, whose policy number is rightly
# replaced but whose "routing number is 726078158" (a bank's routing number) is taken for a phone.
PERSONAL: dict[str, str] = {
    "dstc11:insurance_0118": "e-mail",
    "dstc11:insurance_0173": "phone, e-mail",
    "dstc11:insurance_0200": "account number",
    "dstc11:insurance_0201": "policy number",
    "dstc11:insurance_0206": "e-mail",
    "dstc11:insurance_0219": "account number",
    "dstc11:insurance_0222": "policy number",
    "dstc11:insurance_0229": "e-mail",
    "dstc11:insurance_0233": "policy number, phone",
    "dstc11:insurance_0234": "phone, e-mail",
    "dstc11:insurance_0237": "e-mail, policy number",
    "dstc11:insurance_0239": "policy number",
    "dstc11:insurance_0244": "e-mail",
    "dstc11:insurance_0245": "policy number",
    "dstc11:insurance_0247": "policy number",
    "dstc11:insurance_0252": "account number",
    "dstc11:insurance_0257": "account number",
    "dstc11:insurance_0265": "policy number",
    "dstc11:insurance_0274": "card, its expiry, bank account number",
    "dstc11:insurance_0281": "policy number",
    "dstc11:insurance_0320": "account number",
    "dstc11:insurance_0323": "policy number, bank account number (as [PHONE])",
    "dstc11:insurance_0359": "account number",
    "dstc11:insurance_0376": "phone, policy number",
    "dstc11:insurance_0407": "account number",
    "dstc11:insurance_0437": "policy number",
    "dstc11:insurance_0468": "phone",
    "dstc11:insurance_0507": "policy number",
    "dstc11:insurance_0518": "policy number (as [PHONE])",
    "dstc11:insurance_0540": "policy number",
    "dstc11:insurance_0659": "policy number, e-mail",
    "dstc11:insurance_0672": "e-mail",
    "dstc11:insurance_0723": "phone",
    "dstc11:insurance_0749": "bank account number",
    "dstc11:insurance_0799": "e-mail",
    "dstc11:insurance_0875": "policy number",
    "dstc11:insurance_0892": "policy number",
}


def note_texts(data: Path) -> list[tuple[str, str]]:
    """(source, text) for every note text, duplicates (the demo corpus repeats the open data) once."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []

    def add(source: str, text: str) -> None:
        text = text.strip()
        if text and text not in seen:
            seen.add(text)
            out.append((source, text))

    with (data / "banking77" / "train.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            add("banking77", row["text"])
    with (data / "dstc11-track2" / "development" / "test-utterances.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            add(f"dstc11:{row['utterance_id']}", row["utterance"])
    with (data / "multilingual-tod-es" / "train-es.tsv").open(encoding="utf-8") as f:
        for line in f:
            add("multilingual-tod-es", line.split("\t")[2])
    for name in ("banking77.csv", "insurance.csv", "spanish.csv", "galician.csv", "english_extra.csv"):
        with (ROOT / "voc" / "demo" / "data" / name).open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                add(f"demo:{name}", row["text"])
    return out


def precision(data: Path, cases_kept: int) -> dict:
    texts = note_texts(data)
    by_source: dict[str, int] = {}
    cases: list[dict] = []
    true_pos = false_pos = 0
    started = time.perf_counter()
    for source, text in texts:
        by_source[source.split(":")[0]] = by_source.get(source.split(":")[0], 0) + 1
        result = redact(text)
        if not result.found:
            continue
        verdict = PERSONAL.get(source)
        if verdict is not None:
            true_pos += 1
        else:
            false_pos += 1
        if len(cases) < cases_kept:
            cases.append(
                {"source": source, "text": text, "redacted": result.text, "found": result.found,
                 "judged": "personal data: " + verdict if verdict else "false positive"}
            )  # fmt: skip
    seconds = time.perf_counter() - started
    return {
        "texts": len(texts),
        "texts_by_source": by_source,
        "redacted_texts": true_pos + false_pos,
        "judged_personal": true_pos,
        "false_positives": false_pos,
        "false_positives_per_10k": round(false_pos * 10_000 / len(texts), 2),
        "seconds": round(seconds, 2),
        "cases": cases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=3, help="3 for the report; the patterns were tuned on 1")
    parser.add_argument("--per-form", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--cases", type=int, default=300, help="redacted real texts listed, at most")
    parser.add_argument("--misses", type=int, default=5, help="missed generated values listed per form")
    args = parser.parse_args()
    started = time.perf_counter()
    report = {
        "recall": recall(args.seed, args.per_form, args.misses),
        "precision": precision(args.data, args.cases),
        "hard_negatives": negatives(args.seed, args.per_form, args.misses),
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
