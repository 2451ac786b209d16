"""Demo notes: weeks of realistic, deterministic notes for the demo sites, built from ``data/``.

Pure Python (standard library only): it returns :class:`NoteSpec` values and never touches the
database, so a management command can turn them into notes and tests can check them directly.

Where the texts come from (see ``data/SOURCE.md``): the UK sites log English — Banking77
queries, DSTC11 insurance-call turns and hand-written English notes; Madrid and Sevilla log
hand-written Spanish notes with some English from tourists and expats; A Coruña logs Spanish
with about 30 % Galician.

Two stories are built in so trend and spike detection have something true to find: "card not
arrived" roughly triples in the last two weeks, and "wants an app that integrates all their
banks" rises steadily week by week.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Mapping

DATA_DIR = Path(__file__).resolve().parent / "data"

KINDS = ["need", "want", "love", "frustration", "question", "thanks", "complaint"]
CHANNELS = ["phone", "email", "chat", "sms", "social", "in_person"]
LANGUAGES = ["en", "es", "gl"]
PRODUCT_AREAS = [
    "Cards",
    "Accounts",
    "Payments and transfers",
    "Mobile app",
    "Home insurance",
    "Car insurance",
    "Loans and mortgages",
    "Branches",
    "Other",
]

WEEK = timedelta(days=7)
TEXT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class NoteSpec:
    kind: str
    text: str
    channel: str
    language: str  # "en" | "es" | "gl"
    site: str  # site name
    agent: str  # username
    occurred_at: datetime  # timezone-aware, in the site's time zone
    product_area: str  # one of PRODUCT_AREAS
    customer_abroad: bool
    abroad_country: str  # ISO 3166 alpha-2, "" unless customer_abroad
    caused_by_us: bool
    lonely: bool
    vulnerable: bool
    external_id: str  # stable id, e.g. "demo-000123"


# --- sites -----------------------------------------------------------------------------------


class SiteProfile(NamedTuple):
    country: str  # ISO code of the site's country; a customer "abroad" is somewhere else
    timezone: str
    share: float  # share of all notes logged at this site
    agents: tuple[str, ...]
    lead: str
    languages: dict[str, float]  # language -> share of the site's notes
    english_sources: dict[str, float]  # where the site's English notes come from


_UK_SOURCES = {"banking77": 0.66, "insurance": 0.14, "english_extra": 0.20}
_SPAIN_ENGLISH_SOURCES = {"banking77": 0.6, "insurance": 0.1, "english_extra": 0.3}

SITES: dict[str, SiteProfile] = {
    "Madrid": SiteProfile(
        "ES", "Europe/Madrid", 0.24, ("lucia.agent", "javier.agent"), "marta.lead",
        {"es": 0.85, "en": 0.15}, _SPAIN_ENGLISH_SOURCES,
    ),
    "Sevilla": SiteProfile(
        "ES", "Europe/Madrid", 0.20, ("carmen.agent", "antonio.agent"), "pilar.lead",
        {"es": 0.88, "en": 0.12}, _SPAIN_ENGLISH_SOURCES,
    ),
    "A Coruña": SiteProfile(
        "ES", "Europe/Madrid", 0.18, ("uxia.agent", "brais.agent"), "xoan.lead",
        {"es": 0.66, "gl": 0.30, "en": 0.04}, _SPAIN_ENGLISH_SOURCES,
    ),
    "Manchester": SiteProfile(
        "GB", "Europe/London", 0.22, ("amy.agent", "tom.agent"), "sarah.lead",
        {"en": 1.0}, _UK_SOURCES,
    ),
    "Glasgow": SiteProfile(  # the insurance-claims floor hears more insurance calls
        "GB", "Europe/London", 0.16, ("fiona.agent", "ross.agent"), "callum.lead",
        {"en": 1.0}, {"banking77": 0.55, "insurance": 0.27, "english_extra": 0.18},
    ),
}  # fmt: skip

LEAD_SHARE = 0.05

# --- mapping of dataset labels to kinds, product areas and flag likelihoods ------------------


class LabelMapping(NamedTuple):
    kind: str
    product_area: str | None  # None: decided from the text (insurance: home or car)
    caused_by_us: float = 0.0  # chance the contact was failure demand (our mistake)
    abroad: bool = False  # the topic is about using money abroad, so the customer often is


_CARDS, _ACCOUNTS, _PAY, _APP = "Cards", "Accounts", "Payments and transfers", "Mobile app"

BANKING77_MAP: dict[str, LabelMapping] = {
    "activate_my_card": LabelMapping("question", _CARDS),
    "age_limit": LabelMapping("question", _ACCOUNTS),
    "apple_pay_or_google_pay": LabelMapping("question", _APP),
    "atm_support": LabelMapping("question", _CARDS, abroad=True),
    "automatic_top_up": LabelMapping("question", _PAY),
    "balance_not_updated_after_bank_transfer": LabelMapping("frustration", _PAY, 0.25),
    "balance_not_updated_after_cheque_or_cash_deposit": LabelMapping("frustration", _ACCOUNTS, 0.25),
    "beneficiary_not_allowed": LabelMapping("frustration", _PAY, 0.15),
    "cancel_transfer": LabelMapping("need", _PAY),
    "card_about_to_expire": LabelMapping("question", _CARDS),
    "card_acceptance": LabelMapping("question", _CARDS, abroad=True),
    "card_arrival": LabelMapping("frustration", _CARDS, 0.3),
    "card_delivery_estimate": LabelMapping("question", _CARDS, 0.1),
    "card_linking": LabelMapping("need", _CARDS),
    "card_not_working": LabelMapping("frustration", _CARDS, 0.2),
    "card_payment_fee_charged": LabelMapping("complaint", _CARDS, 0.35, abroad=True),
    "card_payment_not_recognised": LabelMapping("need", _CARDS, 0.05),
    "card_payment_wrong_exchange_rate": LabelMapping("complaint", _CARDS, 0.3, abroad=True),
    "card_swallowed": LabelMapping("need", _CARDS, abroad=True),
    "cash_withdrawal_charge": LabelMapping("frustration", _CARDS, 0.2, abroad=True),
    "cash_withdrawal_not_recognised": LabelMapping("need", _CARDS),
    "change_pin": LabelMapping("question", _CARDS),
    "compromised_card": LabelMapping("need", _CARDS),
    "contactless_not_working": LabelMapping("frustration", _CARDS, 0.15),
    "country_support": LabelMapping("question", _ACCOUNTS, abroad=True),
    "declined_card_payment": LabelMapping("frustration", _CARDS, 0.2, abroad=True),
    "declined_cash_withdrawal": LabelMapping("frustration", _CARDS, 0.2, abroad=True),
    "declined_transfer": LabelMapping("frustration", _PAY, 0.2),
    "direct_debit_payment_not_recognised": LabelMapping("question", _PAY),
    "disposable_card_limits": LabelMapping("question", _CARDS),
    "edit_personal_details": LabelMapping("need", _ACCOUNTS),
    "exchange_charge": LabelMapping("question", _PAY, abroad=True),
    "exchange_rate": LabelMapping("question", _PAY, abroad=True),
    "exchange_via_app": LabelMapping("question", _APP, abroad=True),
    "extra_charge_on_statement": LabelMapping("complaint", _ACCOUNTS, 0.4),
    "failed_transfer": LabelMapping("frustration", _PAY, 0.25),
    "fiat_currency_support": LabelMapping("question", _ACCOUNTS, abroad=True),
    "get_disposable_virtual_card": LabelMapping("question", _CARDS),
    "get_physical_card": LabelMapping("question", _CARDS),
    "getting_spare_card": LabelMapping("want", _CARDS),
    "getting_virtual_card": LabelMapping("want", _CARDS),
    "lost_or_stolen_card": LabelMapping("need", _CARDS, abroad=True),
    "lost_or_stolen_phone": LabelMapping("need", _APP, abroad=True),
    "order_physical_card": LabelMapping("need", _CARDS),
    "passcode_forgotten": LabelMapping("need", _APP),
    "pending_card_payment": LabelMapping("question", _CARDS, 0.1),
    "pending_cash_withdrawal": LabelMapping("question", _CARDS, 0.1),
    "pending_top_up": LabelMapping("question", _PAY, 0.1),
    "pending_transfer": LabelMapping("frustration", _PAY, 0.15),
    "pin_blocked": LabelMapping("need", _CARDS, 0.1),
    "receiving_money": LabelMapping("question", _PAY),
    "Refund_not_showing_up": LabelMapping("frustration", _PAY, 0.2),
    "request_refund": LabelMapping("need", _PAY),
    "reverted_card_payment?": LabelMapping("question", _CARDS, 0.15),
    "supported_cards_and_currencies": LabelMapping("question", _CARDS, abroad=True),
    "terminate_account": LabelMapping("need", _ACCOUNTS),
    "top_up_by_bank_transfer_charge": LabelMapping("question", _PAY),
    "top_up_by_card_charge": LabelMapping("question", _PAY),
    "top_up_by_cash_or_cheque": LabelMapping("question", _PAY),
    "top_up_failed": LabelMapping("frustration", _PAY, 0.25),
    "top_up_limits": LabelMapping("question", _PAY),
    "top_up_reverted": LabelMapping("frustration", _PAY, 0.3),
    "topping_up_by_card": LabelMapping("question", _PAY),
    "transaction_charged_twice": LabelMapping("complaint", _CARDS, 1.0),
    "transfer_fee_charged": LabelMapping("complaint", _PAY, 0.3),
    "transfer_into_account": LabelMapping("question", _PAY),
    "transfer_not_received_by_recipient": LabelMapping("frustration", _PAY, 0.2),
    "transfer_timing": LabelMapping("question", _PAY),
    "unable_to_verify_identity": LabelMapping("frustration", _ACCOUNTS, 0.3),
    "verify_my_identity": LabelMapping("question", _ACCOUNTS),
    "verify_source_of_funds": LabelMapping("question", _ACCOUNTS),
    "verify_top_up": LabelMapping("question", _PAY),
    "virtual_card_not_working": LabelMapping("frustration", _CARDS, 0.3),
    "visa_or_mastercard": LabelMapping("question", _CARDS),
    "why_verify_identity": LabelMapping("question", _ACCOUNTS),
    "wrong_amount_of_cash_received": LabelMapping("complaint", _CARDS, 0.4),
    "wrong_exchange_rate_for_cash_withdrawal": LabelMapping("complaint", _CARDS, 0.3, abroad=True),
}

# None: "Home insurance" or "Car insurance" from the words in the turn (``_insurance_area``).
INSURANCE_MAP: dict[str, LabelMapping] = {
    "AddDependent": LabelMapping("need", None),
    "CancelAutomaticBilling": LabelMapping("need", None, 0.1),
    "CancelPlan": LabelMapping("need", None),
    "ChangeAddress": LabelMapping("need", None),
    "ChangePlan": LabelMapping("need", None),
    "ChangeSecurityQuestion": LabelMapping("need", _APP),
    "CheckAccountBalance": LabelMapping("question", _ACCOUNTS),
    "CheckPaymentStatus": LabelMapping("question", None, 0.1),
    "CreateAccount": LabelMapping("need", _ACCOUNTS),
    "EnrollInPlan": LabelMapping("want", None),
    "FileClaim": LabelMapping("need", None),
    "FindAgent": LabelMapping("question", "Branches"),
    "GetPolicyNumber": LabelMapping("question", None),
    "GetQuote": LabelMapping("need", None),
    "PayBill": LabelMapping("need", None),
    "RemoveDependent": LabelMapping("need", None),
    "ReportAutomobileAccident": LabelMapping("need", "Car insurance"),
    "ReportBillingIssue": LabelMapping("complaint", None, 0.5),
    "RequestProofOfInsurance": LabelMapping("need", None),
    "ResetPassword": LabelMapping("need", _APP),
    "UpdateBillingFrequency": LabelMapping("need", None),
    "UpdatePaymentPreference": LabelMapping("need", None),
}

_CAR_WORDS = re.compile(
    r"\b(car|cars|auto|automobile|vehicle|vehecle|accident|acident|crash|tesla|honda|toyota)\b", re.I
)
_HOME_WORDS = re.compile(
    r"\b(home|homeowner'?s?|house|condo|renters?'?s?|property|apartment|flood\w*|tornado|town house)\b", re.I
)
_OTHER_WORDS = re.compile(r"\b(life|health|pet'?s?|dog|cat|bird|business|medical)\b", re.I)

# Extra chance of failure demand by kind, for dataset texts (hand-written notes carry their flags).
_CAUSED_BY_US_BY_KIND = {"complaint": 0.35, "frustration": 0.12, "need": 0.04, "question": 0.03}
_ABROAD_LIKELY = 0.45  # Banking77 topics about money abroad
_ABROAD_MENTIONED = 0.5  # the text names a foreign country
_ABROAD_BASE = 0.04
_VULNERABLE = 0.015  # dataset texts; hand-written notes carry their flags
_VULNERABLE_WEIGHT = 0.35  # hand-written notes about vulnerable customers: real, but rarer than the rest

ABROAD_COUNTRIES = {  # where customers call from, by site country
    "ES": {"FR": 3, "PT": 3, "GB": 3, "DE": 2, "US": 2, "MA": 2, "IT": 1, "CH": 1},
    "GB": {"ES": 4, "FR": 3, "PT": 2, "US": 2, "DE": 1, "IT": 1, "IE": 1, "MA": 1},
}
_COUNTRY_MENTIONS = {  # case-sensitive: "US", not "us"
    "US": "US", "USA": "US", "America": "US", "UK": "GB", "Britain": "GB", "England": "GB",
    "Scotland": "GB", "China": "CN", "France": "FR", "Spain": "ES", "Germany": "DE", "Japan": "JP",
    "Portugal": "PT", "Morocco": "MA", "Italy": "IT",
}  # fmt: skip
_COUNTRY_RE = re.compile(r"\b(" + "|".join(_COUNTRY_MENTIONS) + r")\b")

# --- stories ---------------------------------------------------------------------------------

STORY_CARD_ARRIVAL = "card_arrival"
STORY_APP_INTEGRATION = "app_integration"
_CARD_ARRIVAL_CATEGORIES = ("card_arrival", "card_delivery_estimate")
# Hand-written notes belong to a story when their words say so.
_STORY_PATTERNS = {
    STORY_CARD_ARRIVAL: re.compile(
        r"\b(tarjeta|tarxeta|card)\b.*\b(lleg\w*|cheg\w*|recib\w*|arriv\w*|deliver\w*)"
        r"|\b(lleg\w*|cheg\w*)\b.*\b(tarjeta|tarxeta)\b",
        re.I,
    ),
    STORY_APP_INTEGRATION: re.compile(
        r"\b(app|aplicaci[oó]n)\b.*(integr\w*|other banks|otros bancos|outros bancos|todos (sus|os seus) bancos"
        r"|all (of )?(his|her|their|my) banks)",
        re.I,
    ),
}
CARD_ARRIVAL_SHARE = 0.03  # of a week's notes, before the spike
CARD_ARRIVAL_SPIKE = 6.0  # multiplier in the last two weeks: the whole "New cards" theme doubles
APP_INTEGRATION_FIRST, APP_INTEGRATION_LAST = 0.006, 0.12  # share, rising linearly (~150 in the last month)
LONELY_SHARE = 0.006  # on top of the weekly minimum
MIN_LONELY_PER_WEEK = 3
MIN_THANKS_PER_WEEK = 5

# --- channels and working hours --------------------------------------------------------------

CHANNEL_WEIGHTS = {"phone": 0.53, "chat": 0.21, "email": 0.13, "sms": 0.05, "social": 0.04, "in_person": 0.04}
_PHONE_WORDS = re.compile(
    r"\b(llam\w*|cham[aeo]\w*|called|calling|caller|rings?|rang|tel[eé]fono|phone menu|contestador)\b", re.I
)
# Local opening hours: weekday -> {hour: relative busyness}; Sunday closed.
_WEEKDAY_HOURS = dict(zip(range(8, 20), (0.5, 0.9, 1.0, 1.0, 1.0, 0.8, 0.7, 0.8, 0.9, 0.8, 0.6, 0.4), strict=True))
_SATURDAY_HOURS = {9: 0.5, 10: 0.6, 11: 0.6, 12: 0.5, 13: 0.4}


class _Item(NamedTuple):
    text: str
    kind: str
    product_area: str | None
    caused_by_us: float
    abroad: float
    country: str  # fixed country (hand-written notes), else ""
    lonely: bool
    vulnerable: float
    story: str | None
    weight: float = 1.0  # how often it is drawn, relative to the other texts of its source


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _story_of(text: str) -> str | None:
    for story, pattern in _STORY_PATTERNS.items():
        if pattern.search(text):
            return story
    return None


_FLAGS = {"caused_by_us", "lonely", "vulnerable"}


def _handwritten(name: str) -> list[_Item]:
    items = []
    for row in _read(name):
        text, kind, area = row["text"].strip(), row["kind"], row["product_area"]
        flags = [f for f in (row["flags"] or "").split(";") if f]
        country = next((f.split(":", 1)[1] for f in flags if f.startswith("abroad:")), "")
        unknown = [f for f in flags if not f.startswith("abroad:") and f not in _FLAGS]
        if kind not in KINDS or area not in PRODUCT_AREAS or unknown or not text or (country and len(country) != 2):
            raise ValueError(f"{name}: bad row {row!r}")
        items.append(
            _Item(
                text,
                kind,
                area,
                1.0 if "caused_by_us" in flags else 0.0,
                1.0 if country else 0.0,
                country,
                "lonely" in flags,
                1.0 if "vulnerable" in flags else 0.0,
                _story_of(text),
                _VULNERABLE_WEIGHT if "vulnerable" in flags and "lonely" not in flags else 1.0,
            )
        )
    return items


def _banking77() -> list[_Item]:
    items = []
    for row in _read("banking77.csv"):
        m = BANKING77_MAP[row["category"]]
        text = row["text"].strip()
        abroad = _ABROAD_LIKELY if m.abroad else _ABROAD_MENTIONED if _COUNTRY_RE.search(text) else _ABROAD_BASE
        ours = max(m.caused_by_us, _CAUSED_BY_US_BY_KIND.get(m.kind, 0.0))
        story = STORY_CARD_ARRIVAL if row["category"] in _CARD_ARRIVAL_CATEGORIES else None
        items.append(_Item(text, m.kind, m.product_area, ours, abroad, "", False, _VULNERABLE, story))
    return items


def _insurance_area(text: str) -> str | None:
    if _CAR_WORDS.search(text):
        return "Car insurance"
    if _HOME_WORDS.search(text):
        return "Home insurance"
    if _OTHER_WORDS.search(text):
        return "Other"  # life, health, pet and business cover have no area of their own
    return None


def _insurance() -> list[_Item]:
    items = []
    for row in _read("insurance.csv"):
        m = INSURANCE_MAP[row["intent"]]
        text = row["text"].strip()
        area = m.product_area or _insurance_area(text)
        ours = max(m.caused_by_us, _CAUSED_BY_US_BY_KIND.get(m.kind, 0.0))
        items.append(_Item(text, m.kind, area, ours, _ABROAD_BASE, "", False, _VULNERABLE, None))
    return items


class _Pool(NamedTuple):
    items: list[_Item]
    cum_weights: list[float]


Pools = dict[str, dict[str, _Pool]]  # pool name -> source -> texts


@cache
def _corpus() -> dict[str, dict[str, list[_Item]]]:
    """Every text by language and source."""
    return {
        "en": {
            "banking77": _banking77(),
            "insurance": _insurance(),
            "english_extra": _handwritten("english_extra.csv"),
        },
        "es": {"spanish": _handwritten("spanish.csv")},
        "gl": {"galician": _handwritten("galician.csv")},
    }


@cache
def _pools(language: str, site_country: str) -> Pools:
    """The texts for one language at sites in one country, sorted into the pools a note is drawn from.

    Hand-written notes fixed "abroad" in the site's own country are left out (they are not abroad there).
    """
    names = ("general", "lonely", "thanks", STORY_CARD_ARRIVAL, STORY_APP_INTEGRATION)
    lists: dict[str, dict[str, list[_Item]]] = {name: {} for name in names}
    for source, items in _corpus()[language].items():
        for item in items:
            if item.country == site_country:
                continue
            if item.lonely:
                pool = "lonely"
            elif item.story:
                pool = item.story
            else:
                pool = "general"
                if item.kind == "thanks":
                    lists["thanks"].setdefault(source, []).append(item)
            lists[pool].setdefault(source, []).append(item)
    return {
        name: {source: _Pool(items, list(accumulate(i.weight for i in items))) for source, items in by_source.items()}
        for name, by_source in lists.items()
    }


def story_texts(story: str) -> frozenset[str]:
    """Every text that belongs to a story (``STORY_CARD_ARRIVAL`` or ``STORY_APP_INTEGRATION``)."""
    return frozenset(
        item.text
        for by_source in _corpus().values()
        for items in by_source.values()
        for item in items
        if item.story == story
    )


# --- dataset labels, for naming demo themes --------------------------------------------------

# A demo theme gathers a few neighbouring Banking77 categories or DSTC11 intents, so a lead would
# name it for the topic they share: neighbours get one reader-level label. Others are humanised.
LABEL_TOPICS: dict[str, tuple[str, ...]] = {
    "Card not arrived": ("card_arrival", "card_delivery_estimate"),
    "New cards": (
        "get_physical_card", "order_physical_card", "getting_spare_card",
        "get_disposable_virtual_card", "getting_virtual_card", "card_about_to_expire", "activate_my_card",
        "card_linking",
    ),
    "Lost or stolen cards": ("lost_or_stolen_card", "compromised_card", "card_swallowed"),
    "PIN and passcode": ("change_pin", "pin_blocked", "passcode_forgotten"),
    "Cards not working": (
        "card_not_working", "contactless_not_working", "virtual_card_not_working", "declined_card_payment",
        "card_acceptance", "disposable_card_limits",
    ),
    "Cash machines": (
        "atm_support", "declined_cash_withdrawal", "pending_cash_withdrawal", "wrong_amount_of_cash_received",
        "cash_withdrawal_not_recognised",
    ),
    "Top-ups": (
        "automatic_top_up", "pending_top_up", "top_up_failed", "top_up_limits", "top_up_reverted",
        "topping_up_by_card", "verify_top_up", "top_up_by_cash_or_cheque",
    ),
    "Fees and charges": (
        "card_payment_fee_charged", "transfer_fee_charged", "extra_charge_on_statement", "cash_withdrawal_charge",
        "exchange_charge", "top_up_by_bank_transfer_charge", "top_up_by_card_charge",
    ),
    "Currencies and exchange rates": (
        "exchange_rate", "exchange_via_app", "card_payment_wrong_exchange_rate",
        "wrong_exchange_rate_for_cash_withdrawal", "fiat_currency_support", "supported_cards_and_currencies",
        "country_support",
    ),
    "Transfers": (
        "pending_transfer", "failed_transfer", "declined_transfer", "transfer_not_received_by_recipient",
        "transfer_timing", "cancel_transfer", "beneficiary_not_allowed", "balance_not_updated_after_bank_transfer",
        "transfer_into_account", "receiving_money",
    ),
    "Refunds and unrecognised payments": (
        "request_refund", "Refund_not_showing_up", "card_payment_not_recognised",
        "direct_debit_payment_not_recognised", "transaction_charged_twice", "reverted_card_payment?",
        "pending_card_payment",
    ),
    "Identity checks": (
        "verify_my_identity", "why_verify_identity", "unable_to_verify_identity", "verify_source_of_funds",
    ),
    "Account and login details": (
        "edit_personal_details", "terminate_account", "ChangeAddress", "ChangeSecurityQuestion", "ResetPassword",
        "CreateAccount",
    ),
    "Insurance quotes and plans": (
        "GetQuote", "EnrollInPlan", "ChangePlan", "CancelPlan", "AddDependent", "RemoveDependent",
        "RequestProofOfInsurance", "GetPolicyNumber", "FindAgent",
    ),
    "Insurance claims": ("FileClaim", "ReportAutomobileAccident"),
    "Insurance bills": (
        "PayBill", "CheckPaymentStatus", "ReportBillingIssue", "CancelAutomaticBilling", "UpdateBillingFrequency",
        "UpdatePaymentPreference", "CheckAccountBalance",
    ),
}  # fmt: skip
_TOPIC_OF = {label: topic for topic, labels in LABEL_TOPICS.items() for label in labels}
_NICER_LABELS = {"apple_pay_or_google_pay": "Apple Pay or Google Pay", "visa_or_mastercard": "Visa or Mastercard"}
# Hand-written notes have no dataset label: their story, loneliness, thanks or product area stands in.
_HANDWRITTEN_LABELS = {
    STORY_CARD_ARRIVAL: "Card not arrived",
    STORY_APP_INTEGRATION: "One app for all banks",
    "lonely": "Lonely customers",
    "thanks": "Thanks",
    "Other": "Customer service",  # queues, phone menus, being passed around
}


def humanise_label(label: str) -> str:
    """``"card_arrival"`` -> ``"Card arrival"``, ``"GetQuote"`` -> ``"Get quote"``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ").rstrip("?").lower()
    return " ".join(words.split()).capitalize()


