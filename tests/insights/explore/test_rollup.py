"""The dashboard's daily roll-up (PostgreSQL): the same figures as counting the notes, kept in
the same transaction as every change, and a rebuild that changes nothing when run twice."""

import dataclasses
import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from insights import tasks
from insights.explore import rollup, services
from insights.models import Assignment, DailyTally, DailyThemeTally, Theme
from tests.factories import InsightFactory, ThemeFactory
from voc.models import Insight, ProductArea
from voc.notes.services import restore_notes, withdraw_notes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the roll-up is kept by PostgreSQL triggers"),
]

TODAY = date(2026, 12, 2)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def mixed(agent, other_site_agent):
    """80 notes over 100 days at two sites, every dimension varied (hours near midnight, where
    the local day and UTC's differ), a few withdrawn; most assigned, some to a proposed theme."""
    rng = random.Random(16)
    areas = [ProductArea.objects.create(name=f"Area {i}") for i in range(3)]
    themes = [ThemeFactory(name=f"Theme {i}") for i in range(4)]
    proposed = ThemeFactory(name="Not yet", status=Theme.Status.PROPOSED)
    for _ in range(80):
        note = InsightFactory(
            agent=rng.choice([agent, other_site_agent]),
            kind=rng.choice(["complaint", "want", "need"]),
            channel=rng.choice(["phone", "chat"]),
            language=rng.choice(["en", "es", "gl"]),
            product_area=rng.choice([None, *areas]),
            caused_by_us=rng.random() < 0.3,
            vulnerable=rng.random() < 0.2,
            occurred_at=_at(TODAY - timedelta(days=rng.randint(0, 100)), rng.choice([0, 1, 12, 23])),
        )
        if rng.random() < 0.8:
            Assignment.objects.create(note=note, theme=rng.choice([*themes, proposed]), method="auto")
        if rng.random() < 0.1:
            Insight.objects.filter(pk=note.pk).update(status=Insight.Status.WITHDRAWN, withdrawn_at=timezone.now())
    return {"areas": areas, "themes": themes}


def _both(user, query: str):
    """The dashboard from the roll-up and from the notes."""
    view = services.view(user, QueryDict(query), today=TODAY)
    assert view.filter.is_valid(), view.filter.form.errors
    assert view.scope is not None
    fast = services.dashboard(view)
    view.scope = None
    return fast, services.dashboard(view)


def _state() -> tuple[list, list]:
    tallies = sorted(
        (row for row in DailyTally.objects.filter(notes__gt=0).values_list(*["day", *rollup.NOTE_COLUMNS, "notes"])),
        key=str,
    )
    themes = sorted(
        DailyThemeTally.objects.filter(notes__gt=0).values_list(
            "day", "site_id", "theme_id", "dimension", "value", "notes"
        )
    )
    return tallies, themes


def test_the_roll_up_gives_the_same_figures_as_the_notes_under_random_filters(hq, lead, mixed, madrid, manchester):
    rng = random.Random(5)
    choices = {
        "kind": ["complaint", "want", "need"],
        "channel": ["phone", "chat"],
        "language": ["en", "es", "gl"],
        "product_area": [area.pk for area in mixed["areas"]],
        "site": [madrid.pk, manchester.pk],
    }
    compared = 0
    for _ in range(40):
        user = rng.choice([hq, lead])
        query = QueryDict(mutable=True)
        query["period"] = rng.choice(["last_week", "last_4_weeks", "this_month", "last_90_days"])
        for name in rng.sample(sorted(choices), rng.randint(0, 3)):
            if name == "site" and user == lead:
                continue
            query.setlist(name, [str(v) for v in rng.sample(choices[name], rng.randint(1, 2))])
        for flag in ("caused_by_us", "vulnerable"):
            if rng.random() < 0.25:
                query[flag] = rng.choice(["true", "false"])
        fast, raw = _both(user, query.urlencode())
        assert dataclasses.asdict(fast) == dataclasses.asdict(raw), query.urlencode()
        compared += fast.total > 0
    assert compared > 20


