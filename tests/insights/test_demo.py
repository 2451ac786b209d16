"""Demo themes get the names a lead would give them, from the dataset labels of their notes."""

from __future__ import annotations

import csv

import pytest

from insights import demo, services
from insights.models import Assignment, Theme, ThemeChange
from tests.factories import ThemeFactory
from voc.demo import notes as demo_notes
from voc.notes import services as voc_services

LABELS = demo_notes.dataset_labels()
OUTSIDE_THE_CORPUS = ["Wants the branch to open on Sundays", "Asked about the new savings rate"]


def texts(label: str, count: int, *, source: str = "") -> list[str]:
    """``count`` demo texts labelled ``label``, from one CSV when ``source`` is given."""
    allowed = None
    if source:
        with (demo_notes.DATA_DIR / source).open(encoding="utf-8", newline="") as f:
            allowed = {row["text"].strip() for row in csv.DictReader(f)}
    found = sorted(t for t, name in LABELS.items() if name == label and (allowed is None or t in allowed))
    assert len(found) >= count, label
    return found[:count]


@pytest.fixture
def accepted_theme(agent):
    """``accepted_theme(["text", …], key_terms=[…], language="en")``: an accepted, machine-named theme."""

    def make(note_texts: list[str], *, key_terms: list[str], language: str = "en") -> Theme:
        theme = ThemeFactory(name=" · ".join(key_terms), key_terms=key_terms)
        for text in note_texts:
            note, _ = voc_services.record_note(agent=agent, kind="need", text=text, channel="phone", language=language)
            Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.DISCOVERY)
        return theme

    return make


def renames(theme: Theme) -> list[ThemeChange]:
    return list(theme.history.filter(action=ThemeChange.Action.RENAMED))


def test_a_theme_is_named_after_the_label_most_of_its_notes_share_in_english_and_spanish(accepted_theme, lead):
    theme = accepted_theme(
        [*texts("Top-ups", 3), *texts("Transfers", 1), OUTSIDE_THE_CORPUS[0]], key_terms=["auto", "deny", "limit"]
    )
    assert demo.name_themes(by=lead) == 1
    theme.refresh_from_db()
    assert (theme.name, theme.name_es) == ("Top-ups", "Recargas")
    [change] = renames(theme)
    assert change.actor == lead
    assert change.after == {"name": "Top-ups", "name_es": "Recargas"}


def test_every_demo_label_has_a_spanish_name():
    assert set(LABELS.values()) <= set(demo.SPANISH_NAMES)


def test_a_theme_without_a_label_for_at_least_30_percent_of_its_notes_keeps_its_machine_name(accepted_theme, lead):
    mixed = [*texts("Top-ups", 1), *texts("Transfers", 1), *texts("Fees and charges", 1), *OUTSIDE_THE_CORPUS]
    mixed += ["Wants a paper statement", "Asked for a new chequebook", "Complained about hold music"]
    theme = accepted_theme(mixed, key_terms=["refund", "payment", "cash"])
    assert demo.name_themes(by=lead) == 0
    theme.refresh_from_db()
    assert theme.name == "refund · payment · cash" and renames(theme) == []


def test_when_themes_share_a_label_the_biggest_takes_it_and_the_others_are_merged_into_it(accepted_theme, lead):
    top_ups = texts("Top-ups", 10)
    small = accepted_theme(top_ups[:2], key_terms=["top", "card", "limit"])
    big = accepted_theme(top_ups[2:6], key_terms=["auto", "deny", "limit"])
    small.name = "My top-up was declined"  # as discovery names it: one of its notes
    small.save()
    assert demo.name_themes(by=lead) == 1
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.name == "Top-ups" and big.name_es == "Recargas"
    assert small.status == Theme.Status.MERGED and small.merged_into_id == big.pk
    assert Assignment.objects.filter(theme=big).count() == 6
    assert not Theme.objects.filter(name__contains="(").exists()
    assert demo.name_themes(by=lead) == 0  # nothing left to merge or rename


def test_naming_twice_renames_nothing_more_and_leaves_a_persons_name_alone(accepted_theme, lead):
    named = accepted_theme(texts("Transfers", 3), key_terms=["transfer", "long", "try"])
    chosen = accepted_theme(texts("Top-ups", 3), key_terms=["auto", "deny", "limit"])
    services.rename_theme(theme=chosen, name="Money in", by=lead)
    assert demo.name_themes(by=lead) == 1
    assert demo.name_themes(by=lead) == 0
    named.refresh_from_db()
    chosen.refresh_from_db()
    assert named.name == "Transfers" and len(renames(named)) == 1
    assert chosen.name == "Money in" and len(renames(chosen)) == 1


def test_seeding_demo_themes_twice_names_them_once(make_note, lead, monkeypatch):
    monkeypatch.setattr(demo, "ACCEPT_FROM", 10)
    for text in texts("Top-ups", 12):
        make_note(text, axis=0, lemmas="top up card limit")
    for text in texts("Identity checks", 6):
        make_note(text, axis=1, lemmas="verify identity")
    assert demo.seed_themes()["renamed"] == 1
    assert demo.seed_themes()["renamed"] == 0
    theme = Theme.objects.get(status=Theme.Status.ACCEPTED)
    assert theme.name == "Top-ups"
    assert [c.actor for c in renames(theme)] == [lead]


def test_every_spanish_name_translates_a_label_the_demo_notes_carry():
    assert set(demo.SPANISH_NAMES) <= set(LABELS.values())


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("card_arrival", "Card arrival"),
        ("Refund_not_showing_up", "Refund not showing up"),
        ("reverted_card_payment?", "Reverted card payment"),
        ("GetQuote", "Get quote"),
    ],
)
def test_dataset_labels_read_as_plain_words(label, name):
    assert demo_notes.humanise_label(label) == name


def test_every_demo_text_has_a_label_and_neighbouring_categories_share_one():
    labelled = set(LABELS)
    for source in ("banking77.csv", "insurance.csv", "spanish.csv", "galician.csv", "english_extra.csv"):
        with (demo_notes.DATA_DIR / source).open(encoding="utf-8", newline="") as f:
            assert {row["text"].strip() for row in csv.DictReader(f)} <= labelled, source
    with (demo_notes.DATA_DIR / "banking77.csv").open(encoding="utf-8", newline="") as f:
        by_category = {row["category"]: LABELS[row["text"].strip()] for row in csv.DictReader(f)}
    assert by_category["card_arrival"] == by_category["card_delivery_estimate"] == "Card not arrived"
    assert by_category["order_physical_card"] == by_category["getting_virtual_card"] == "New cards"
    assert by_category["apple_pay_or_google_pay"] == "Apple Pay or Google Pay"
    assert by_category["age_limit"] == "Age limit"
    grouped = [label for labels in demo_notes.LABEL_TOPICS.values() for label in labels]
    assert len(grouped) == len(set(grouped)), "a category belongs to one topic"
    assert set(grouped) <= set(demo_notes.BANKING77_MAP) | set(demo_notes.INSURANCE_MAP)
