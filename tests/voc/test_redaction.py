"""Taking personal data out of agents' notes: what is caught, what is left alone, and that hostile
input cannot make it backtrack (bench/redaction.py measures recall and precision at scale).

Every positive example carries a real, valid check digit (Luhn, ISO 13616 mod 97, DNI/NIE letter);
every "nearly" example differs from a valid one in its check digit only.
"""

import pytest

from voc.redaction import Redacted, redact

# ---------------------------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    "address",
    [
        "juan.perez@example.com",
        "ana+facturas@example.es",
        "soporte@mail.clientes.example.co.uk",
        "JOHN.SMITH@EXAMPLE.COM",
        "maria_lopez-2@correo.example.gal",
        "xoán.pérez@example.gal",
    ],
)
def test_an_email_address_is_replaced(address):
    result = redact(f"Cliente escribe desde {address}, pide factura.")
    assert result.text == "Cliente escribe desde [EMAIL], pide factura."
    assert result.found == {"EMAIL": 1}


@pytest.mark.parametrize(
    "text",
    [
        "Lo comentó @lucia en el chat",
        "user@@example.com",
        "customer wrote from user@localhost",
        "rate was 3 @ 4.50 each",
        "the handle is @support_team",
    ],
)
def test_text_that_only_looks_like_an_email_is_left_alone(text):
    assert redact(text) == Redacted(text=text, found={})


def test_a_full_stop_after_an_email_address_stays_outside_the_placeholder():
    assert redact("Write to ANA@EXAMPLE.ES.").text == "Write to [EMAIL]."


# ----------------------------------------------------------------------------------------------- cards


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "5555 5555 5555 4444",
        "378282246310005",
        "3782 822463 10005",
        "6011111111111117",
        "4222222222222",
        "30569309025904",
        "6011 0000 0000 0000 001",
    ],
)
def test_a_luhn_valid_card_number_is_replaced(number):
    result = redact(f"Tarjeta {number} caducada.")
    assert result.text == "Tarjeta [CARD] caducada."
    assert result.found == {"CARD": 1}


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111112",
        "4111 1111 1111 1113",
        "5500-0000-0000-0005",
        "378282246310006",
        "1234567812345678",
        "6111 1111 1111 1112",
        "4000 0044 1234 5678 90",  # ends in something phone-shaped (0044 1234 5678 90): still left whole
    ],
)
def test_a_luhn_invalid_card_number_is_left_exactly_as_typed(number):
    text = f"Card {number} declined"
    assert redact(text) == Redacted(text=text, found={})


def test_a_card_followed_by_its_expiry_date_loses_both():
    # Issue 12: the expiry date next to a card is card data too (it used to be kept).
    result = redact("Card 4111111111111111 12/25 was declined")
    assert result.text == "Card [CARD] [EXPIRY] was declined"
    assert result.found == {"CARD": 1, "EXPIRY": 1}


def test_a_card_is_never_reported_as_a_phone():
    result = redact("Visa 4111 1111 1111 1111 and mobile 612 345 678")
    assert result.found == {"CARD": 1, "PHONE": 1}
    assert result.text == "Visa [CARD] and mobile [PHONE]"


def test_a_number_that_fails_luhn_only_blocks_phones_when_it_is_grouped_like_a_card():
    # 612 345 678 1234 5678 has card length but not a card's grouping: the phone in it is still found.
    assert redact("Móvil 612 345 678 1234 5678").text == "Móvil [PHONE] 1234 5678"
    # 6123 4567 8901 2345 is grouped like a card and fails Luhn: it stays whole, no phone inside it.
    assert redact("Nº 6123 4567 8901 2345").found == {}


def test_numbers_grouped_in_threes_are_phones_not_a_card():
    # 18 digits would be card length, but nobody writes a card in threes: these are two phones.
    result = redact("Teléfonos 612 345 678 912 345 678")
    assert result.text == "Teléfonos [PHONE] [PHONE]"
    assert result.found == {"PHONE": 2}


# ----------------------------------------------------------------------------------------------- IBAN


@pytest.mark.parametrize(
    "iban",
    [
        "ES9121000418450200051332",
        "ES91 2100 0418 4502 0005 1332",
        "es91 2100 0418 4502 0005 1332",
        "GB82WEST12345698765432",
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "FR1420041010050500013M02606",
        "PT50000201231234567890154",
        "IT60X0542811101000000123456",
        "IE29AIBK93115212345678",
        "NL91ABNA0417164300",
        "HN88CABF00000000000250005469",  # a country this module has no length for: 15-34 is enough
    ],
)
def test_an_iban_with_a_valid_checksum_is_replaced(iban):
    result = redact(f"Devolver a la cuenta {iban} por favor")
    assert result.text == "Devolver a la cuenta [IBAN] por favor"
    assert result.found == {"IBAN": 1}


