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
        }
    return data | overrides


def test_editing_only_the_english_sentence_asks_about_the_spanish(client_for, issue):
    client = client_for("lead")
    url = reverse("newsletter_edit", args=[issue.pk])
    response = client.post(url, _post(issue, **{"facts-0-sentence_en": "Did you know… a lot happened?"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "update its Spanish sentence too" in page and "The English sentence changed: is this still right?" in page
    assert 'value="Did you know… a lot happened?"' in page or "Did you know… a lot happened?" in page
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT
    confirmed = client.post(
        url, _post(issue, **{"facts-0-sentence_en": "Did you know… a lot happened?", "facts-0-es_checked": "on"})
    )
    assert confirmed.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.REVIEWED


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
