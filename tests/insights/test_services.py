"""Theme verbs: embedding wiring, assignment, discovery, curation with history and undo, spikes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from insights import figures, nlp, services, tasks
from insights.models import Alert, Assignment, NoteVector, Theme, ThemeChange
from tests.factories import ThemeFactory
from voc.errors import DomainError
from voc.models import AuditEntry
from voc.notes import services as voc_services

pytestmark = pytest.mark.django_db


def theme_with(make_note, name: str, axis: int, count: int = 4, status=Theme.Status.ACCEPTED) -> Theme:
    theme = ThemeFactory(name=name, status=status)
    for i in range(count):
        note = make_note(f"{name} {i}", axis=axis)
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.PERSON)
    return theme


def test_recording_a_note_queues_its_embedding_after_commit(agent, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks.embed_notes, "delay", lambda ids: queued.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        note, _ = voc_services.record_note(agent=agent, kind="need", text="Card not arrived", channel="phone")
        assert queued == []
    assert queued == [[note.pk]]


def test_embedding_stores_one_vector_per_note_and_never_recomputes(agent, monkeypatch):
    note, _ = voc_services.record_note(agent=agent, kind="need", text="My card has not arrived", channel="phone")
    assert services.embed_notes(note_ids=[note.pk]) == 1
    stored = NoteVector.objects.get(note=note)
    assert stored.array().shape == (384,) and stored.lemmas == "card arrive"
    monkeypatch.setattr(nlp, "analyse", lambda *a, **k: pytest.fail("re-embedded"))
    assert services.embed_notes(note_ids=[note.pk]) == 0


def test_after_a_change_of_encoder_old_vectors_are_set_aside_and_the_backfill_embeds_again(agent, settings):
    note, _ = voc_services.record_note(agent=agent, kind="need", text="My card has not arrived", channel="phone")
    services.embed_notes(note_ids=[note.pk])
    assert NoteVector.objects.usable().filter(note=note).exists() and services.notes_without_vectors() == []
    settings.VOC_ENCODER = "use-multilingual"
    assert not NoteVector.objects.usable().exists()  # 384 numbers from MiniLM are not a 512-d USE vector
    assert services.notes_without_vectors() == [[note.pk]]
    assert services.embed_notes(note_ids=[note.pk]) == 1
    stored = NoteVector.objects.get(note=note)
    assert stored.encoder == "use-multilingual" and stored.array().shape == (512,)
    assert NoteVector.objects.usable().filter(note=note).exists() and services.notes_without_vectors() == []


def test_moving_from_minilm_to_the_pair_keeps_english_vectors_and_embeds_the_others_again(agent, settings):
    settings.VOC_ENCODER = "minilm"
    english, _ = voc_services.record_note(agent=agent, kind="need", text="My card has not arrived", channel="phone")
    spanish, _ = voc_services.record_note(
        agent=agent, kind="need", text="La tarjeta no ha llegado todavía", channel="phone"
    )
    services.embed_notes(note_ids=[english.pk, spanish.pk])
    kept = bytes(NoteVector.objects.get(note=english).vector)
    settings.VOC_ENCODER = "pair"
    assert services.notes_without_vectors() == [[spanish.pk]]  # English taken over, not queued
    assert bytes(NoteVector.objects.get(note=english, encoder="pair").vector) == kept
    assert services.embed_notes(note_ids=[spanish.pk]) == 1
    assert NoteVector.objects.usable().count() == 2
    english_vector, spanish_vector = (NoteVector.objects.get(note=n).array() for n in (english, spanish))
    assert english_vector @ spanish_vector > 0.7  # one space: the two say the same thing


def test_the_encoders_settings_offers_are_the_ones_shipped(settings):
    assert tuple(settings.VOC_ENCODERS) == tuple(nlp.ENCODERS)


def test_a_note_that_cannot_be_embedded_is_retried_then_flagged(agent, monkeypatch):
    note, _ = voc_services.record_note(agent=agent, kind="need", text="Anything", channel="phone")

    def broken(*args, **kwargs):
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr(nlp, "analyse", broken)
    with pytest.raises(RuntimeError):
        services.embed_notes(note_ids=[note.pk], final_attempt=False)
    assert not NoteVector.objects.exists()
    assert services.embed_notes(note_ids=[note.pk], final_attempt=True) == 0
    flagged = NoteVector.objects.get(note=note)
    assert flagged.status == NoteVector.Status.FAILED and "exploded" in flagged.error


def test_a_new_note_joins_the_nearest_accepted_theme_when_close_enough(make_note, settings):
    settings.VOC_ASSIGN_THRESHOLD = 0.5
    cards = theme_with(make_note, "Cards", axis=0)
    theme_with(make_note, "App", axis=1)
    close = make_note("card again", axis=0)
    far = make_note("something else", axis=5)
    assert services.assign_notes(note_ids=[close.pk, far.pk]) == 1
    assigned = Assignment.objects.get(note=close)
    assert assigned.theme == cards and assigned.method == "auto" and assigned.confidence > 0.5
    assert not Assignment.objects.filter(note=far).exists()


def test_proposed_themes_do_not_attract_new_notes(make_note):
    theme_with(make_note, "Proposal", axis=0, status=Theme.Status.PROPOSED)
    note = make_note("card again", axis=0)
    assert services.assign_notes(note_ids=[note.pk]) == 0


def test_discovery_proposes_named_themes_once(make_note):
    for i in range(8):
        make_note(f"card arrive late {i}", axis=0, lemmas="card arrive late")
        make_note(f"app crash login {i}", axis=1, lemmas="app crash login")
    proposals = services.discover_themes(min_size=3)
    assert len(proposals) == 2
    assert {p.status for p in proposals} == {Theme.Status.PROPOSED}
    assert sorted(len(p.key_terms) > 0 and p.assignments.count() for p in proposals) == [8, 8]
    # named after one of their own notes, never a keyword triple
    assert sorted(p.name.split()[:2] for p in proposals) == [["App", "crash"], ["Card", "arrive"]]
    assert all("·" not in p.name and p.name_es for p in proposals)
    assert services.discover_themes(min_size=3) == []


def test_a_theme_is_never_named_after_a_vulnerable_customers_words(make_note):
    from django.db import transaction

    from voc.models import Insight

    class Undo(Exception):
        pass

    for i in range(8):
        make_note(f"card arrive late {i}", axis=0, lemmas="card arrive late")
    with pytest.raises(Undo), transaction.atomic():  # what discovery would name it, then undone
        (theme,) = services.discover_themes(min_size=3)
        named_after = theme.name
        raise Undo
    Insight.objects.filter(text__iexact=named_after).update(vulnerable=True)
    (again,) = services.discover_themes(min_size=3)
    assert again.name and again.name.casefold() != named_after.casefold()
    assert all(
        again.name.casefold() != t.casefold()
        for t in Insight.objects.filter(vulnerable=True).values_list("text", flat=True)
    )


def test_only_leads_curate(make_note, cast):
    theme = theme_with(make_note, "Cards", axis=0, status=Theme.Status.PROPOSED)
    for role in ["agent", "hq", "executive", "admin"]:
        with pytest.raises(DomainError, match="Only leads"):
            services.accept_theme(theme=theme, by=cast[role])


def test_accept_and_rename_are_recorded_with_before_and_after(make_note, lead):
    theme = theme_with(make_note, "card · arrive", axis=0, status=Theme.Status.PROPOSED)
    services.accept_theme(theme=theme, by=lead, name="Card not arrived")
    services.rename_theme(theme=theme, name="Card has not arrived", name_es=" La tarjeta  no llega ", by=lead)
    theme.refresh_from_db()
    assert theme.status == "accepted" and theme.name == "Card has not arrived"
    assert theme.name_es == "La tarjeta no llega"
    renamed = theme.history.get(action="renamed")
    assert renamed.before == {"name": "Card not arrived", "name_es": ""}
    assert renamed.after == {"name": "Card has not arrived", "name_es": "La tarjeta no llega"}
    services.rename_theme(theme=theme, name="Card has not arrived", by=lead)  # no name_es: kept
    theme.refresh_from_db()
    assert theme.name_es == "La tarjeta no llega"
    assert renamed.actor == lead
    assert AuditEntry.objects.filter(action="theme.renamed", actor=lead).exists()


def test_merging_keeps_both_ids_moves_the_notes_and_can_be_undone(make_note, lead):
    cards = theme_with(make_note, "Cards", axis=0)
    late = theme_with(make_note, "Late cards", axis=0, count=3)
    late_notes = set(late.assignments.values_list("note_id", flat=True))
    change = services.merge_themes(source=late, target=cards, by=lead)
    late.refresh_from_db()
    assert late.status == "merged" and late.merged_into == cards
    assert cards.assignments.count() == 7
    services.undo_change(change=change, by=lead)
    late.refresh_from_db()
    assert late.status == "accepted" and late.merged_into is None
    assert set(late.assignments.values_list("note_id", flat=True)) == late_notes
    assert cards.assignments.count() == 4
    with pytest.raises(DomainError, match="already been undone"):
        services.undo_change(change=ThemeChange.objects.get(pk=change.pk), by=lead)


def test_merging_a_theme_into_itself_is_refused(make_note, lead):
    cards = theme_with(make_note, "Cards", axis=0)
    with pytest.raises(DomainError, match="into itself"):
        services.merge_themes(source=cards, target=cards, by=lead)


def test_splitting_moves_chosen_notes_to_a_new_theme_and_can_be_undone(make_note, lead):
    cards = theme_with(make_note, "Cards", axis=0)
    chosen = list(cards.assignments.values_list("note_id", flat=True))[:2]
    new = services.split_theme(theme=cards, note_ids=chosen, name="Virtual cards", by=lead)
    assert new.status == "accepted" and set(new.assignments.values_list("note_id", flat=True)) == set(chosen)
    assert cards.assignments.count() == 2
    services.undo_change(change=cards.history.get(action="split"), by=lead)
    assert cards.assignments.count() == 4
    new.refresh_from_db()
    assert new.status == "merged"


@pytest.mark.parametrize("take", ["none", "all", "foreign"])
def test_splitting_into_nothing_or_everything_is_refused(make_note, lead, take):
    cards = theme_with(make_note, "Cards", axis=0)
    other = theme_with(make_note, "App", axis=1)
    ids = {
        "none": [],
        "all": list(cards.assignments.values_list("note_id", flat=True)),
        "foreign": list(other.assignments.values_list("note_id", flat=True)),
    }[take]
    with pytest.raises(DomainError):
        services.split_theme(theme=cards, note_ids=ids, name="New", by=lead)
    assert Theme.objects.count() == 2


def test_moving_notes_teaches_assignment(make_note, lead, settings):
    settings.VOC_ASSIGN_THRESHOLD = 0.3
    cards = theme_with(make_note, "Cards", axis=0)
    app = theme_with(make_note, "App", axis=1)
    taught = [make_note(f"odd {i}", axis=7).pk for i in range(3)]
    services.move_notes(note_ids=taught, target=app, by=lead)
    newcomer = make_note("odd again", axis=7)
    services.assign_notes(note_ids=[newcomer.pk])
    assert Assignment.objects.get(note=newcomer).theme == app
    assert cards.assignments.count() == 4
    assert app.history.filter(action="moved").count() == 1


def test_themes_go_two_levels_deep(make_note, lead):
    money = theme_with(make_note, "Money", axis=0)
    cards = theme_with(make_note, "Cards", axis=1)
    late = theme_with(make_note, "Late cards", axis=2)
    services.set_parent(theme=cards, parent=money, by=lead)
    with pytest.raises(DomainError, match="two levels"):
        services.set_parent(theme=late, parent=cards, by=lead)
    with pytest.raises(DomainError, match="has sub-themes"):
        services.set_parent(theme=money, parent=late, by=lead)
    with pytest.raises(DomainError, match="own parent"):
        services.set_parent(theme=late, parent=late, by=lead)


def test_archiving_sends_the_notes_back_to_discovery(make_note, lead):
    proposal = theme_with(make_note, "noise", axis=3, status=Theme.Status.PROPOSED)
    services.archive_theme(theme=proposal, by=lead)
    proposal.refresh_from_db()
    assert proposal.status == "archived" and proposal.assignments.count() == 0
    assert len(proposal.history.get(action="archived").before["note_ids"]) == 4


def _notes_in_week(make_note, theme, monday: date, count: int, axis: int):
    for i in range(count):
        when = datetime(monday.year, monday.month, monday.day, 10, tzinfo=UTC) + timedelta(hours=i)
        note = make_note(f"{theme.name} {monday} {i}", axis=axis, occurred_at=when)
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)


def test_weekly_counts_come_per_theme_and_week(make_note, time_machine):
    time_machine.move_to("2026-11-26 12:00:00+00:00", tick=False)
    cards = ThemeFactory(name="Cards")
    _notes_in_week(make_note, cards, date(2026, 11, 16), 2, 0)
    _notes_in_week(make_note, cards, date(2026, 11, 23), 3, 0)
    weeks = [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert figures.weekly_counts(weeks=weeks) == {cards.pk: [0, 2, 3]}


def test_a_spike_opens_one_alert_that_a_continuing_spike_updates_and_a_calm_week_closes(make_note, time_machine):
    time_machine.move_to("2026-11-01 12:00:00+00:00", tick=False)
    cards = ThemeFactory(name="Cards")
    for monday in [date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)]:
        _notes_in_week(make_note, cards, monday, 2, 0)
    time_machine.move_to("2026-11-06 12:00:00+00:00", tick=False)
    _notes_in_week(make_note, cards, date(2026, 11, 2), 9, 0)
    (alert,) = services.detect_spikes(week=date(2026, 11, 2))
    assert (alert.count, alert.baseline, alert.status) == (9, 2.0, "open")
    services.detect_spikes(week=date(2026, 11, 2))  # twice is harmless
    assert Alert.objects.count() == 1
    time_machine.move_to("2026-11-13 12:00:00+00:00", tick=False)
    _notes_in_week(make_note, cards, date(2026, 11, 9), 14, 0)
    (again,) = services.detect_spikes(week=date(2026, 11, 9))
    assert again.pk == alert.pk and again.count == 14 and again.last_week == date(2026, 11, 9)
    time_machine.move_to("2026-11-20 12:00:00+00:00", tick=False)
    _notes_in_week(make_note, cards, date(2026, 11, 16), 3, 0)
    assert services.detect_spikes(week=date(2026, 11, 16)) == []
    alert.refresh_from_db()
    assert alert.status == "closed"


def test_withdrawn_notes_do_not_count(make_note, agent, time_machine):
    time_machine.move_to("2026-11-26 12:00:00+00:00", tick=False)
    cards = ThemeFactory(name="Cards")
    _notes_in_week(make_note, cards, date(2026, 11, 23), 3, 0)
    voc_services.withdraw_notes(notes=[cards.assignments.first().note], by=agent)
    assert figures.weekly_counts(weeks=[date(2026, 11, 23)]) == {cards.pk: [2]}


def test_demo_themes_are_discovered_and_the_big_ones_accepted(make_note, lead, monkeypatch):
    from insights import demo

    monkeypatch.setattr(demo, "ACCEPT_FROM", 10)
    for i in range(12):
        make_note(f"card arrive late {i}", axis=0, lemmas="card arrive late")
    for i in range(6):
        make_note(f"app crash login {i}", axis=1, lemmas="app crash login")
    result = demo.seed_themes()
    assert result["proposed"] == 2 and result["accepted"] == 1
    accepted = Theme.objects.get(status="accepted")
    assert accepted.name.startswith("Card arrive late") and accepted.history.get(action="accepted").actor == lead
    assert demo.seed_themes()["proposed"] == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_embeds_a_note(agent):
    from tests.celery_worker import running_worker, wait_for

    note, _ = voc_services.record_note(agent=agent, kind="need", text="My card has not arrived", channel="phone")
    with running_worker() as queue:
        tasks.embed_notes.apply_async(args=[[note.pk]], queue=queue)
        assert wait_for(lambda: NoteVector.objects.filter(note=note).exists(), seconds=120)
    assert NoteVector.objects.get(note=note).lemmas == "card arrive"


def test_a_continuing_spike_is_judged_against_the_weeks_before_it_began(make_note, time_machine):
    time_machine.move_to("2026-11-20 12:00:00+00:00", tick=False)
    cards = ThemeFactory(name="Cards")
    for monday, count in [
        (date(2026, 10, 5), 3),
        (date(2026, 10, 12), 3),
        (date(2026, 10, 19), 3),
        (date(2026, 10, 26), 3),
        (date(2026, 11, 2), 9),
        (date(2026, 11, 9), 8),
    ]:
        _notes_in_week(make_note, cards, monday, count, 0)
    (first,) = services.detect_spikes(week=date(2026, 11, 2))
    # Against the four weeks before it (3, 3, 3, 9) week two would be no spike; against the
    # weeks before the spike began it still is, and the same alert carries on.
    (second,) = services.detect_spikes(week=date(2026, 11, 9))
    assert second.pk == first.pk and second.count == 8 and second.first_week == date(2026, 11, 2)


def test_a_plus_one_on_a_theme_counts_on_its_latest_note_at_the_agents_site(make_note, agent, other_site_agent):
    theme = theme_with(make_note, "Cards", axis=0)
    mine = make_note("card late again", axis=0)
    Assignment.objects.create(note=mine, theme=theme, method=Assignment.Method.AUTO)
    theirs = make_note("card late there", axis=0, agent=other_site_agent)
    Assignment.objects.create(note=theirs, theme=theme, method=Assignment.Method.AUTO)
    tally = services.hear_theme(theme=theme, agent=agent, channel="phone")
    assert tally.note == mine
    theme.status = Theme.Status.PROPOSED
    with pytest.raises(DomainError, match="not in use"):
        services.hear_theme(theme=theme, agent=agent, channel="chat")
