import pytest
from django.urls import reverse

from insights.questions import services
from insights.questions.models import Question, QuestionMatch
from tests.insights.questions.conftest import direction

pytestmark = pytest.mark.django_db

APP = "Will you launch an app that integrates banking?"


def test_head_office_asks_a_question_and_lands_on_its_page(client_for, monkeypatch):
    from insights import tasks

    monkeypatch.setattr(tasks.prepare_question, "delay", lambda *a: None)
    response = client_for("hq").post(reverse("question_ask"), {"text": APP, "department": "Digital"})
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("question_detail", args=[question.pk])
    assert (question.text, question.department) == (APP, "Digital")


def test_a_bad_question_comes_back_with_what_was_typed_and_every_error(client_for):
    response = client_for("hq").post(reverse("question_ask"), {"text": "", "text_es": "", "department": "x" * 150})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"text", "department"}
    assert "x" * 150 in response.content.decode()
    assert not Question.objects.exists()


def test_a_long_question_is_told_it_is_long_not_that_it_is_missing(client_for):
    response = client_for("hq").post(reverse("question_ask"), {"text": "a" * 5000, "text_es": "b" * 5000})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"text", "text_es"}
    page = response.content.decode()
    assert "Write the question" not in page and "(it has 5000)" in page
    assert (
        "a" * 5000 in page
        and "maxlength" not in page[page.index('name="text"') - 200 : page.index('name="text"') + 200]
    )


def test_the_service_names_every_problem_of_a_question_at_once(hq):
    from voc.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.ask_question(by=hq, text="a" * 400, text_es="b" * 400, department="d" * 150)
    assert set(refused.value.problems()) == {"text", "text_es", "department"}
    with pytest.raises(DomainError) as empty:
        services.ask_question(by=hq, text=" ", text_es="")
    assert empty.value.problems() == {"text": "Write the question, in English or in Spanish."}


def test_the_list_shows_each_questions_live_counts_in_few_queries(
    client_for, make_question, note_at, django_assert_max_num_queries
):
    for i in range(5):
        make_question(f"Question {i}?", direction(i))
    question = Question.objects.get(text="Question 0?")
    services.match_notes(note_ids=[note_at("Banking app", direction(0)).pk])
    client = client_for("hq")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("question_list"))
    rows = {row["question"].pk: row["counts"] for row in response.context["rows"]}
    assert rows[question.pk].month == 1
    assert len(rows) == 5


def test_small_breakdown_cells_show_as_fewer_than_the_threshold_except_a_leads_own_site(
    client_for, make_question, note_at, other_site_agent
):
    question = make_question(APP, direction(0))
    mine, theirs = note_at("Banking app", direction(0)), note_at("Banking app", direction(0), agent=other_site_agent)
    services.match_notes(note_ids=[mine.pk, theirs.pk])
    hq_page = client_for("hq").get(reverse("question_detail", args=[question.pk])).content.decode()
    lead_page = client_for("lead").get(reverse("question_detail", args=[question.pk])).content.decode()
    assert 'Madrid <span class="help">fewer than 3</span>' in hq_page
    assert 'Manchester <span class="help">fewer than 3</span>' in hq_page
    assert "Madrid 1" in lead_page  # the lead's own site: they read its notes anyway
    assert 'Manchester <span class="help">fewer than 3</span>' in lead_page
    assert "English 2" not in lead_page and "fewer than 3" in lead_page.split("Languages")[1]


def test_a_lead_confirms_a_match_from_the_question_page(client_for, make_question, note_at, monkeypatch):
    from insights import tasks

    monkeypatch.setattr(tasks.refit_question, "delay", lambda *a: None)
    question = make_question(APP, direction(0))
    services.match_notes(note_ids=[note_at("Banking app", direction(0)).pk])
    match = question.matches.get()
    copies = [note_at("Banking app", direction(0)) for _ in range(2)]  # said word for word again
    services.match_notes(note_ids=[n.pk for n in copies])
    client = client_for("lead")
    page = client.get(reverse("question_detail", args=[question.pk]))
    assert [(m.pk, n) for m, n in page.context["decide_items"]] == [(match.pk, 3)]
    assert "and 2 more notes saying exactly the same" in page.content.decode()
    response = client.post(reverse("question_decide", args=[match.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    assert set(question.matches.values_list("state", flat=True)) == {QuestionMatch.State.CONFIRMED}


@pytest.mark.parametrize("posted", [{}, {"decision": "maybe"}])
def test_a_decision_that_is_neither_confirm_nor_reject_changes_nothing(client_for, make_question, note_at, posted):
    question = make_question(APP, direction(0))
    services.match_notes(note_ids=[note_at("Banking app", direction(0)).pk])
    match = question.matches.get()
    response = client_for("lead").post(reverse("question_decide", args=[match.pk]), posted, follow=True)
    assert "Choose whether to confirm or reject the match." in response.content.decode()
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (QuestionMatch.State.MATCHED, None)


def test_an_agent_plus_ones_a_question_from_the_quick_form_by_keyboard_or_script(client_for, make_question):
    question = make_question(APP, direction(0))
    client = client_for("agent")
    response = client.post(
        reverse("question_heard", args=[question.pk]), {"channel": "chat"}, HTTP_ACCEPT="application/json"
    )
    assert response.json()["count_week"] == 1
    again = client.post(
        reverse("question_heard", args=[question.pk]), {"channel": "chat"}, HTTP_ACCEPT="application/json"
    )
    assert again.status_code == 400
    assert question.matches.get().channel == "chat"


def test_the_edit_page_is_refused_politely_to_another_department(client_for, make_question):
    question = make_question(APP, direction(0))
    response = client_for("executive").get(reverse("question_edit", args=[question.pk]))
    assert response.status_code == 302
    assert client_for("hq").get(reverse("question_edit", args=[question.pk])).status_code == 200


def test_a_question_blank_to_the_eye_is_refused_with_the_other_errors(client_for):
    response = client_for("hq").post(reverse("question_ask"), {"text": "\u200b", "department": "x" * 150})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"text", "department"}
    assert not Question.objects.exists()
