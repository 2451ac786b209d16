"""The demo corpus and the demo-note generator: deterministic, valid, and with true stories to find."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voc.demo import notes as demo_notes
from voc.demo.notes import PRODUCT_AREAS, WEEK, demo_note_specs

END = datetime(2026, 3, 30, 9, 15, tzinfo=ZoneInfo("Europe/Madrid"))  # spans the March clock change
WEEKS = 10
DATA = Path(demo_notes.__file__).resolve().parent / "data"

KINDS = {"need", "want", "love", "frustration", "question", "thanks", "complaint"}
CHANNELS = {"phone", "email", "chat", "sms", "social", "in_person"}
AGENTS = {
    "Madrid": {"lucia.agent", "javier.agent", "marta.lead"},
    "Sevilla": {"carmen.agent", "antonio.agent", "pilar.lead"},
    "A Coruña": {"uxia.agent", "brais.agent", "xoan.lead"},
    "Manchester": {"amy.agent", "tom.agent", "sarah.lead"},
    "Glasgow": {"fiona.agent", "ross.agent", "callum.lead"},
}
SITE_TZ = {"Madrid": "Europe/Madrid", "Sevilla": "Europe/Madrid", "A Coruña": "Europe/Madrid"} | {
    "Manchester": "Europe/London",
    "Glasgow": "Europe/London",
}
SITE_COUNTRY = {"Madrid": "ES", "Sevilla": "ES", "A Coruña": "ES", "Manchester": "GB", "Glasgow": "GB"}

# Personal data that must never be in a demo text.
EMAIL = re.compile(r"\S+@\S+\.\w+")
LONG_NUMBER = re.compile(r"\d[\d\s-]{6,}\d")  # card, phone, account or policy numbers


@pytest.fixture(scope="module")
def specs():
    return demo_note_specs(end=END)  # 10 weeks x 320: just has to complete (it takes well under 2 s)


def week_of(spec) -> int:
    return WEEKS - 1 - (END - spec.occurred_at) // WEEK


def share(specs, predicate) -> float:
    return sum(1 for s in specs if predicate(s)) / len(specs)


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- determinism ---------------------------------------------------------------------------


def test_the_same_arguments_give_the_same_notes(specs):
    assert len(specs) == WEEKS * 320
    assert demo_note_specs(end=END) == specs


def test_another_seed_or_end_gives_other_notes(specs):
    other = demo_note_specs(end=END, seed=8)
    assert [s.text for s in other] != [s.text for s in specs]
    later = demo_note_specs(end=END + WEEK, weeks=2, per_week=50)
    assert min(s.occurred_at for s in later) >= END - WEEK


def test_end_must_be_timezone_aware():
    with pytest.raises(ValueError):
        demo_note_specs(end=datetime(2026, 3, 30, 9, 15))


# --- validity ------------------------------------------------------------------------------


def test_every_spec_is_valid(specs):
    assert PRODUCT_AREAS == [
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
    for s in specs:
        assert s.kind in KINDS, s
        assert s.channel in CHANNELS, s
        assert s.language in {"en", "es", "gl"}, s
        assert s.product_area in PRODUCT_AREAS, s
        assert s.agent in AGENTS[s.site], s
        assert s.text and s.text == s.text.strip() and len(s.text) <= 2000, s
        assert s.customer_abroad == bool(s.abroad_country), s
        if s.customer_abroad:
            assert re.fullmatch(r"[A-Z]{2}", s.abroad_country) and s.abroad_country != SITE_COUNTRY[s.site], s
        assert s.occurred_at.tzinfo is not None and s.occurred_at.utcoffset() is not None, s
        assert END - WEEKS * WEEK <= s.occurred_at < END, s
    ids = [s.external_id for s in specs]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"demo-\d{6}", i) for i in ids)
    assert [s.occurred_at for s in specs] == sorted(s.occurred_at for s in specs)


def test_the_choices_match_the_note_model():
    from voc.models import Insight

    assert set(Insight.Kind.values) == KINDS
    assert set(Insight.Channel.values) == CHANNELS
    assert set(Insight.Language.values) == {"en", "es", "gl"}
    assert Insight.TEXT_MAX_LENGTH == 2000


def test_notes_happen_in_opening_hours_monday_to_saturday_in_the_site_time_zone(specs):
    for s in specs:
        local = s.occurred_at.astimezone(ZoneInfo(SITE_TZ[s.site]))
        assert local.weekday() != 6, s
        opening = range(9, 14) if local.weekday() == 5 else range(8, 20)
        assert local.hour in opening, s
    assert {s.occurred_at.astimezone(ZoneInfo(SITE_TZ[s.site])).weekday() for s in specs} == set(range(6))


def test_texts_hold_no_personal_data(specs):
    for s in specs:
        assert not EMAIL.search(s.text) and not LONG_NUMBER.search(s.text), s.text
    for name in ("banking77.csv", "insurance.csv", "spanish.csv", "galician.csv", "english_extra.csv"):
        for row in read_csv(name):
            assert not EMAIL.search(row["text"]) and not LONG_NUMBER.search(row["text"]), (name, row)
            assert not re.search(r"\bmy name is\b|\bme llamo\b|\bmi nombre es\b", row["text"], re.I), (name, row)


# --- the mix -------------------------------------------------------------------------------


def test_every_week_has_at_least_three_lonely_customers_and_five_thanks(specs):
    by_week = Counter(week_of(s) for s in specs)
    assert sorted(by_week) == list(range(WEEKS))
    lonely = Counter(week_of(s) for s in specs if s.lonely)
    thanks = Counter(week_of(s) for s in specs if s.kind == "thanks")
    for week in range(WEEKS):
        assert lonely[week] >= 3, (week, lonely)
        assert thanks[week] >= 5, (week, thanks)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_weekly_minimums_hold_even_for_small_weeks(seed):
    # 30 notes a week would hold about two thanks and no lonely customer if left to chance.
    small = demo_note_specs(end=END, weeks=4, per_week=30, seed=seed)
    assert len(small) == 4 * 30
    for week in range(4):
        in_week = [s for s in small if (END - s.occurred_at) // WEEK == 3 - week]
        assert sum(s.lonely for s in in_week) >= 3, week
        assert sum(s.kind == "thanks" for s in in_week) >= 5, week


def test_languages_follow_the_sites(specs):
    languages = Counter(s.language for s in specs)
    assert set(languages) == {"en", "es", "gl"}
    for site in ("Manchester", "Glasgow"):
        assert {s.language for s in specs if s.site == site} == {"en"}
    for site in ("Madrid", "Sevilla"):
        at_site = [s for s in specs if s.site == site]
        assert 0.75 <= share(at_site, lambda s: s.language == "es") < 1
        assert share(at_site, lambda s: s.language == "en") > 0.03
    coruna = [s for s in specs if s.site == "A Coruña"]
    assert 0.2 <= share(coruna, lambda s: s.language == "gl") <= 0.4
    assert {s.site for s in specs if s.language == "gl"} == {"A Coruña"}


def test_every_kind_channel_site_and_area_appears_in_realistic_shares(specs):
    assert {s.kind for s in specs} == KINDS
    assert {s.product_area for s in specs} == set(PRODUCT_AREAS)
    assert set(AGENTS) == {s.site for s in specs}
    assert 0.50 <= share(specs, lambda s: s.channel == "phone") <= 0.60
    assert 0.15 <= share(specs, lambda s: s.channel == "chat") <= 0.25
    assert 0.08 <= share(specs, lambda s: s.channel == "email") <= 0.16
    assert 0.03 <= share(specs, lambda s: s.agent.endswith(".lead")) <= 0.08
    for site, agents in AGENTS.items():
        assert {s.agent for s in specs if s.site == site} == agents


def test_flags_come_in_realistic_shares(specs):
    assert 0.08 <= share(specs, lambda s: s.customer_abroad) <= 0.12
    assert 0.12 <= share(specs, lambda s: s.caused_by_us) <= 0.18
    assert 0.01 <= share(specs, lambda s: s.lonely) <= 0.02
    assert 0.02 <= share(specs, lambda s: s.vulnerable) <= 0.045
    complaints = [s for s in specs if s.kind == "complaint"]
    others = [s for s in specs if s.kind != "complaint"]
    assert share(complaints, lambda s: s.caused_by_us) > 2 * share(others, lambda s: s.caused_by_us)
    assert {s.abroad_country for s in specs} >= {"FR", "PT", "DE", "GB", "ES", "US", "MA"}


def test_banking77_topics_about_money_abroad_are_more_often_abroad(specs):
    abroad_topics = {"exchange_rate", "card_payment_wrong_exchange_rate", "wrong_exchange_rate_for_cash_withdrawal"}
    category = {row["text"]: row["category"] for row in read_csv("banking77.csv")}
    banking = [s for s in specs if s.text in category]
    about_abroad = [s for s in banking if category[s.text] in abroad_topics]
    assert about_abroad
    assert share(about_abroad, lambda s: s.customer_abroad) > 3 * share(
        [s for s in banking if category[s.text] not in abroad_topics], lambda s: s.customer_abroad
    )
    twice = [s for s in banking if category[s.text] == "transaction_charged_twice"]
    assert twice and all(s.kind == "complaint" and s.caused_by_us for s in twice)


# --- the stories ---------------------------------------------------------------------------


def test_card_not_arrived_roughly_triples_in_the_last_two_weeks(specs):
    card = demo_notes.story_texts(demo_notes.STORY_CARD_ARRIVAL)
    per_week = Counter(week_of(s) for s in specs if s.text in card)
    earlier = sum(per_week[w] for w in range(WEEKS - 2)) / (WEEKS - 2)
    last_two = (per_week[WEEKS - 2] + per_week[WEEKS - 1]) / 2
    assert earlier > 0
    assert last_two / earlier >= 2, per_week
    recent_languages = {s.language for s in specs if s.text in card and week_of(s) >= WEEKS - 2}
    assert recent_languages == {"en", "es", "gl"}
    assert any(text.startswith("Lleva tres semanas esperando la tarjeta nueva") for text in card)


def test_wanting_an_app_that_integrates_all_banks_rises_steadily(specs):
    app = demo_notes.story_texts(demo_notes.STORY_APP_INTEGRATION)
    per_week = Counter(week_of(s) for s in specs if s.text in app)
    first_half = sum(per_week[w] for w in range(WEEKS // 2))
    second_half = sum(per_week[w] for w in range(WEEKS // 2, WEEKS))
    assert second_half >= 2 * first_half > 0, per_week
    assert sum(per_week[w] for w in range(WEEKS - 3, WEEKS)) > 3 * sum(per_week[w] for w in range(3)), per_week
    assert {s.language for s in specs if s.text in app} == {"en", "es", "gl"}
    assert all(s.kind in {"want", "question"} for s in specs if s.text in app)


# --- the shipped corpus --------------------------------------------------------------------


def test_the_corpus_ships_inside_the_repository():
    assert DATA.parent == Path(demo_notes.__file__).resolve().parent
    for name in ("banking77.csv", "insurance.csv", "spanish.csv", "galician.csv", "english_extra.csv"):
        assert (DATA / name).is_file(), name
    assert (DATA / "banking77.csv").stat().st_size < 400_000
    banking = read_csv("banking77.csv")
    per_category = Counter(row["category"] for row in banking)
    assert list(banking[0]) == ["text", "category"] and len(per_category) == 77
    assert max(per_category.values()) == 40 and 2_900 <= len(banking) <= 3_080
    assert set(per_category) == set(demo_notes.BANKING77_MAP)
    insurance = read_csv("insurance.csv")
    assert list(insurance[0]) == ["text", "intent"] and 500 <= len(insurance) <= 913
    assert {row["intent"] for row in insurance} == set(demo_notes.INSURANCE_MAP)


@pytest.mark.parametrize(("name", "at_least"), [("spanish.csv", 120), ("galician.csv", 40), ("english_extra.csv", 70)])
def test_hand_written_notes_cover_every_kind_and_valid_flags(name, at_least):
    rows = read_csv(name)
    assert list(rows[0]) == ["text", "kind", "product_area", "flags"]
    assert len(rows) >= at_least
    assert len({row["text"] for row in rows}) == len(rows)
    assert {row["kind"] for row in rows} == KINDS
    flags = Counter()
    for row in rows:
        assert row["product_area"] in PRODUCT_AREAS, row
        for flag in filter(None, row["flags"].split(";")):
            assert re.fullmatch(r"abroad:[A-Z]{2}|caused_by_us|lonely|vulnerable", flag), row
            flags[flag.split(":")[0]] += 1
    assert set(flags) == {"abroad", "caused_by_us", "lonely", "vulnerable"}


def test_mappings_are_sensible():
    for mapping in (*demo_notes.BANKING77_MAP.values(), *demo_notes.INSURANCE_MAP.values()):
        assert mapping.kind in KINDS
        assert mapping.product_area is None or mapping.product_area in PRODUCT_AREAS
    b77 = demo_notes.BANKING77_MAP
    assert b77["card_arrival"].kind == "frustration"
    assert b77["compromised_card"].kind == "need" and b77["lost_or_stolen_card"].kind == "need"
    assert b77["declined_card_payment"].kind == "frustration"
    assert b77["exchange_rate"].kind == "question" and b77["exchange_rate"].abroad
    assert b77["transaction_charged_twice"] == ("complaint", "Cards", 1.0, False)


def test_source_notes_carry_the_attributions():
    source = (DATA / "SOURCE.md").read_text(encoding="utf-8")
    for needed in ("Casanueva et al.", "CC BY 4.0", "arXiv:2003.04807", "CDLA-Permissive-2.0", "for this project"):
        assert needed in source, needed
    licence = (DATA / "DSTC11-LICENSE.md").read_text(encoding="utf-8")
    assert "Community Data License Agreement - Permissive - Version 2.0" in licence