def _label_name(label: str) -> str:
    return _TOPIC_OF.get(label) or _NICER_LABELS.get(label) or humanise_label(label)


def _handwritten_label(item: _Item) -> str:
    key = item.story or ("lonely" if item.lonely else "thanks" if item.kind == "thanks" else item.product_area or "")
    return _HANDWRITTEN_LABELS.get(key, key)


@cache
def _dataset_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for name, column in (("banking77.csv", "category"), ("insurance.csv", "intent")):
        for row in _read(name):
            labels[row["text"].strip()[:TEXT_MAX_LENGTH]] = _label_name(row[column])
    for name in ("english_extra.csv", "spanish.csv", "galician.csv"):
        for item in _handwritten(name):
            labels[item.text[:TEXT_MAX_LENGTH]] = _handwritten_label(item)
    return labels


def dataset_labels() -> Mapping[str, str]:
    """Every demo text, as a note stores it, mapped to a human English label for what it is about.

    Banking77 categories and DSTC11 intents are grouped into topics (``LABEL_TOPICS``) or humanised;
    hand-written notes are labelled by their story, loneliness, thanks or product area."""
    return MappingProxyType(_dataset_labels())


# --- generation ------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _draw(rng: random.Random, pools: Pools, pool: str, sources: dict[str, float]) -> _Item:
    by_source = pools[pool] or pools["general"]
    available = {s: w for s, w in sources.items() if by_source.get(s)} or dict.fromkeys(by_source, 1.0)
    chosen = by_source[_weighted(rng, available)]
    return rng.choices(chosen.items, cum_weights=chosen.cum_weights)[0]


