from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from insights.models import Theme
from insights.questions import counts, matcher, services
from insights.questions.models import Question, QuestionMatch
from insights.services import merge_themes
from tests.factories import ThemeFactory
from tests.insights.questions.conftest import DIMS, direction, toward
from voc.errors import DomainError
from voc.models import Tally
from voc.notes import services as notes

pytestmark = pytest.mark.django_db

APP = "Will you launch an app that integrates banking?"


def states(question):
    return dict(question.matches.values_list("note_id", "state"))


# --- asking ---------------------------------------------------------------------------------------


def test_a_question_needs_words_in_one_language_or_the_other(hq):
    with pytest.raises(DomainError) as error:
        services.ask_question(by=hq, text="   ", text_es="")
    assert error.value.field == "text"
    assert services.ask_question(by=hq, text_es="¿Tendréis una app con la banca?").label


def test_a_five_thousand_character_question_is_refused_by_its_field(hq):
    with pytest.raises(DomainError) as error:
        services.ask_question(by=hq, text="why " * 1250)
    assert error.value.field == "text"
    assert not Question.objects.exists()


def test_agents_cannot_ask_questions(agent):
    with pytest.raises(DomainError):
        services.ask_question(by=agent, text=APP)


def test_a_question_belongs_to_the_askers_department_unless_told_otherwise(hq):
    assert services.ask_question(by=hq, text=APP).department == "Marketing"
    assert services.ask_question(by=hq, text=APP, department="Digital").department == "Digital"


def test_a_question_linked_to_a_merged_theme_follows_it_to_the_theme_that_holds_its_notes(hq, lead):
    old, new = ThemeFactory(name="Banking app"), ThemeFactory(name="Apps")
    merge_themes(source=old, target=new, by=lead)
    question = services.ask_question(by=hq, text=APP, themes=[Theme.objects.get(pk=old.pk)])
    assert list(question.themes.all()) == [new]


