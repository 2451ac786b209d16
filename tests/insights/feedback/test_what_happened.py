import pytest
from django.urls import reverse
from django.utils import timezone

from insights.models import Action, Assignment
from insights.questions import services as questions
from tests.factories import ThemeFactory
from tests.insights.questions.conftest import direction

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(make_question, note_at, colleague, other_site_agent, hq):
    """The agent's note joined a theme three colleagues also heard, counted toward a question,
    and head office did something about the theme."""
    theme = ThemeFactory(name="Banking app")
    mine = note_at("Wants an app with all her banks", direction(0))
    others = [note_at(f"Banking app too {i}", direction(0), agent=colleague) for i in range(3)]
    elsewhere = note_at("Banking app in Manchester", direction(0), agent=other_site_agent)
    for note in [mine, *others, elsewhere]:
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)
    question = make_question("Will you launch an app that integrates banking?", direction(0))
    questions.match_notes(note_ids=[mine.pk])
    action = Action.objects.create(
        title="Banking app announced for spring",
        department="Digital",
        status=Action.Status.DONE,
        done_on=timezone.localdate(),
        created_by=hq,
    )
    action.themes.add(theme)
    return {"mine": mine, "others": others, "elsewhere": elsewhere, "theme": theme, "question": question}


def test_an_agent_sees_the_theme_the_question_and_the_action_their_note_led_to(
    client_for, story, django_assert_max_num_queries
):
    client = client_for("agent")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("what_happened"))
    (outcome,) = response.context["outcomes"]
    assert outcome.note == story["mine"]
    assert outcome.theme == story["theme"]
    assert outcome.same_lately == 4  # three colleagues and Manchester
    assert outcome.questions == [story["question"]]
    assert [a.title for a in outcome.actions] == ["Banking app announced for spring"]
    page = response.content.decode()
    assert "Done: Banking app announced for spring" in page
    assert response.context["summary"].in_questions == 1


def test_a_lead_sees_their_sites_notes_and_never_another_sites(client_for, story):
    response = client_for("lead").get(reverse("what_happened"), {"scope": "sites"})
    shown = {o.note.pk for o in response.context["outcomes"]}
    assert shown == {story["mine"].pk, *(n.pk for n in story["others"])}


def test_an_agent_cannot_widen_the_scope_to_the_site(client_for, story):
    response = client_for("agent").get(reverse("what_happened"), {"scope": "sites"})
    assert {o.note.pk for o in response.context["outcomes"]} == {story["mine"].pk}


def test_head_office_has_no_such_page(client_for):
    assert client_for("hq").get(reverse("what_happened")).status_code == 403


def test_an_agent_hears_back_about_a_question_they_plus_oned(client_for, make_question, agent, hq):
    question = make_question("Do you open on Sundays?", direction(3))
    questions.hear_question(question=question, agent=agent, channel="phone")
    action = Action.objects.create(
        title="Madrid opens on Sundays from January", status=Action.Status.IN_PROGRESS, created_by=hq
    )
    action.questions.add(question)
    summary = client_for("agent").get(reverse("what_happened")).context["summary"]
    assert [a.title for a in summary.actions] == ["Madrid opens on Sundays from January"]
    assert client_for("lead").get(reverse("what_happened")).context["summary"].actions == []