@pytest.mark.parametrize(
    "text",
    [
        "IBAN ES91 2100 0418 4502 0005 1333",
        "IBAN ES9121000418450200051333",
        "IBAN GB82WEST12345698765433",
        "IBAN DE89370400440532013001",
        "IBAN ES982100041845020005133",  # checksum fine, but a Spanish IBAN has 24 characters, not 23
        "IBAN NL91ABNA041716430",
    ],
)
def test_an_iban_with_a_wrong_checksum_or_length_is_left_exactly_as_typed(text):
    assert redact(text) == Redacted(text=text, found={})


def test_an_iban_is_recognised_even_when_words_follow_it_directly():
    result = redact("ES9121000418450200051332 is the account; GB82 WEST 1234 5698 7654 32 too")
    assert result.text == "[IBAN] is the account; [IBAN] too"
    assert result.found == {"IBAN": 2}


def test_the_digits_of_a_mistyped_iban_are_not_taken_for_a_card_or_a_phone():
    text = "IBAN ES91 2100 0418 4502 0005 1333 (mal copiado)"
    assert redact(text) == Redacted(text=text, found={})


# ----------------------------------------------------------------------------------------- DNI / NIE


@pytest.mark.parametrize(
    "number",
    ["12345678Z", "12.345.678-Z", "12345678-z", "00000000T", "87654321X", "X1234567L", "y1234567x", "Z1234567R"],
)
def test_a_dni_or_nie_with_the_right_letter_is_replaced(number):
    result = redact(f"DNI {number}, titular.")
    assert result.text == "DNI [ID], titular."
    assert result.found == {"ID": 1}


@pytest.mark.parametrize(
    "text",
    ["DNI 12345678A", "DNI 12.345.678-B", "NIE X1234567A", "NIE Y1234567L", "ref AB12345678Z", "code 123456789Z"],
)
def test_a_dni_or_nie_with_the_wrong_letter_or_shape_is_left_alone(text):
    assert redact(text) == Redacted(text=text, found={})


# ---------------------------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "number",
    [
        "+34 612 345 678",
        "+34612345678",
        "(+34) 612 345 678",
        "0034 612 34 56 78",
        "0044 7700 900123",
        "+44 (0)20 7946 0958",
        "+1 415-555-0132",
        "612345678",
        "612 345 678",
        "612 34 56 78",
        "91 123 45 67",
        "912-345-678",
        "612.345.678",
        "07700 900123",
        "07700900123",
        "020 7946 0958",
        "0161 496 0000",
        "(0161) 496 0000",
    ],
)
def test_a_phone_number_is_replaced(number):
    result = redact(f"Call back on {number} after lunch")
    assert result.text == "Call back on [PHONE] after lunch"
    assert result.found == {"PHONE": 1}


@pytest.mark.parametrize(
    "text",
    [
        "Llamó el 12/03/2024 a las 10:30",
        "Delivered 2024-03-12, re-delivered 12.03.2024",
        "Refund of £1,200.50 approved",
        "Reembolso de 1.200,50 € aprobado",
        "Paid $15 plus 21% VAT",
        "Customer since 1998",
        "Has 3 cards and order 12345, ref 4821",
        "Invoice 123456789 attached",
        "Postcode 28013 / SW1A 1AA",
        "Importe 650.000.000 € en la operación",
        "On 9.12.2024 10:30 the line dropped",
        "Scores 70 5 10 20 8 4 this week",  # nine digits from 6-9, but in ones: a list, not a phone
        "Batch 75 2024-3-12",  # nine digits, two kinds of separator: a number and a date
        "Score +12 34 5",  # a plus sign, but far too few digits for an international number
        "Serial +1234567890123456789",  # and far too many
        "Ext (020) 123 456",  # a British area code with too few digits after it
    ],
)
def test_dates_times_money_and_other_numbers_are_not_phones(text):
    assert redact(text) == Redacted(text=text, found={})


def test_two_phones_separated_by_a_slash_are_both_replaced():
    assert redact("Tlf.612345678/912345678").text == "Tlf.[PHONE]/[PHONE]"


# ------------------------------------------------------------------------------------------- together


def test_a_spanish_note_keeps_its_words_and_loses_its_data():
    result = redact("Mi DNI es 12345678Z y mi móvil 612 345 678.")
    assert result.text == "Mi DNI es [ID] y mi móvil [PHONE]."
    assert result.found == {"ID": 1, "PHONE": 1}


