import pytest

from insights.models import Assignment
from insights.questions import services
from insights.services import accept_theme
from tests.factories import ThemeFactory
from tests.insights.questions.conftest import direction
from voc.notes.similarity import terms

pytestmark = pytest.mark.django_db

APP = "Will you launch an app that integrates banking?"


def test_typing_offers_an_open_question_with_its_count_and_a_plus_one(client_for, make_question):
    question = make_question(APP, direction(0))
    make_question("Do you open branches on Saturdays?", direction(1))
    body = client_for("agent").post("/notes/assist/", {"text": "The customer wants an app for banking"}).json()
    offered = [s for s in body["suggestions"] if s["kind"] == "question"]
    assert [s["id"] for s in offered] == [question.pk]
    assert offered[0]["plus_one_url"] == f"/questions/{question.pk}/heard/"


def test_closed_questions_are_not_offered(client_for, make_question, hq):
    question = make_question(APP, direction(0))
    services.close_question(question=question, by=hq)
    body = client_for("agent").post("/notes/assist/", {"text": "wants an app for banking"}).json()
    assert body["suggestions"] == []


def test_a_theme_is_offered_with_a_plus_one_on_its_latest_note_at_the_agents_site(
    client_for, note_at, lead, other_site_agent
):
    theme = ThemeFactory(name="Card not arrived", key_terms=["card", "arrive"])
    accept_theme(theme=theme, by=lead)
    here = note_at("My card has not arrived", direction(2))
    there = note_at("Card never arrived", direction(2), agent=other_site_agent)
    for note in (here, there):
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)
    agent_view = client_for("agent").post("/notes/assist/", {"text": "new card has not arrived"}).json()
    themes = [s for s in agent_view["suggestions"] if s["kind"] == "theme"]
    assert [(s["id"], s["plus_one_url"]) for s in themes] == [(theme.pk, f"/themes/{theme.pk}/heard/")]
    assert themes[0]["meta"] == "Theme · 2 customers in 30 days"
    counted = client_for("agent").post(themes[0]["plus_one_url"], {"channel": "chat"}, HTTP_ACCEPT="application/json")
    assert counted.json() == {"detail": "Counted: +1.", "meta": "Theme · 3 customers in 30 days"}
    assert (here.tallies.count(), there.tallies.count()) == (1, 0)  # on the note at the agent's own site


def test_a_paraphrase_with_other_inflections_is_offered_the_theme(client_for, note_at, lead):
    theme = ThemeFactory(name="App crashes at login", name_es="La app se cierra al entrar", key_terms=["app", "crash"])
    accept_theme(theme=theme, by=lead)
    Assignment.objects.create(note=note_at("App crashed at login", direction(2)), theme=theme, method="auto")
    body = client_for("agent").post("/notes/assist/", {"text": "the app keeps crashing when I log in"}).json()
    assert [s["id"] for s in body["suggestions"] if s["kind"] == "theme"] == [theme.pk]


def test_people_who_do_not_log_notes_get_no_suggestions(cast, make_question):
    from insights.questions.suggest import suggest

    make_question(APP, direction(0))
    assert suggest("wants an app for banking", cast["hq"]) == []
    assert len(suggest("wants an app for banking", cast["lead"])) == 1


def test_a_question_learns_the_words_its_notes_use_and_is_offered_for_them(client_for, make_question, note_at):
    question = make_question("Will you launch an app that integrates banking?", direction(0))
    made = [note_at(f"Wants one place to see every bank account {i}", direction(0)) for i in range(3)]
    services.match_notes(note_ids=[n.pk for n in made])
    services.refit(question=question)
    question.refresh_from_db()
    assert terms("place bank every") <= set(question.key_terms)  # stemmed, as typed text is
    body = client_for("agent").post("/notes/assist/", {"text": "He asked to see every bank in one place"}).json()
    assert [s["id"] for s in body["suggestions"] if s["kind"] == "question"] == [question.pk]
