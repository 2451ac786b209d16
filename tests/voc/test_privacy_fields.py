"""Every free text a person types and others read is stored redacted, whatever writes it."""

from __future__ import annotations

import importlib
import json
from datetime import date

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from insights import services as theme_services
from insights.models import Theme, ThemeChange
from newsletter import services as newsletter_services
from newsletter.models import Fact, Issue
from tests.factories import ComplaintCaseFactory, ComplaintFactory, IssueFactory, SiteFactory, ThemeFactory
from voc import audit
from voc.models import AuditEntry, CaseEvent, ComplaintCase, ListeningSession
from voc.privacy import EXEMPT, RedactedField, redact_existing_rows
from voc.programme.cases import services as cases
from voc.programme.listening import services as listening

PROJECT_APPS = ("voc", "insights", "newsletter")
# Personal data that cannot turn up by chance, and what the stored text must read instead.
CANARY = "write to zq.canary.7731@example.org"
CANARY_REDACTED = "write to [EMAIL]"


def text_fields() -> list[tuple[str, models.Field]]:
    found = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField | models.JSONField):
                    found.append((f"{model._meta.label}.{field.name}", field))
    return found


REDACTED = [(label, field) for label, field in text_fields() if isinstance(field, RedactedField)]


def test_every_text_field_is_redacted_or_exempt_with_a_reason():
    unexplained = [
        label for label, field in text_fields() if not isinstance(field, RedactedField) and label not in EXEMPT
    ]
    assert unexplained == [], "redact these fields (voc.privacy) or add them to voc.privacy.EXEMPT with a reason"
    assert all(reason.strip() for reason in EXEMPT.values())


def test_the_exemption_table_names_only_text_fields_that_are_not_redacted():
    plain = {label for label, field in text_fields() if not isinstance(field, RedactedField)}
    assert sorted(set(EXEMPT) - plain) == []


def test_the_fields_the_issue_names_are_redacted():
    labels = {label for label, _field in REDACTED}
    assert {
        "insights.Theme.name",
        "insights.ThemeChange.before",
        "insights.ThemeChange.after",
        "newsletter.Fact.sentence_en",
        "newsletter.Fact.sentence_es",
        "newsletter.Issue.editor_note",
        "voc.ComplaintCase.action_taken",
        "voc.ComplaintCase.handback_reason",
        "voc.CaseEvent.text",
        "voc.ListeningSession.queue",
        "voc.AuditEntry.object_repr",
        "voc.AuditEntry.details",
    } <= labels


@pytest.mark.parametrize(("label", "field"), REDACTED, ids=[label for label, _field in REDACTED])
def test_each_redacted_field_redacts_what_it_writes(label, field):
    """The value every write path sends to the database (save, bulk_create, bulk_update, update)."""
    value = {"said": [CANARY]} if isinstance(field, models.JSONField) else CANARY
    expected = {"said": [CANARY_REDACTED]} if isinstance(field, models.JSONField) else CANARY_REDACTED
    stored = field.get_db_prep_save(value, connection)
    if isinstance(field, models.JSONField):  # PostgreSQL's adapter wraps JSON in .obj; SQLite takes the text
        stored = getattr(stored, "obj", None) or json.loads(stored)
    assert stored == expected


def test_orm_create_update_and_bulk_writes_store_the_redacted_text(db):
    theme = Theme.objects.create(name=CANARY, key_terms=[CANARY])  # the ORM path itself, not a factory
    assert theme.name == CANARY_REDACTED  # the instance too: an e-mail rendered next shows what was stored
    assert Theme.objects.values_list("name", "key_terms").get(pk=theme.pk) == (CANARY_REDACTED, [CANARY_REDACTED])

    Theme.objects.filter(pk=theme.pk).update(description=CANARY)
    assert Theme.objects.get(pk=theme.pk).description == CANARY_REDACTED

    Theme.objects.filter(pk=theme.pk).update(description=4111111111111111)  # a number is text here too
    assert "4111111111111111" not in Theme.objects.get(pk=theme.pk).description

    (other,) = Theme.objects.bulk_create([Theme(name=CANARY)])
    other.description = f"call {CANARY}"
    Theme.objects.bulk_update([other], ["description"])
    assert Theme.objects.values_list("name", "description").get(pk=other.pk) == (
        CANARY_REDACTED,
        f"call {CANARY_REDACTED}",
    )