def test_an_english_note_keeps_its_words_and_loses_its_data():
    result = redact(
        "Mrs Smith (jane.smith@example.co.uk, 07700 900123) wants £1,200.50 back on card "
        "5500-0000-0000-0004 or to GB82 WEST 1234 5698 7654 32 by 12/03/2024."
    )
    assert result.text == (
        "Mrs Smith ([EMAIL], [PHONE]) wants £1,200.50 back on card [CARD] or to [IBAN] by 12/03/2024."
    )
    assert result.found == {"EMAIL": 1, "PHONE": 1, "CARD": 1, "IBAN": 1}


def test_a_galician_note_with_several_of_each_counts_them_all():
    result = redact(
        "Chamou dende o 981 123 456 e logo dende o +34 612 345 678. Correos: xoan@example.gal e "
        "xoan.traballo@example.com. NIE X1234567L, conta ES91 2100 0418 4502 0005 1332, "
        "tarxetas 4111111111111111 e 378282246310005."
    )
    assert result.text == (
        "Chamou dende o [PHONE] e logo dende o [PHONE]. Correos: [EMAIL] e [EMAIL]. NIE [ID], "
        "conta [IBAN], tarxetas [CARD] e [CARD]."
    )
    assert result.found == {"PHONE": 2, "EMAIL": 2, "ID": 1, "IBAN": 1, "CARD": 2}


def test_redacting_twice_changes_nothing_the_second_time():
    once = redact("DNI 12345678Z, tel 612 345 678, ana@example.es, ES9121000418450200051332, 4111111111111111")
    twice = redact(once.text)
    assert once.text == "DNI [ID], tel [PHONE], [EMAIL], [IBAN], [CARD]"
    assert twice == Redacted(text=once.text, found={})


def test_an_empty_note_stays_empty():
    assert redact("") == Redacted(text="", found={})


def test_a_note_without_personal_data_comes_back_unchanged():
    text = "Customer unhappy with the 45 minute wait; offered a 10% discount, accepted."
    assert redact(text) == Redacted(text=text, found={})


def _two_thousand_character_note() -> str:
    filler = (
        "El cliente llamó el 12/03/2024 a las 10:30 porque el pedido 48213 no ha llegado; pagó 1.200,50 €. "
        "Customer rang about a £1,200.50 refund for order 12345 to SW1A 1AA after 3 calls and 45 minutes. "
    )
    head = "Mi DNI es 12345678Z y mi móvil 612 345 678. "
    tail = " Escribir a juan@example.com, tarjeta 4111111111111111."
    note = head + (filler * 20)[: 2000 - len(head) - len(tail)] + tail
    assert len(note) == 2000
    return note


def test_a_two_thousand_character_note_is_redacted_completely():
    note = _two_thousand_character_note()
    result = redact(note)
    assert result.found == {"ID": 1, "PHONE": 1, "EMAIL": 1, "CARD": 1}
    assert result.text.startswith("Mi DNI es [ID] y mi móvil [PHONE]. ")
    assert result.text.endswith(" Escribir a [EMAIL], tarjeta [CARD].")
    assert result.text.count("1.200,50 €") == note.count("1.200,50 €") > 0


@pytest.mark.parametrize(
    "unit",
    ["a", "1 ", "1111 ", "a@", "@", "-1", "0 ", "ab12 ", "(+1 ", "9.", "x1234567-", "+", "00", "a.b@", "1-", "1/",
     "1.", "4 ", "12/27 ", " at ", "[at] ", "a dot ", "account ", "1  ", "X 1", "\u200b1", "\uff11 ", "\u0661"],
)  # fmt: skip
def test_a_hundred_thousand_characters_of_hostile_repetition_come_back_unchanged(unit):
    # Catastrophic backtracking would never return; the result shows the long runs were read whole:
    # 50,000 ones are not a card, nor a phone, nor anything else.
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    assert redact(text) == Redacted(text=text, found={})


def test_a_hundred_thousand_characters_of_cards_are_all_replaced():
    text = "4111111111111111 " * 5000
    result = redact(text)
    assert result.found == {"CARD": 5000}
    assert result.text == "[CARD] " * 5000


# ------------------------------------------------------------------- what people really type (issue 12)


FULL_WIDTH_CARD = "4539148803436467".translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


