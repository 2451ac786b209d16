"""Withdrawing a note can be undone; editing keeps a note's exact time; withdrawn notes are
marked wherever the agent sees them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InsightFactory, UserFactory
from voc.errors import DomainError
from voc.models import Insight, User
from voc.notes import services

pytestmark = pytest.mark.django_db


def test_an_agent_restores_a_note_they_withdrew_and_it_counts_again(client_for, agent):
    note = InsightFactory(agent=agent, text="Wants a cheaper card")
    client = client_for("agent")
    response = client.post(reverse("withdraw_note", args=[note.pk]), follow=True)
    page = response.content.decode()
    assert "Restore" in page and reverse("restore_note", args=[note.pk]) in page
    assert "Withdrawn" in client.get(reverse("capture")).content.decode()  # marked in "your latest notes"
    client.post(reverse("restore_note", args=[note.pk]))
    note.refresh_from_db()
    assert (note.status, note.withdrawn_at, note.withdrawn_by) == (Insight.Status.ACTIVE, None, None)


def test_another_agent_cannot_restore_and_an_old_note_stays_withdrawn(agent, lead):
    note = InsightFactory(agent=agent)
    services.withdraw_notes(notes=[note], by=agent)
    with pytest.raises(DomainError):
        services.restore_notes(notes=[note], by=UserFactory(role=User.Role.AGENT, site=agent.site))
    Insight.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(days=2))
    note.refresh_from_db()
    with pytest.raises(DomainError):
        services.restore_notes(notes=[note], by=agent)
    assert services.restore_notes(notes=[note], by=lead) == 1  # a lead of the site may


def test_editing_a_note_keeps_its_seconds_unless_the_time_changes(agent):
    when = timezone.now().replace(microsecond=0) - timedelta(minutes=30, seconds=17)
    note = InsightFactory(agent=agent, occurred_at=when)
    shown = timezone.localtime(when).replace(second=0)  # what the form's minute field sends back
    services.edit_note(note=note, editor=agent, text="Corrected text", occurred_at=shown)
    note.refresh_from_db()
    assert note.occurred_at == when and note.text == "Corrected text"
    later = shown + timedelta(minutes=5)
    services.edit_note(note=note, editor=agent, occurred_at=later)
    note.refresh_from_db()
    assert note.occurred_at == later