def test_a_renamed_theme_its_history_and_the_audit_log_hold_no_personal_data(lead):
    theme = ThemeFactory(name="Card not arrived")
    theme_services.rename_theme(theme=theme, name=CANARY, name_es=CANARY, by=lead)
    change = ThemeChange.objects.get(theme=theme, action=ThemeChange.Action.RENAMED)
    entry = AuditEntry.objects.get(action="theme.renamed")
    assert Theme.objects.values_list("name", "name_es").get(pk=theme.pk) == (CANARY_REDACTED, CANARY_REDACTED)
    assert change.after == {"name": CANARY_REDACTED, "name_es": CANARY_REDACTED}
    assert entry.object_repr == CANARY_REDACTED
    assert entry.details["after"] == {"name": CANARY_REDACTED, "name_es": CANARY_REDACTED}


def test_the_audit_log_redacts_what_it_is_given(lead):
    site = SiteFactory(name=CANARY)  # a site's name is not redacted: the entry's copy of it is
    entry = audit.record(actor=lead, action="test.canary", obj=site, details={"said": CANARY, "ids": {"7": 7}})
    entry.refresh_from_db()
    assert entry.object_repr == CANARY_REDACTED
    assert entry.details == {"said": CANARY_REDACTED, "ids": {"7": 7}}  # keys and numbers untouched


@pytest.fixture
def open_case(agent, executive, lead) -> ComplaintCase:
    return ComplaintCaseFactory(
        executive=executive,
        buddy=lead,
        note=ComplaintFactory(agent=agent, text="Charged twice for the same order"),
        status=ComplaintCase.Status.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
    )


def test_case_texts_typed_by_the_executive_are_stored_redacted(open_case, executive):
    cases.record_customer_contacted(case=open_case, by=executive, text=CANARY)
    cases.add_case_note(case=open_case, by=executive, text=CANARY)
    case = cases.resolve_case(
        case=open_case,
        by=executive,
        root_cause=ComplaintCase.RootCause.PROCESS,
        action_taken=CANARY,
        outcome=ComplaintCase.Outcome.SATISFIED,
        learned=CANARY,
    )
    assert case.action_taken == CANARY_REDACTED
    stored = ComplaintCase.objects.values_list("action_taken", "learned").get(pk=case.pk)
    assert stored == (CANARY_REDACTED, CANARY_REDACTED)
    assert set(CaseEvent.objects.filter(case=case).values_list("text", flat=True)) == {CANARY_REDACTED}


def test_a_hand_back_reason_is_stored_redacted(open_case, executive):
    cases.hand_back_case(case=open_case, by=executive, reason=CANARY)
    assert ComplaintCase.objects.get(pk=open_case.pk).handback_reason == CANARY_REDACTED
    assert CaseEvent.objects.get(case=open_case).text == CANARY_REDACTED


def test_the_queue_of_a_listening_session_is_stored_redacted(executive, madrid):
    session = listening.log_session(
        person=executive, day=timezone.localdate(), minutes=30, site=madrid, queue=f"ward {CANARY}"[:100]
    )
    assert ListeningSession.objects.get(pk=session.pk).queue == f"ward {CANARY_REDACTED}"


@pytest.fixture
def issue(db) -> Issue:
    issue = IssueFactory(week_start=date(2026, 11, 2), notes_count=40)
    Fact.objects.create(
        issue=issue,
        key="abroad",
        number=4,
        base=40,
        period_start=date(2026, 11, 2),
        period_end=date(2026, 11, 8),
        sentence_en="4 of 40 customers called from abroad.",
        sentence_es="4 de 40 clientes llamaron desde el extranjero.",
    )
    return issue


def test_a_leads_edits_of_an_issue_are_stored_redacted(issue, lead):
    fact = issue.facts.get()
    change = newsletter_services.FactChange(
        fact_id=fact.pk, position=0, included=True, sentence_en=CANARY, sentence_es=CANARY
    )
    newsletter_services.review_issue(issue=issue, by=lead, editor_note=CANARY, changes=[change])
    assert Issue.objects.get(pk=issue.pk).editor_note == CANARY_REDACTED
    assert Fact.objects.values_list("sentence_en", "sentence_es", "edited").get(pk=fact.pk) == (
        CANARY_REDACTED,
        CANARY_REDACTED,
        True,
    )