@pytest.mark.parametrize(
    "number",
    [
        "4539.1488.0343.6467",
        "4539/1488/0343/6467",
        "4 5 3 9 1 4 8 8 0 3 4 3 6 4 6 7",
        "4539 1488-0343 6467",
        "4539  1488  0343  6467",
        FULL_WIDTH_CARD[:4] + " " + FULL_WIDTH_CARD[4:8] + " " + FULL_WIDTH_CARD[8:12] + " " + FULL_WIDTH_CARD[12:],
        "\u200b".join("4539148803436467"),  # zero-width spaces between the digits
        "4539148803436467".translate({ord(d): 0x0660 + int(d) for d in "0123456789"}),  # Arabic-Indic digits
    ],
)
def test_a_card_typed_with_dots_slashes_spaced_digits_or_other_digits_is_replaced(number):
    result = redact(f"Tarjeta {number} rechazada")
    assert result.text == "Tarjeta [CARD] rechazada"
    assert result.found == {"CARD": 1}


def test_a_card_right_after_a_token_ending_in_a_digit_is_replaced():
    assert redact("line1 4539 1488 0343 6467").text == "line1 [CARD]"
    assert redact("ref2 4539148803436467 declined").text == "ref2 [CARD] declined"


def test_only_the_card_is_replaced_the_rest_keeps_its_full_width_characters():
    text = f"Importe \uff15\uff10 \u20ac, tarjeta {FULL_WIDTH_CARD}."
    assert redact(text).text == "Importe \uff15\uff10 \u20ac, tarjeta [CARD]."


@pytest.mark.parametrize("number", ["4 5 3 9 1 4 8 8 0 3 4 3 6 4 6 8", "4539.1488.0343.6468", "4539/1488/0343/6468"])
def test_a_spaced_or_dotted_number_that_fails_luhn_is_left_as_typed(number):
    text = f"Nº {number} rechazada"
    assert redact(text) == Redacted(text=text, found={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4539 1488 0343 6467 exp 12/27", "card [CARD] exp [EXPIRY]"),
        ("tarjeta 4539148803436467, caduca 12/27", "tarjeta [CARD], caduca [EXPIRY]"),
        ("tarjeta 4539148803436467 caduca el 12/2027", "tarjeta [CARD] caduca el [EXPIRY]"),
        ("card 4539-1488-0343-6467 4/29 123", "card [CARD] [EXPIRY] [CVV]"),
        ("card 4539148803436467, CVV 123", "card [CARD], CVV [CVV]"),
        ("Amex 3782 822463 10005 CVC: 1234", "Amex [CARD] CVC: [CVV]"),
        ("tarjeta 4539148803436467 código de seguridad 123", "tarjeta [CARD] código de seguridad [CVV]"),
        (
            "exp 12/27 and security code 123 for card 4539148803436467",
            "exp [EXPIRY] and security code [CVV] for card [CARD]",
        ),
    ],
)
def test_a_cards_expiry_date_and_security_code_are_replaced(text, expected):
    assert redact(text).text == expected


def test_an_already_redacted_card_still_anchors_an_expiry_typed_later():
    assert redact("card [CARD] exp 12/27").text == "card [CARD] exp [EXPIRY]"


@pytest.mark.parametrize(
    "text",
    [
        "Policy expires 12/2027, renewal letter sent",  # no card: a date, not card data
        "Caduca el 12/27 el seguro del coche",
        "Card ending 1234 declined at 10:30, security code 123 sent by SMS",  # no card number in the note
        "card 4539148803436467 charged 120 euros",  # an amount after a card is not its code
    ],
)
def test_an_expiry_like_date_or_a_code_without_a_card_is_left_alone(text):
    assert "[EXPIRY]" not in redact(text).text and "[CVV]" not in redact(text).text


@pytest.mark.parametrize(
    "address",
    [
        "ana dot r at example dot com",
        "ana.r (at) example.com",
        "ana.r (AT) example.co.uk",
        "ana [at] example [dot] com",
        "ana.r@example dot com",
        "ana punto r arroba example punto com",
        "ana.r arroba correo.es",
        "jane.perez2 at example.com",
    ],
)
def test_an_email_address_written_out_is_replaced(address):
    result = redact(f"Correo: {address}, por favor")
    assert result.text == "Correo: [EMAIL], por favor"
    assert result.found == {"EMAIL": 1}


@pytest.mark.parametrize(
    "text",
    [
        "Bought it at amazon.com last week",
        "Was at the branch at 10:30",
        "Paid at tesco.com with the card",
        "Looked at example dot com but it was down",
        "Stayed at home (at) the weekend",
        "Llegó a las 10 al banco",
    ],
)
def test_the_english_word_at_is_not_an_email(text):
    assert redact(text) == Redacted(text=text, found={})


