"""The editor's desk: actions at the top, facts moved with buttons, both languages side by side
with the Spanish flagged when only the English was edited, and a test e-mail to oneself."""

import pytest
from django.core import mail
from django.urls import reverse

from newsletter import services, tasks
from newsletter.models import Issue
from tests.newsletter.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(add_notes):
    add_notes(20)
    add_notes(6, caused_by_us=True, text="You sent me the wrong PIN letter twice this month")
    return services.prepare_weekly_issue(week_start=WEEK, today=TODAY)[0]


def _post(issue, **overrides):
    facts = list(issue.facts.all())
    data = {
        "editor_note": "",
        "facts-TOTAL_FORMS": str(len(facts)),
        "facts-INITIAL_FORMS": str(len(facts)),
        "facts-MIN_NUM_FORMS": "0",
        "facts-MAX_NUM_FORMS": "1000",
    }
    for i, fact in enumerate(facts):
        data |= {
            f"facts-{i}-id": str(fact.pk),
            f"facts-{i}-position": str(fact.position),
            f"facts-{i}-included": "on",
            f"facts-{i}-sentence_en": fact.sentence_en,
            f"facts-{i}-sentence_es": fact.sentence_es,
            f"facts-{i}-sentence_gl": fact.sentence_gl,
        }
    return data | overrides


def _errors_of(page: str, field: str) -> str:
    """The HTML from the field's label to the next field's: where its errors are shown."""
    start = page.index(f'for="id_facts-0-{field}"')
    return page[start : page.index('for="id_facts-0-', start + 10)]


def test_editing_only_the_english_sentence_asks_about_the_spanish_and_galician(client_for, issue):
    client = client_for("lead")
    url = reverse("newsletter_edit", args=[issue.pk])
    assert issue.facts.first().sentence_gl.startswith("Sabías que")  # drafted in Galician too
    response = client.post(url, _post(issue, **{"facts-0-sentence_en": "Did you know… a lot happened?"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "update it in the other languages too" in page
    for field in ("sentence_es", "sentence_gl"):
        assert "Another language&#x27;s sentence changed: is this still right?" in _errors_of(page, field)
    assert "is this still right?" not in _errors_of(page, "sentence_en")
    assert "Did you know… a lot happened?" in page
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT
    confirmed = client.post(
        url,
        _post(issue, **{"facts-0-sentence_en": "Did you know… a lot happened?", "facts-0-translations_checked": "on"}),
    )
    assert confirmed.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.REVIEWED


def test_a_spanish_edit_asks_about_the_galician_only_and_each_reader_gets_their_own(client_for, issue):
    client = client_for("lead")
    url = reverse("newsletter_edit", args=[issue.pk])
    fact = issue.facts.order_by("position").first()
    spanish = "¿Sabías que… hubo muchas llamadas?"
    page = client.post(url, _post(issue, **{"facts-0-sentence_es": spanish})).content.decode()
    assert "is this still right?" in _errors_of(page, "sentence_gl")
    assert "is this still right?" not in _errors_of(page, "sentence_es")
    galician = "Sabías que… houbo moitas chamadas?"
    saved = client.post(url, _post(issue, **{"facts-0-sentence_es": spanish, "facts-0-sentence_gl": galician}))
    assert saved.status_code == 302
    fact.refresh_from_db()
    assert (fact.sentence("es"), fact.sentence("gl"), fact.edited) == (spanish, galician, True)
    assert fact.sentence("en") == fact.sentence_en


def test_a_fact_without_a_galician_sentence_reads_in_spanish_to_galician_readers(issue):
    fact = issue.facts.first()
    fact.sentence_gl = ""
    assert fact.sentence("gl") == fact.sentence_es


def test_a_caller_that_does_not_edit_galician_clears_it_only_when_the_others_change(issue, lead):
    fact = issue.facts.order_by("position").first()
    galician = fact.sentence_gl
    same = services.FactChange(fact.pk, 0, True, fact.sentence_en, fact.sentence_es)
    services.review_issue(issue=issue, by=lead, editor_note="", changes=[same])
    fact.refresh_from_db()
    assert fact.sentence_gl == galician != "" and not fact.edited  # nothing changed: Galician kept
    services.review_issue(
        issue=issue,
        by=lead,
        editor_note="",
        changes=[services.FactChange(fact.pk, 0, True, "Did you know… new?", "¿Sabías que… nuevo?")],
    )
    fact.refresh_from_db()
    assert fact.sentence_gl == "" and fact.sentence("gl") == "¿Sabías que… nuevo?"


def test_the_editors_desk_comes_before_the_facts_and_sends_a_test(
    client_for, issue, cast, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.send_test_issue, "delay", lambda *args: sent.append(args))
    client = client_for("lead")
    page = client.get(reverse("newsletter_detail", args=[issue.pk])).content.decode()
    assert page.index("Editor's desk") < page.index('class="did-you-know"')
    assert "Send me a test" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("newsletter_test", args=[issue.pk]), follow=True)
    assert "A test is on its way" in response.content.decode()
    assert sent == [(issue.pk, cast["lead"].pk)]


def test_a_test_email_is_marked_in_the_readers_language(issue, lead, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lead.language = "es"
    lead.save()
    services.deliver_test(issue_id=issue.pk, user_id=lead.pk)
    (message,) = mail.outbox
    assert message.subject.startswith("[Prueba] ")
    assert message.to == [lead.email]
    assert any(name.endswith(".pdf") for name, _content, _type in message.attachments)