def admin_form(issue: Issue, **changes) -> dict:
    fact = issue.facts.get()
    data = {
        "editor_note": issue.editor_note,
        "send_at_0": "",
        "send_at_1": "",
        "pdf_error": issue.pdf_error,
        "facts-TOTAL_FORMS": "1",
        "facts-INITIAL_FORMS": "1",
        "facts-MIN_NUM_FORMS": "0",
        "facts-MAX_NUM_FORMS": "1000",
        "facts-0-id": str(fact.pk),
        "facts-0-issue": str(issue.pk),
        "facts-0-position": str(fact.position),
        "facts-0-included": "on",
        "facts-0-sentence_en": fact.sentence_en,
        "facts-0-sentence_es": fact.sentence_es,
    }
    data.update(changes)
    return data


def test_an_admins_change_to_a_draft_is_redacted_and_written_to_the_audit_log(
    issue, client_for, django_capture_on_commit_callbacks
):
    Issue.objects.filter(pk=issue.pk).update(pdf_rendered_at=timezone.now())
    client = client_for("admin")
    url = f"/admin/newsletter/issue/{issue.pk}/change/"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, admin_form(issue, editor_note=CANARY, **{"facts-0-sentence_en": CANARY}))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Issue.objects.get(pk=issue.pk).pdf_rendered_at is None  # the PDF is rendered again
    assert len(callbacks) == 1
    fact = issue.facts.get()
    assert Issue.objects.get(pk=issue.pk).editor_note == CANARY_REDACTED
    assert (fact.sentence_en, fact.edited) == (CANARY_REDACTED, True)
    issue_entry = AuditEntry.objects.get(action="newsletter.admin_changed")
    fact_entry = AuditEntry.objects.get(action="newsletter.fact_admin_changed")
    assert issue_entry.actor_name == "ada"
    assert issue_entry.details["changes"] == {"editor_note": {"before": "", "after": CANARY_REDACTED}}
    assert fact_entry.object_id == str(fact.pk)
    assert fact_entry.details["changes"]["sentence_en"] == {
        "before": "4 of 40 customers called from abroad.",
        "after": CANARY_REDACTED,
    }


def test_a_sent_issue_cannot_be_rewritten_in_the_admin(issue, client_for):
    now = timezone.now()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, approved_at=now, sent_at=now)
    client = client_for("admin")
    url = f"/admin/newsletter/issue/{issue.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="editor_note"' not in page.content.decode()
    assert 'name="facts-0-sentence_en"' not in page.content.decode()
    response = client.post(url, admin_form(issue, editor_note="Rewritten", **{"facts-0-sentence_en": "Rewritten"}))
    assert response.status_code == 403
    assert Issue.objects.get(pk=issue.pk).editor_note == ""
    assert issue.facts.get().sentence_en == "4 of 40 customers called from abroad."
    assert client.post(f"/admin/newsletter/issue/{issue.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Issue.objects.filter(pk=issue.pk).exists()


def test_rows_stored_before_the_fields_redacted_are_redacted_by_the_data_migration(issue, lead):
    theme = ThemeFactory(name="Card not arrived", status=Theme.Status.PROPOSED)
    entry = audit.record(actor=lead, action="test.old", details={})
    # What older code left behind, written past the ORM.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE insights_theme SET name = %s WHERE id = %s", [CANARY, theme.pk])
        cursor.execute(
            "UPDATE voc_auditentry SET object_repr = %s, details = %s WHERE id = %s",
            [CANARY, f'{{"said": "{CANARY}", "n": 3}}', entry.pk],
        )
        cursor.execute("UPDATE newsletter_issue SET editor_note = %s WHERE id = %s", [CANARY, issue.pk])
    assert Theme.objects.get(pk=theme.pk).name == CANARY

    for migration in [
        "voc.migrations.0007_redacted_fields",
        "insights.migrations.0004_redacted_fields",
        "newsletter.migrations.0003_redacted_fields",
    ]:
        importlib.import_module(migration).redact_existing(apps, None)

    assert Theme.objects.get(pk=theme.pk).name == CANARY_REDACTED
    entry.refresh_from_db()
    assert (entry.object_repr, entry.details) == (CANARY_REDACTED, {"said": CANARY_REDACTED, "n": 3})
    assert Issue.objects.get(pk=issue.pk).editor_note == CANARY_REDACTED
    assert sum(redact_existing_rows(apps, label) for label in PROJECT_APPS) == 0  # safe to run again