@pytest.mark.parametrize(
    "number",
    [
        "+44 7700 900 123",
        "+34 612 345 678",
        "6 1 2 3 4 5 6 7 8",
        "0 7 7 0 0 9 0 0 1 2 3",
        "612 34 56 78",
        "(0161) 496 0000",
        "07700-900-123",
        "\uff16\uff11\uff12 \uff13\uff14\uff15 \uff16\uff17\uff18",
        "956-729-4344",
        "415 589 5478",
    ],
)
def test_a_phone_number_spaced_in_various_ways_is_replaced(number):
    result = redact(f"Llamar al {number} (móvil)")
    assert result.text == "Llamar al [PHONE] (móvil)"
    assert result.found == {"PHONE": 1}


def test_a_list_of_single_digits_is_not_a_phone():
    text = "Puntuaciones 6 1 2 3 4 5 6 7 8 9 2 3 esta semana"  # twelve digits: no phone has that many alone
    assert redact(text) == Redacted(text=text, found={})


@pytest.mark.parametrize(
    "number", ["12345678 Z", "12.345.678 Z", "12345678 z", "X 1234567 L", "X-1234567-L", "X1234567 L", "AB 12 34 56 C"]
)
def test_an_id_number_with_a_space_or_dash_before_its_letter_is_replaced(number):
    result = redact(f"DNI {number}, titular")
    assert result.text == "DNI [ID], titular"
    assert result.found == {"ID": 1}


@pytest.mark.parametrize(
    "text",
    [
        "Transfirió 12345690 a su hija",  # "a" is the right letter for 12345690, but here it is a word
        "Pagó 12345678 y nada más",
        "DNI 12345678 X",  # wrong letter
    ],
)
def test_a_number_followed_by_a_one_letter_word_is_not_an_id(text):
    assert redact(text) == Redacted(text=text, found={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sort code 12-34-56 account 12345678", "sort code [ACCOUNT]"),
        ("Refund to 20-00-00 55779911 please", "Refund to [ACCOUNT] please"),
        ("sort code 123456, acc no 12345678", "sort code [ACCOUNT]"),  # the two together, one placeholder
        ("account number 12345678", "account number [ACCOUNT]"),
        ("número de cuenta: 1234 5678", "número de cuenta: [ACCOUNT]"),
        ("policy number is 515477235", "policy number is [ACCOUNT]"),
        ("passport 123456789", "passport [PASSPORT]"),
        ("Pasaporte nº PAA123456, caducado", "Pasaporte nº [PASSPORT], caducado"),
        ("SSN 469-29-9659", "SSN [ID]"),
        ("Spanish ID (DNI) 12345678, no letter", "Spanish ID (DNI) [ID], no letter"),
        ("su DNI es 12345678 y quiere que le llamen", "su DNI es [ID] y quiere que le llamen"),
        ("My policy number would be 515477235", "My policy number would be [ACCOUNT]"),
    ],
)
def test_accounts_passports_and_national_numbers_named_by_a_word_are_replaced(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Reembolso de 1.234,56 € aprobado",
        "Refund of £12,345.67 on 12/03/2026",
        "Llamó el 12/03/2026 a las 10:30, otra vez el 2026-03-14 a las 9h15",
        "Delivered 12-03-26, order 123456, pedido 12345678",
        "Customer since 1998, 21% and 12,5 % interest",
        "Account balance 12,345.67 € after 3 calls in 2 days",
        "Account 1234 ending, cuenta de 12345678 euros",
        "Card ending 1234 (**** **** **** 1234)",
        "Passport renewal takes 10 weeks since 2026",
        "Incidencia 1234567, ticket #123456, ref AB123456",
        "CP 28013, SW1A 1AA, SW19A 1AA and wants it sorted today",
    ],
)
def test_money_dates_times_orders_years_and_percentages_are_kept(text):
    assert redact(text) == Redacted(text=text, found={})


def test_redacting_a_note_with_every_new_form_twice_changes_nothing_the_second_time():
    once = redact(
        "line1 4539 1488 0343 6467 exp 12/27 cvv 123; ana dot r at example dot com; 6 1 2 3 4 5 6 7 8; "
        "12345678 Z; sort code 12-34-56 account 12345678; pasaporte PAA123456; +44 7700 900 123"
    )
    assert once.text == (
        "line1 [CARD] exp [EXPIRY] cvv [CVV]; [EMAIL]; [PHONE]; [ID]; sort code [ACCOUNT]; "
        "pasaporte [PASSPORT]; [PHONE]"
    )
    assert redact(once.text) == Redacted(text=once.text, found={})