def test_the_themes_come_from_the_roll_up_under_at_most_one_filter_besides_sites(hq, mixed, madrid):
    def themes_by(query: str):
        return services.view(hq, QueryDict(query), today=TODAY).scope.themes_by

    assert themes_by(f"site={madrid.pk}") == ("", ("",))
    assert themes_by(f"site={madrid.pk}&kind=want&kind=need") == ("kind", ("need", "want"))
    area = mixed["areas"][0].pk
    assert themes_by(f"product_area={area}") == ("product_area", (str(area),))
    assert themes_by("caused_by_us=false") == ("caused_by_us", ("false",))
    assert themes_by("kind=want&language=es") is None
    assert services.view(hq, QueryDict(f"theme={mixed['themes'][0].pk}"), today=TODAY).scope is None
    for query in (
        "period=last_90_days",
        "period=last_90_days&kind=want&kind=need",
        "period=last_90_days&vulnerable=false",
    ):
        fast, raw = _both(hq, query)
        assert fast.themes == raw.themes and fast.rising == raw.rising and fast.themes, query


def test_only_readers_of_whole_sites_are_answered_from_the_roll_up(hq, lead, agent):
    assert services.view(hq, QueryDict(""), today=TODAY).scope.sites is None
    assert services.view(lead, QueryDict(""), today=TODAY).scope.sites == (lead.site_id,)
    # an agent reads only their own notes, which no roll-up row separates from colleagues'
    assert services.view(agent, QueryDict(""), today=TODAY).scope is None


def test_a_note_counts_at_once_and_a_withdrawal_or_a_theme_move_too(hq, lead, agent):
    theme, other = ThemeFactory(name="Card"), ThemeFactory(name="Fees")
    day = TODAY - timedelta(days=1)

    def board():
        fast, raw = _both(hq, f"period=custom&date_from={day}&date_to={day}")
        assert dataclasses.asdict(fast) == dataclasses.asdict(raw)
        return fast

    assert board().total == 0
    notes = [InsightFactory(agent=agent, kind="complaint", occurred_at=_at(day, 23)) for _ in range(3)]
    for note in notes:
        Assignment.objects.create(note=note, theme=theme, method="auto")
    shown = board()
    assert shown.total == 3 and [(s.label, s.count) for s in shown.themes] == [("Card", 3)]

    withdraw_notes(notes=[notes[0]], by=lead)
    Assignment.objects.filter(note=notes[1]).update(theme=other)
    shown = board()
    assert shown.total == 2 and {(s.label, s.count) for s in shown.themes} == {("Card", 1), ("Fees", 1)}

    restore_notes(notes=[Insight.objects.get(pk=notes[0].pk)], by=lead)
    Insight.objects.filter(pk=notes[2].pk).update(occurred_at=_at(day - timedelta(days=1), 12), kind="want")
    shown = board()
    assert shown.total == 2 and {s.key: s.count for s in shown.kinds} == {"complaint": 2}
    Insight.objects.filter(pk=notes[0].pk).delete()
    assert board().total == 1


def test_rebuilding_twice_leaves_what_the_triggers_kept(mixed):
    kept = _state()
    assert kept[0] and kept[1]
    assert rollup.rebuild()["tallies"] == len(kept[0])
    assert _state() == kept
    rollup.refresh()  # the nightly job
    assert _state() == kept
    # and it repairs a roll-up that went wrong (a table emptied by hand)
    DailyTally.objects.all().delete()
    rollup.rebuild()
    assert _state() == kept


def test_the_nightly_check_reads_without_recounting_when_the_roll_up_is_in_step(mixed, settings):
    assert rollup.in_step()
    assert tasks.rebuild_dashboard_rollup() == {"rebuilt": 0}  # nothing to repair: no lock taken
    # rows whose notes were all withdrawn stay, at 0: still in step
    Insight.objects.update(status=Insight.Status.WITHDRAWN, withdrawn_at=timezone.now())
    assert DailyTally.objects.filter(notes=0).exists()
    assert rollup.in_step()


def test_the_nightly_check_recounts_a_roll_up_that_drifted_or_counts_another_time_zone(mixed, settings):
    kept = _state()
    DailyThemeTally.objects.filter(pk=DailyThemeTally.objects.order_by("pk").values("pk")[:1]).update(notes=99)
    assert not rollup.in_step()
    assert tasks.rebuild_dashboard_rollup()["rebuilt"] == 1
    assert _state() == kept and rollup.in_step()
    settings.TIME_ZONE = "Europe/London"  # the triggers still count Madrid's days
    assert not rollup.in_step()
    assert tasks.rebuild_dashboard_rollup()["rebuilt"] == 1
    assert rollup.in_step()
