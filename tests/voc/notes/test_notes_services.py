"""record_note and friends: redaction, idempotency, the 24-hour window, withdrawal, +1s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from voc import signals
from voc.errors import DomainError
from voc.models import AuditEntry, ComplaintContact, Insight, Tally
from voc.notes import services

pytestmark = pytest.mark.django_db


def note(agent, **overrides):
    fields = {"agent": agent, "kind": "frustration", "text": "My card has not arrived yet", "channel": "phone"}
    return services.record_note(**(fields | overrides))[0]


def test_a_note_is_stored_redacted_with_the_agents_site_and_team(agent):
    stored = note(agent, text="Card 4111 1111 1111 1111 blocked, call me on +34 612 345 678")
    assert stored.text == "Card [CARD] blocked, call me on [PHONE]"
    assert stored.site == agent.site and stored.team == agent.team
    assert stored.language == "en"
    assert stored.status == Insight.Status.ACTIVE


def test_a_recorded_note_is_the_row_save_would_have_written(agent):
    from django.db import connection

    from voc.models import ProductArea

    if connection.vendor != "postgresql":
        pytest.skip("voc.notes.lean_sql writes its own INSERT only on PostgreSQL (save() elsewhere)")

    area = ProductArea.objects.create(name="Cards")
    fields = {
        "kind": "complaint",
        "text": "Charged twice abroad",
        "channel": "chat",
        "language": "es",
        "customer_abroad": True,
        "abroad_country": "FR",
        "caused_by_us": True,
        "lonely": True,
        "vulnerable": True,
        "product_area": area,
        "source": "crm",
        "external_id": "CRM-7",
        "occurred_at": timezone.now() - timedelta(hours=3),
    }
    recorded, created = services.record_note(agent=agent, **fields)
    saved = services.build_note(agent=agent, **(fields | {"external_id": "CRM-8"}))
    saved.save()
    assert created and not recorded._state.adding and recorded._state.db == "default"
    columns = [f.attname for f in Insight._meta.concrete_fields if f.attname not in {"id", "external_id"}]
    rows = {
        row.pop("external_id"): row
        for row in Insight.objects.filter(pk__in=[recorded.pk, saved.pk]).values(*columns, "external_id")
    }
    for stamp in ("created_at", "updated_at"):
        assert abs(rows["CRM-7"].pop(stamp) - rows["CRM-8"].pop(stamp)) < timedelta(seconds=5)
    assert rows["CRM-7"] == rows["CRM-8"]
    assert recorded.created_at is not None and recorded.product_area_id == area.pk


def test_the_language_is_detected_unless_given(agent):
    assert note(agent, text="La tarjeta no ha llegado todavía").language == "es"
    assert note(agent, text="A tarxeta non chegou aínda", language="").language == "gl"
    assert note(agent, text="La tarjeta no ha llegado", language="gl").language == "gl"


def test_other_apps_hear_of_a_note_only_after_commit(agent, django_capture_on_commit_callbacks):
    heard = []

    def receiver(sender, note_ids, **kwargs):
        heard.extend(note_ids)

    signals.notes_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            stored = note(agent)
        assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [stored.pk]
    finally:
        signals.notes_recorded.disconnect(receiver)


def test_the_same_external_id_from_the_same_source_returns_the_stored_note(agent):
    first, created = services.record_note(
        agent=agent, kind="need", text="Wants paper statements", channel="email", source="crm", external_id="A-1"
    )
    again, created_again = services.record_note(
        agent=agent, kind="need", text="Different text", channel="email", source="crm", external_id="A-1"
    )
    other_source, created_other = services.record_note(
        agent=agent, kind="need", text="Wants paper statements", channel="email", source="phone", external_id="A-1"
    )
    assert created and not created_again and created_other
    assert again.pk == first.pk and again.text == "Wants paper statements"
    assert other_source.pk != first.pk
    assert Insight.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"language": "fr"}, "language"),
        ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
        ({"abroad_country": "France"}, "abroad_country"),
        ({"external_id": "x" * 101}, "external_id"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(agent, overrides, field):
    with pytest.raises(DomainError) as refused:
        note(agent, **overrides)
    assert refused.value.field == field
    assert Insight.objects.count() == 0


def test_a_country_implies_the_customer_was_abroad(agent):
    stored = note(agent, abroad_country="fr")
    assert stored.customer_abroad and stored.abroad_country == "FR"


@pytest.mark.parametrize("role", ["hq", "executive", "admin"])
def test_roles_that_do_not_take_calls_cannot_log_notes(cast, role):
    with pytest.raises(DomainError, match="cannot log notes"):
        note(cast[role])


def test_a_complaint_keeps_contact_details_apart_from_the_note(agent):
    contact = services.ContactDetails(name="Ana Pérez", phone="+34 600 000 001", consent=True)
    stored, _ = services.record_note(
        agent=agent, kind="complaint", text="Charged twice", channel="phone", contact=contact, ip_address="10.0.0.9"
    )
    saved = ComplaintContact.objects.get(note=stored)
    assert saved.name == "Ana Pérez" and saved.phone == "+34 600 000 001"
    assert "Ana" not in stored.text
    assert AuditEntry.objects.filter(action="contact.recorded", object_id=str(stored.pk)).exists()


@pytest.mark.parametrize(
    ("kind", "contact", "field"),
    [
        ("need", services.ContactDetails(name="A", phone="1", consent=True), "contact"),
        ("complaint", services.ContactDetails(name="", phone="600", consent=True), "contact_name"),
        ("complaint", services.ContactDetails(name="Ana", consent=True), "contact_phone"),
        ("complaint", services.ContactDetails(name="Ana", email="not-an-email", consent=True), "contact_email"),
        ("complaint", services.ContactDetails(name="Ana", phone="600", consent=False), "contact_consent"),
    ],
)
def test_contact_details_need_a_complaint_a_way_to_reach_and_consent(agent, kind, contact, field):
    with pytest.raises(DomainError) as refused:
        services.record_note(agent=agent, kind=kind, text="Charged twice", channel="phone", contact=contact)
    assert refused.value.field == field
    assert Insight.objects.count() == 0 and ComplaintContact.objects.count() == 0


def test_the_author_can_correct_a_note_within_24_hours_and_it_is_audited(agent):
    stored = note(agent)
    services.edit_note(note=stored, editor=agent, kind="complaint", text="Card lost, number 4111111111111111")
    stored.refresh_from_db()
    assert stored.kind == "complaint" and stored.text == "Card lost, number [CARD]"
    entry = AuditEntry.objects.get(action="note.edited")
    assert entry.details["before"]["kind"] == "frustration" and entry.details["after"]["kind"] == "complaint"


def test_no_one_else_may_edit_a_note(agent, other_site_agent, lead):
    stored = note(agent)
    for other in (other_site_agent, lead):
        with pytest.raises(DomainError, match="Only the person who logged"):
            services.edit_note(note=stored, editor=other, text="changed")


def test_notes_cannot_be_edited_after_24_hours(agent, time_machine):
    time_machine.move_to("2026-11-02 10:00:00+00:00", tick=False)
    stored = note(agent)
    time_machine.move_to("2026-11-03 10:01:00+00:00", tick=False)
    with pytest.raises(DomainError, match="24 hours"):
        services.edit_note(note=stored, editor=agent, text="too late")
    with pytest.raises(DomainError, match="24 hours"):
        services.withdraw_notes(notes=[stored], by=agent)


def test_a_withdrawn_note_is_kept_but_no_longer_counts(agent):
    stored = note(agent)
    assert services.withdraw_notes(notes=[stored], by=agent) == 1
    stored.refresh_from_db()
    assert stored.status == "withdrawn" and stored.withdrawn_by == agent and stored.withdrawn_at
    assert Insight.objects.active().count() == 0 and Insight.objects.count() == 1
    assert services.withdraw_notes(notes=[stored], by=agent) == 0  # twice is harmless


def test_a_lead_may_withdraw_any_note_of_their_site_but_not_of_another(agent, other_site_agent, lead, time_machine):
    time_machine.move_to("2026-11-02 10:00:00+00:00", tick=False)
    mine, theirs = note(agent), note(other_site_agent)
    time_machine.move_to("2026-11-20 10:00:00+00:00", tick=False)
    assert services.withdraw_notes(notes=[mine], by=lead) == 1
    with pytest.raises(DomainError):
        services.withdraw_notes(notes=[theirs], by=lead)


def test_a_plus_one_records_who_when_where_and_how(agent, colleague):
    stored = note(agent)
    tally = services.add_tally(note=stored, agent=colleague, channel="chat")
    assert (tally.agent, tally.site, tally.channel) == (colleague, colleague.site, "chat")
    with pytest.raises(DomainError, match="a moment ago"):
        services.add_tally(note=stored, agent=colleague, channel="chat")
    assert Tally.objects.count() == 1


def test_a_withdrawn_note_cannot_be_plus_oned(agent, other_site_agent):
    stored = note(agent)
    services.withdraw_notes(notes=[stored], by=agent)
    with pytest.raises(DomainError, match="withdrawn"):
        services.add_tally(note=stored, agent=other_site_agent, channel="phone")