def _when(rng: random.Random, start: datetime, tz: ZoneInfo) -> datetime:
    """A moment in the week from ``start`` when the site is open, busier mid-morning."""
    seconds = int(WEEK.total_seconds())
    for _ in range(10_000):
        local = (start + timedelta(seconds=rng.randrange(seconds))).astimezone(tz)
        hours = _SATURDAY_HOURS if local.weekday() == 5 else _WEEKDAY_HOURS if local.weekday() < 5 else {}
        if rng.random() < hours.get(local.hour, 0.0):
            return local
    raise RuntimeError("no opening hours in the week")  # pragma: no cover - a week always has some


def _note(rng: random.Random, site: str, pool: str, start: datetime) -> NoteSpec:
    profile = SITES[site]
    language = _weighted(rng, profile.languages)
    sources = profile.english_sources if language == "en" else {}
    item = _draw(rng, _pools(language, profile.country), pool, sources)

    area = item.product_area or rng.choice(["Home insurance", "Car insurance"])
    country = item.country
    if not country and rng.random() < item.abroad:
        mentioned = _COUNTRY_RE.search(item.text)
        mentioned_code = _COUNTRY_MENTIONS[mentioned.group(1)] if mentioned else ""
        if mentioned_code and mentioned_code != profile.country:
            country = mentioned_code
        else:
            country = _weighted(rng, ABROAD_COUNTRIES[profile.country])
    caused_by_us = rng.random() < item.caused_by_us
    vulnerable = rng.random() < item.vulnerable
    if item.lonely:
        channel = "phone" if rng.random() < 0.85 or _PHONE_WORDS.search(item.text) else "in_person"
    else:
        channel = "phone" if _PHONE_WORDS.search(item.text) else _weighted(rng, CHANNEL_WEIGHTS)
    agent = profile.lead if rng.random() < LEAD_SHARE else rng.choice(profile.agents)
    return NoteSpec(
        kind=item.kind,
        text=item.text[:TEXT_MAX_LENGTH],
        channel=channel,
        language=language,
        site=site,
        agent=agent,
        occurred_at=_when(rng, start, ZoneInfo(profile.timezone)),
        product_area=area,
        customer_abroad=bool(country),
        abroad_country=country,
        caused_by_us=caused_by_us,
        lonely=item.lonely,
        vulnerable=vulnerable,
        external_id="",
    )


