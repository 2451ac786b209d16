"""Listening sessions: logging and its refusals, ideas that become notes, progress against the
commitments, and the weekly nudge (only to those behind, once a week)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import ListeningSessionFactory, UserFactory
from voc import signals, tasks
from voc.errors import DomainError
from voc.models import Insight, ListeningNudge, ListeningSession, User
from voc.programme.listening import services as listening

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)  # a Wednesday
NOW = timezone.make_aware(datetime(2026, 11, 18, 10, 30))


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def log(person, **fields):
    return listening.log_session(person=person, **{"day": TODAY, "minutes": 60, "queue": "Cards", **fields})


def nothing_stored() -> bool:
    return not ListeningSession.objects.exists() and not Insight.objects.exists()


# --- logging -----------------------------------------------------------------------------------


def test_a_session_is_stored_as_typed_and_without_an_idea_makes_no_note(frozen, executive, madrid):
    session = log(executive, minutes=45, site=madrid, queue=" Cards ", heard="Waits are long", surprised="Kindness")
    stored = ListeningSession.objects.get()
    assert stored == session and stored.person == executive and stored.day == TODAY and stored.minutes == 45
    assert (stored.site, stored.queue) == (madrid, "Cards")
    assert (stored.heard, stored.surprised) == ("Waits are long", "Kindness")
    assert stored.idea_note is None and not Insight.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"minutes": -30}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 721}, "minutes"),
        ({"minutes": 9999}, "minutes"),
        ({"minutes": "60"}, "minutes"),
        ({"day": TODAY + timedelta(days=1)}, "day"),
        ({"day": date(2025, 11, 17)}, "day"),
        ({"queue": ""}, "site"),
        ({"queue": "q" * 101}, "queue"),
        ({"heard": "h" * 2001}, "heard"),
        ({"idea": "i" * 2001}, "idea"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(frozen, agent, fields, field):
    with pytest.raises(DomainError) as refused:
        log(agent, **{"idea": "An app for abroad", **fields})
    assert refused.value.field == field and refused.value.message
    assert nothing_stored()


def test_the_limits_themselves_are_accepted(frozen, agent):
    assert log(agent, minutes=1, day=date(2025, 11, 18)).minutes == 1
    assert log(agent, minutes=ListeningSession.MAX_MINUTES).minutes == 720


def test_absurd_minutes_get_a_message_that_says_the_limit(frozen, agent):
    with pytest.raises(DomainError, match="720"):
        log(agent, minutes=9999)


def test_an_idea_without_any_site_is_refused_with_a_clear_reason(frozen, hq):
    assert hq.site is None
    with pytest.raises(DomainError, match="site") as refused:
        log(hq, queue="Cards", idea="Tell customers when the card ships")
    assert refused.value.field == "site"
    assert nothing_stored()
    assert log(hq, queue="Cards").idea_note is None  # without an idea a queue is enough


def test_an_inactive_person_cannot_log(frozen, agent):
    agent.is_active = False
    with pytest.raises(DomainError):
        log(agent)
    assert nothing_stored()


# --- ideas become notes ------------------------------------------------------------------------


def test_an_idea_becomes_a_redacted_note_heard_by_the_listener_at_the_sessions_site(frozen, executive, madrid):
    session = log(executive, site=madrid, idea="Call back on 612 345 678 when a card is blocked abroad")
    note = Insight.objects.get()
    assert session.idea_note == note
    assert note.agent == executive and note.site == madrid and note.team is None
    assert (note.kind, note.channel, note.source) == ("want", "phone", "listening")
    assert note.external_id == f"listening-{session.pk}"
    assert "612" not in note.text and "[PHONE]" in note.text and "when a card is blocked abroad" in note.text
    assert "612" not in ListeningSession.objects.get().idea  # the session keeps the redacted idea too
    assert note.occurred_at == timezone.make_aware(datetime(2026, 11, 18, 10, 30))  # today: not in the future


def test_an_idea_logged_with_a_queue_only_lands_at_the_home_site(frozen, agent):
    session = log(agent, day=date(2026, 11, 2), queue="Mortgages", idea="Explain the fees before signing")
    note = session.idea_note
    assert note.site == agent.site and note.team == agent.team
    assert note.occurred_at == timezone.make_aware(datetime(2026, 11, 2, 12, 0))


def test_themes_hear_of_the_idea_only_after_commit(frozen, hq, madrid, django_capture_on_commit_callbacks):
    heard = []

    def receiver(sender, note_ids, **kwargs):
        heard.extend(note_ids)

    signals.notes_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            session = log(hq, site=madrid, idea="An app that shows the branch queue")
        assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [session.idea_note_id]
        with django_capture_on_commit_callbacks(execute=True):
            log(hq, site=madrid)
        assert heard == [session.idea_note_id]  # no idea, no note, no signal
    finally:
        signals.notes_recorded.disconnect(receiver)


def test_when_the_note_is_refused_the_session_is_not_stored_either(frozen, agent, monkeypatch):
    def refuse(**fields):
        raise DomainError("Write what the customer said.", field="text")

    monkeypatch.setattr(listening.services, "record_note", refuse)
    with pytest.raises(DomainError) as refused:
        log(agent, idea="Something")
    assert refused.value.field == "idea"
    assert nothing_stored()


# --- progress ----------------------------------------------------------------------------------


def session(person, day, minutes):
    return ListeningSessionFactory(person=person, day=day, minutes=minutes, queue="Cards")


def test_progress_counts_this_iso_week_and_this_calendar_year(executive, agent, settings):
    settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = 60
    settings.VOC_LISTEN_YEARLY_MINUTES = 480
    session(executive, date(2026, 11, 16), 30)  # this week's Monday
    session(executive, date(2026, 11, 18), 20)  # today
    session(executive, date(2026, 11, 15), 45)  # last week's Sunday
    session(executive, date(2026, 1, 1), 60)
    session(executive, date(2025, 12, 31), 100)  # last year
    session(agent, date(2026, 11, 17), 300)  # someone else

    mine = listening.progress(executive, today=TODAY)
    assert mine["is_executive"] is True and mine["week_start"] == date(2026, 11, 16)
    assert (mine["week_minutes"], mine["week_target"], mine["week_percent"]) == (50, 60, 83)
    assert (mine["year"], mine["year_minutes"], mine["year_target"], mine["year_percent"]) == (2026, 155, 480, 32)
    assert mine["year_expected"] == 480 * 322 // 365 and mine["year_behind"] is True
    assert (mine["sessions"], mine["year_sessions"]) == (5, 4)

    theirs = listening.progress(agent, today=TODAY)
    assert theirs["is_executive"] is False and theirs["week_target"] is None and theirs["week_percent"] is None
    assert (theirs["year_minutes"], theirs["year_percent"], theirs["year_behind"]) == (300, 62, True)


def test_progress_follows_the_configured_commitments_and_caps_at_a_full_bar(executive, settings):
    settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = 30
    settings.VOC_LISTEN_YEARLY_MINUTES = 0
    session(executive, TODAY, 90)
    mine = listening.progress(executive, today=TODAY)
    assert (mine["week_target"], mine["week_percent"]) == (30, 100)
    assert (mine["year_target"], mine["year_percent"], mine["year_expected"], mine["year_behind"]) == (0, 100, 0, False)


def test_progress_reads_the_database_once(executive, django_assert_num_queries):
    session(executive, TODAY, 15)
    with django_assert_num_queries(1):
        listening.progress(executive, today=TODAY)


@pytest.fixture
def people(executive, agent, lead, hq, settings):
    """Who is behind on Monday 16 November, and why."""
    settings.VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = 60
    settings.VOC_LISTEN_YEARLY_MINUTES = 480
    slow_exec = UserFactory(username="cfo", role=User.Role.EXECUTIVE, language="es")
    quiet = UserFactory(username="gone", role=User.Role.AGENT, is_active=False)
    hq.email = ""
    hq.save()
    session(executive, date(2026, 1, 10), 400)
    session(executive, date(2026, 11, 10), 60)  # on track: a full hour last week, 460 this year
    session(slow_exec, date(2026, 2, 10), 470)
    session(slow_exec, date(2026, 11, 12), 30)  # the year is fine, last week was short
    session(lead, date(2026, 3, 1), 480)  # on track for the year
    session(lead, date(2026, 11, 16), 1)
    # agent: nothing at all; hq: nothing and no e-mail address; quiet: inactive
    return {"slow_exec": slow_exec, "quiet": quiet}


# --- the weekly nudge --------------------------------------------------------------------------

MONDAY = date(2026, 11, 16)  # last week: 9-15 November; pro-rata due by today: 480 * 320 // 365 = 420


def test_those_behind_are_executives_short_last_week_and_anyone_short_of_the_pro_rata(people, agent, hq):
    behind = {p.username: (p.week_minutes, p.year_minutes) for p in listening.people_behind(today=MONDAY)}
    assert behind == {"cfo": (30, 500), "lucia": (0, 0), "elena": (0, 0)}


def test_the_nudge_goes_once_a_week_to_those_behind_who_have_an_address(people, agent):
    assert listening.nudge_behind(today=MONDAY) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["cfo@example.com", "lucia@example.com"]
    assert listening.nudge_behind(today=MONDAY + timedelta(days=2)) == 0  # same ISO week: nothing twice
    assert len(mail.outbox) == 2
    assert set(ListeningNudge.objects.values_list("person__username", "week_start")) == {
        ("cfo", MONDAY),
        ("lucia", MONDAY),
    }
    # A new week: the two are still behind, and the executive who listened nothing since is too.
    assert listening.nudge_behind(today=MONDAY + timedelta(days=7)) == 3
    assert sorted(m.to[0] for m in mail.outbox[2:]) == ["ana@example.com", "cfo@example.com", "lucia@example.com"]


def test_the_nudge_says_why_in_the_persons_language(people, agent):
    listening.nudge_behind(today=MONDAY)
    by_address = {m.to[0]: m for m in mail.outbox}
    executive_mail, agent_mail = by_address["cfo@example.com"], by_address["lucia@example.com"]
    assert "30 minutos" in executive_mail.body and "60 minutos a la semana" in executive_mail.body  # in Spanish
    assert "420" not in executive_mail.body  # the year is on track: not mentioned
    assert "0 minutes" in agent_mail.body and "420" in agent_mail.body and "a week" not in agent_mail.body
    assert "/listening/new/" in agent_mail.body
    assert 'lang="es"' in executive_mail.alternatives[0][0] and 'lang="en"' in agent_mail.alternatives[0][0]


def test_a_failed_send_is_retried_by_the_next_run(people, agent, monkeypatch):
    real_send = listening.EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        if message.to == ["lucia@example.com"]:
            raise OSError("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(listening.EmailMultiAlternatives, "send", flaky)
    assert listening.nudge_behind(today=MONDAY) == 1
    assert not ListeningNudge.objects.filter(person=agent).exists()
    monkeypatch.setattr(listening.EmailMultiAlternatives, "send", real_send)
    assert listening.nudge_behind(today=MONDAY) == 1
    assert [m.to for m in mail.outbox] == [["cfo@example.com"], ["lucia@example.com"]]


def test_the_monday_task_nudges_with_todays_date(people, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 11, 16, 9, 0)), tick=False)
    assert tasks.listening_nudges() == 2
    assert tasks.listening_nudges() == 0
    assert len(mail.outbox) == 2


# --- whose site --------------------------------------------------------------------------------


def test_an_agent_cannot_log_listening_at_another_site(frozen, agent, manchester):
    with pytest.raises(DomainError) as refused:
        log(agent, site=manchester, idea="Put the branch queue in the app")
    assert refused.value.field == "site" and nothing_stored()


def test_a_lead_logs_an_idea_at_a_site_they_lead(frozen, lead, manchester):
    lead.lead_sites.add(manchester)
    session = log(lead, site=manchester, idea="Put the branch queue in the app")
    assert session.idea_note.site == manchester


def test_an_agents_idea_at_their_own_site_lands_there(frozen, agent, madrid):
    assert log(agent, site=madrid, idea="Put the branch queue in the app").idea_note.site == madrid


def test_an_idea_made_only_of_invisible_characters_is_no_idea(frozen, agent):
    session = log(agent, idea="\u200b\u200c\ufeff")
    assert session.idea_note is None and not Insight.objects.exists()