def test_asking_queues_the_matching_after_commit(hq, monkeypatch, django_capture_on_commit_callbacks):
    from insights import tasks

    queued = []
    monkeypatch.setattr(tasks.prepare_question, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        question = services.ask_question(by=hq, text=APP)
    assert queued == [question.pk]


def test_only_the_asker_their_department_or_an_admin_may_reword_or_close(hq, executive, admin_user, lead):
    question = services.ask_question(by=hq, text=APP)
    for outsider in (executive, lead):
        with pytest.raises(DomainError):
            services.edit_question(question=question, by=outsider, text="Something else?")
        with pytest.raises(DomainError):
            services.close_question(question=question, by=outsider)
    services.edit_question(question=question, by=admin_user, text="Will you launch a banking app?")
    question.refresh_from_db()
    assert question.text == "Will you launch a banking app?"
    assert question.version == 2  # rewording means matching again


# --- matching -------------------------------------------------------------------------------------


def test_a_new_note_that_asks_an_open_question_is_counted_when_it_is_embedded(make_question, note_at):
    question = make_question(APP, direction(0))
    asks, other = note_at("Wants an app with banking in it", toward(0, 1, 0.2)), note_at("Card lost", direction(5))
    assert services.match_notes(note_ids=[asks.pk, other.pk]) == 1
    assert states(question) == {asks.pk: QuestionMatch.State.MATCHED}
    assert counts.counts(question_ids=[question.pk])[question.pk] == counts.Counts(week=1, month=1)


def test_a_note_counts_only_for_its_best_question(make_question, note_at):
    app = make_question(APP, direction(0))
    loans = make_question("Do you offer personal loans?", toward(0, 1, 0.5))
    note = note_at("Asked about an app for banking", direction(0))
    services.match_notes(note_ids=[note.pk])
    assert states(app) == {note.pk: QuestionMatch.State.MATCHED}
    assert states(loans) == {}


def test_a_note_just_under_the_bar_is_suggested_to_leads_but_not_counted(make_question, note_at):
    question = make_question(APP, direction(0))
    close = note_at("Something about apps maybe", toward(0, 1, 0.93))  # cos 0.73
    services.match_notes(note_ids=[close.pk])
    assert states(question) == {close.pk: QuestionMatch.State.SUGGESTED}
    assert counts.counts(question_ids=[question.pk])[question.pk].month == 0


def test_a_new_question_counts_the_notes_already_logged_and_a_second_scan_does_nothing(make_question, note_at):
    notes_before = [note_at(f"Wants a banking app {i}", toward(0, 2, 0.1 * i)) for i in range(4)]
    question = make_question(APP, direction(0))
    assert services.rescan() == 4
    assert set(states(question)) == {n.pk for n in notes_before}
    assert services.rescan() == 0


def test_closed_questions_keep_their_counts_and_match_nothing_new(make_question, note_at, hq):
    question = make_question(APP, direction(0))
    first = note_at("Banking app please", direction(0))
    services.match_notes(note_ids=[first.pk])
    services.close_question(question=question, by=hq)
    later = note_at("Banking app again", direction(0))
    services.match_notes(note_ids=[later.pk])
    assert set(states(question)) == {first.pk}
    assert counts.counts(question_ids=[question.pk])[question.pk].month == 1


def test_withdrawn_notes_and_rejected_matches_do_not_count(make_question, note_at, agent, lead):
    question = make_question(APP, direction(0))
    kept, withdrawn, rejected = (note_at(f"Banking app {i}", direction(0)) for i in range(3))
    services.match_notes(note_ids=[kept.pk, withdrawn.pk, rejected.pk])
    notes.withdraw_notes(notes=[withdrawn], by=agent)
    services.decide_match(match=question.matches.get(note=rejected), by=lead, confirm=False)
    assert counts.counts(question_ids=[question.pk])[question.pk].month == 1
    # a later scan leaves the lead's decision alone
    Question.objects.filter(pk=question.pk).update(version=question.version + 1)
    services.rescan()
    assert question.matches.get(note=rejected).state == QuestionMatch.State.REJECTED


def test_plus_ones_on_matched_notes_count_toward_the_question(make_question, note_at, colleague):
    question = make_question(APP, direction(0))
    note = note_at("Banking app", direction(0))
    services.match_notes(note_ids=[note.pk])
    notes.add_tally(note=note, agent=colleague, channel="chat")
    assert counts.counts(question_ids=[question.pk])[question.pk] == counts.Counts(week=2, month=2)
    assert Tally.objects.count() == 1


def test_counts_split_the_last_seven_days_from_the_last_thirty(make_question, note_at):
    question = make_question(APP, direction(0))
    now = timezone.now()
    ages = [1, 3, 10, 20, 45]
    made = [note_at(f"Banking app {d}", direction(0), occurred_at=now - timedelta(days=d)) for d in ages]
    services.match_notes(note_ids=[n.pk for n in made])
    assert counts.counts(question_ids=[question.pk], now=now)[question.pk] == counts.Counts(week=2, month=4)


# --- leads teach the matcher -----------------------------------------------------------------------


def test_a_lead_confirms_a_suggestion_and_it_counts(make_question, note_at, lead):
    question = make_question(APP, direction(0))
    close = note_at("Something about apps maybe", toward(0, 1, 0.93))
    services.match_notes(note_ids=[close.pk])
    services.decide_match(match=question.matches.get(), by=lead, confirm=True)
    assert states(question) == {close.pk: QuestionMatch.State.CONFIRMED}
    assert counts.counts(question_ids=[question.pk])[question.pk].month == 1


@pytest.fixture
def other_notes(note_at):
    """What else agents logged: enough notes about other things for the probe to contrast with."""
    rng = np.random.default_rng(0)
    for i in range(matcher.BACKGROUND_MIN + 20):
        vector = rng.normal(size=DIMS)
        vector[:3] = 0  # nothing about the questions' axes
        note_at(f"Something else {i}", vector)


def _teach(question, notes, lead):
    services.match_notes(note_ids=[n.pk for n in notes])
    for match in question.matches.filter(note__in=notes):
        services.decide_match(match=match, by=lead, confirm=True)
    services.refit_and_rescan(question_id=question.pk)
    question.refresh_from_db()


def leaning(i):
    """What leads confirm: notes a little off the question's own wording (cos about 0.71), each
    with something of its own."""
    return direction(0) + 0.93 * direction(1) + 0.3 * direction(2 + i)


def test_confirmations_put_the_question_in_the_probe_without_embedding_any_note(
    make_question, note_at, lead, monkeypatch, other_notes
):
    monkeypatch.setattr(services, "_encode", lambda *a, **k: pytest.fail("nothing is embedded again"))
    question = make_question(APP, direction(0))
    examples = [note_at(f"Banking in the app {i}", leaning(i)) for i in range(4)]
    services.match_notes(note_ids=[n.pk for n in examples])
    assert {m.state for m in question.matches.all()} == {QuestionMatch.State.SUGGESTED}
    _teach(question, examples, lead)
    assert question.confirmed == 4
    assert question.bias is not None and question.threshold == matcher.PROBE_THRESHOLD
    # the matcher now leans toward what leads confirmed: a new note like them counts, where
    # before it would only have been suggested; a note about something else still does not
    like_them, unrelated = note_at("Banking inside the app", toward(0, 1, 0.93)), note_at("Card lost", direction(9))
    services.match_notes(note_ids=[like_them.pk, unrelated.pk])
    assert question.matches.get(note=like_them).state == QuestionMatch.State.MATCHED
    assert not question.matches.filter(note=unrelated).exists()


def test_with_too_few_notes_to_contrast_with_a_taught_question_stays_matched_by_its_wording(
    make_question, note_at, lead
):
    question = make_question(APP, direction(0))
    _teach(question, [note_at(f"Banking in the app {i}", leaning(i)) for i in range(4)], lead)
    assert question.confirmed == 4
    assert question.bias is None and question.threshold == matcher.ZERO_SHOT_THRESHOLD


def test_closing_a_taught_question_refits_the_others_without_it(
    make_question, note_at, lead, hq, other_notes, django_capture_on_commit_callbacks, monkeypatch
):
    from insights import tasks

    app = make_question(APP, direction(0))
    loans = make_question("Do you offer personal loans?", direction(2))
    _teach(app, [note_at(f"Banking in the app {i}", leaning(i)) for i in range(3)], lead)
    loan_notes = [note_at(f"Loan please {i}", direction(2) + 0.5 * direction(3 + i)) for i in range(3)]
    _teach(loans, loan_notes, lead)
    app.refresh_from_db()
    before = bytes(loans.weights)
    assert app.bias is not None and loans.bias is not None
    queued = []
    monkeypatch.setattr(tasks.refit_question, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_question(question=app, by=hq)
    assert queued == [app.pk]
    services.refit_and_rescan(question_id=app.pk)  # what the worker does
    loans.refresh_from_db()
    assert loans.bias is not None and bytes(loans.weights) != before  # fitted again, alone


def test_a_scan_fits_taught_questions_left_out_of_the_probe(make_question, note_at, lead, other_notes):
    question = make_question(APP, direction(0))
    _teach(question, [note_at(f"Banking in the app {i}", leaning(i)) for i in range(3)], lead)
    Question.objects.filter(pk=question.pk).update(bias=None, weights=question.vector)  # as before the probe
    services.rescan()
    question.refresh_from_db()
    assert question.bias is not None


def test_a_lead_decides_only_matches_of_their_sites(make_question, note_at, lead, other_site_agent):
    question = make_question(APP, direction(0))
    theirs = note_at("Banking app", direction(0), agent=other_site_agent)
    services.match_notes(note_ids=[theirs.pk])
    with pytest.raises(DomainError):
        services.decide_match(match=question.matches.get(), by=lead, confirm=True)


def test_confirming_a_withdrawn_note_is_refused_and_changes_nothing(make_question, note_at, lead, agent):
    question = make_question(APP, direction(0))
    note = note_at("Banking app", direction(0))
    services.match_notes(note_ids=[note.pk])
    notes.withdraw_notes(notes=[note], by=agent)
    with pytest.raises(DomainError, match="withdrawn"):
        services.decide_match(match=question.matches.get(), by=lead, confirm=True)
    assert question.matches.get().state == QuestionMatch.State.MATCHED


def test_hq_cannot_confirm_matches(make_question, note_at, hq):
    question = make_question(APP, direction(0))
    services.match_notes(note_ids=[note_at("Banking app", direction(0)).pk])
    with pytest.raises(DomainError):
        services.decide_match(match=question.matches.get(), by=hq, confirm=True)


# --- agents' +1 ------------------------------------------------------------------------------------


def test_an_agent_plus_ones_an_open_question_once_a_moment(make_question, agent, hq):
    question = make_question(APP, direction(0))
    services.hear_question(question=question, agent=agent, channel="phone")
    with pytest.raises(DomainError):
        services.hear_question(question=question, agent=agent, channel="phone")
    assert counts.counts(question_ids=[question.pk])[question.pk].week == 1
    with pytest.raises(DomainError):
        services.hear_question(question=question, agent=hq, channel="phone")
    services.close_question(question=question, by=hq)
    with pytest.raises(DomainError, match="closed"):
        services.hear_question(question=question, agent=agent, channel="chat")


def test_breakdowns_count_by_site_language_and_channel(make_question, note_at, other_site_agent, agent):
    question = make_question(APP, direction(0))
    made = [note_at("Banking app", direction(0)), note_at("App banca", direction(0), language="es")]
    made.append(note_at("Banking app", direction(0), agent=other_site_agent))
    services.match_notes(note_ids=[n.pk for n in made])
    services.hear_question(question=question, agent=agent, channel="chat")
    result = counts.breakdown(question=question, since=timezone.now() - timedelta(days=30))
    assert dict(result.by_site) == {"Madrid": 3, "Manchester": 1}
    assert dict(result.by_channel) == {"Phone": 3, "Chat": 1}
    assert result.total == 4


def test_examples_show_only_notes_the_reader_may_see_and_never_a_vulnerable_customers(
    make_question, note_at, agent, other_site_agent, lead, hq
):
    question = make_question(APP, direction(0))
    mine = note_at("Banking app", direction(0))
    fragile = note_at("Banking app, struggling", direction(0), vulnerable=True)
    elsewhere = note_at("Banking app too", direction(0), agent=other_site_agent)
    services.match_notes(note_ids=[mine.pk, fragile.pk, elsewhere.pk])
    assert {n.pk for n in counts.examples(question=question, viewer=hq)} == {mine.pk, elsewhere.pk}
    assert {n.pk for n in counts.examples(question=question, viewer=lead)} == {mine.pk}
    assert {n.pk for n in counts.examples(question=question, viewer=other_site_agent)} == {elsewhere.pk}


def test_the_list_overview_agrees_with_the_counts_and_the_weekly_series(make_question, note_at, colleague):
    from voc import periods

    question = make_question(APP, direction(0))
    now = timezone.now()
    made = [note_at(f"Banking app {d}", direction(0), occurred_at=now - timedelta(days=d)) for d in (0, 2, 9, 25, 40)]
    services.match_notes(note_ids=[n.pk for n in made])
    notes.add_tally(note=made[0], agent=colleague, channel="chat")
    services.hear_question(question=question, agent=colleague, channel="phone")
    weeks = periods.weeks_back(timezone.localdate(), 8)
    live, series = counts.overview(question_ids=[question.pk], weeks=weeks, now=now)
    assert live[question.pk] == counts.counts(question_ids=[question.pk], now=now)[question.pk]
    assert live[question.pk] == counts.Counts(week=4, month=6)  # 2 + 2 notes, a +1 on a note, a +1 on it
    assert series == counts.weekly(question_ids=[question.pk], weeks=weeks)
    assert sum(series[question.pk]) == 7  # the 40-day-old note too