def demo_note_specs(*, end: datetime, weeks: int = 10, per_week: int = 320, seed: int = 7) -> list[NoteSpec]:
    """``per_week`` notes for each of the ``weeks`` weeks before ``end``, oldest first.

    Week ``w`` (0 = oldest) covers ``[end - (weeks - w) * 7 days, end - (weeks - w - 1) * 7 days)``.
    The same arguments always give the same notes; ids are ``demo-000001`` onwards in time order.
    """
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware")
    if weeks < 1 or per_week < 0:
        raise ValueError("weeks must be at least 1 and per_week not negative")
    rng = random.Random(seed)
    site_names = list(SITES)
    site_shares = [SITES[s].share for s in site_names]
    notes: list[NoteSpec] = []
    for week in range(weeks):
        start = end - (weeks - week) * WEEK
        card_share = CARD_ARRIVAL_SHARE * (CARD_ARRIVAL_SPIKE if week >= weeks - 2 else 1.0)
        app_share = APP_INTEGRATION_FIRST + (APP_INTEGRATION_LAST - APP_INTEGRATION_FIRST) * week / max(weeks - 1, 1)
        # Fixed quotas (with a little jitter) keep the stories true whatever the seed; the weekly
        # minimums give every newsletter lonely customers and thanks to report.
        planned = (
            ["lonely"] * MIN_LONELY_PER_WEEK
            + ["thanks"] * MIN_THANKS_PER_WEEK
            + [STORY_CARD_ARRIVAL] * round(per_week * card_share * rng.uniform(0.85, 1.15))
            + [STORY_APP_INTEGRATION] * round(per_week * app_share * rng.uniform(0.85, 1.15))
        )
        for i in range(per_week):
            pool = planned[i] if i < len(planned) else "lonely" if rng.random() < LONELY_SHARE else "general"
            site = rng.choices(site_names, weights=site_shares)[0]
            notes.append(_note(rng, site, pool, start))
    notes.sort(key=lambda n: (n.occurred_at, n.site, n.agent, n.text))
    return [replace(n, external_id=f"demo-{number:06d}") for number, n in enumerate(notes, start=1)]
