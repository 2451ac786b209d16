"""The dashboard: figures of the notes a reader may see under the filters in the URL, each
drilling down to the notes behind it; small counts withheld from head office; exports."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from insights.explore import services
from insights.models import Assignment
from tests.factories import InsightFactory, ThemeFactory, UserFactory
from voc.models import User

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)  # a Wednesday: "last week" is 23 to 29 November


def _at(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def notes(agent, other_site_agent):
    """Madrid: 4 complaints (2 caused by us) and 1 want last week, 2 the week before;
    Manchester: 3 wants last week."""
    theme = ThemeFactory(name="Card not arrived")
    made = []
    for i in range(4):
        made.append(
            InsightFactory(agent=agent, kind="complaint", caused_by_us=i < 2, occurred_at=_at(date(2026, 11, 24 + i)))
        )
    made.append(InsightFactory(agent=agent, kind="want", language="es", occurred_at=_at(date(2026, 11, 29))))
    for day in (17, 18):
        InsightFactory(agent=agent, kind="complaint", occurred_at=_at(date(2026, 11, day)))
    for i in range(3):
        made.append(InsightFactory(agent=other_site_agent, kind="want", occurred_at=_at(date(2026, 11, 25 + i))))
    for note in made[:4]:
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO)
    return {"theme": theme, "notes": made}


def _board(user, query: str):
    from django.http import QueryDict

    view = services.view(user, QueryDict(query), today=TODAY)
    assert view.filter.is_valid(), view.filter.form.errors
    return services.dashboard(view)


def test_head_office_sees_every_site_with_small_counts_withheld(hq, notes):
    board = _board(hq, "period=last_week")
    assert (board.first, board.last, board.total, board.previous_total) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
        8,
        2,
    )
    kinds = {s.key: s for s in board.kinds}
    assert kinds["complaint"].count == 4 and kinds["want"].count == 4
    sites = {s.label: s.shown for s in board.sites}
    assert sites == {"Madrid": "5", "Manchester": "3"}
    spanish = next(s for s in board.languages if s.key == "es")
    assert spanish.withheld and spanish.shown == "fewer than 3" and spanish.share is None
    assert board.failure_demand.count == 2 and board.failure_demand.withheld
    assert [s.label for s in board.themes] == ["Card not arrived"]
    assert [r.theme.label for r in board.rising] == ["Card not arrived"]
    assert board.unit == "day" and len(board.series) == 7 and not board.partial


def test_a_lead_sees_only_their_sites_with_exact_counts(lead, notes):
    board = _board(lead, "period=last_week")
    assert board.total == 5
    assert [s.label for s in board.sites] == ["Madrid"]
    assert next(s for s in board.languages if s.key == "es").shown == "1"


def test_filters_combine_and_a_custom_range_replaces_the_period(hq, notes, madrid):
    board = _board(hq, f"period=custom&date_from=2026-11-24&date_to=2026-11-25&site={madrid.pk}&kind=complaint")
    assert board.total == 2
    assert _board(hq, "period=last_week&caused_by_us=true").total == 2
    assert _board(hq, f"period=last_week&theme={notes['theme'].pk}").total == 4


def test_the_page_draws_the_charts_and_each_bar_drills_down_to_its_notes(client_for, notes, settings):
    client = client_for("hq")
    page = client.get(reverse("dashboard"), {"period": "custom", "date_from": "2026-11-23", "date_to": "2026-11-29"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Notes by kind" in html and "fewer than 3" in html
    link = next(url for s, url in page.context["charts"]["kinds"]["rows"] if s.key == "complaint")
    behind = client.get(reverse("dashboard") + link)
    assert behind.status_code == 200
    assert behind.context["page"].paginator.count == 4
    assert all(n.kind == "complaint" for n in behind.context["page"])


def test_bad_filters_are_shown_all_at_once_and_nothing_is_counted(client_for):
    page = client_for("hq").get(
        reverse("dashboard"), {"period": "custom", "date_from": "2026-12-01", "date_to": "2026-11-01", "kind": "rant"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "The end date is before the start date." in html and "rant is not one of the available choices" in html
    assert 'value="2026-12-01"' in html


def test_agents_may_not_open_the_dashboard(client_for):
    assert client_for("agent").get(reverse("dashboard")).status_code == 403
    api = APIClient()
    api.force_authenticate(UserFactory(role=User.Role.AGENT))
    assert api.get("/api/v1/dashboard/").status_code == 403


def test_the_api_answers_the_same_figures_and_withholds_small_counts(hq, lead, notes):
    api = APIClient()
    api.force_authenticate(hq)
    body = api.get(
        "/api/v1/dashboard/", {"period": "custom", "date_from": "2026-11-23", "date_to": "2026-11-29"}
    ).json()
    assert body["total"] == 8 and body["date_from"] == "2026-11-23"
    spanish = next(s for s in body["languages"] if s["key"] == "es")
    assert (spanish["count"], spanish["shown"], spanish["withheld"]) == (None, "fewer than 3", True)
    assert api.get("/api/v1/dashboard/", {"date_from": "not a date"}).status_code == 400
    api.force_authenticate(lead)
    mine = api.get(
        "/api/v1/dashboard/", {"period": "custom", "date_from": "2026-11-23", "date_to": "2026-11-29"}
    ).json()
    assert mine["total"] == 5 and next(s for s in mine["languages"] if s["key"] == "es")["count"] == 1


def test_exports_carry_the_view_redacted_and_without_the_agent(
    client_for, agent, notes, monkeypatch, settings, tmp_path
):
    from insights import tasks

    settings.MEDIA_ROOT = tmp_path
    asked = []
    monkeypatch.setattr(tasks.render_dashboard_pdf, "delay", lambda *args: asked.append(args))
    InsightFactory(agent=agent, text="Call me on 612 345 678 about the card", occurred_at=_at(date(2026, 11, 26)))
    client = client_for("hq")
    query = {"period": "custom", "date_from": "2026-11-23", "date_to": "2026-11-29"}
    figures_csv = client.get(reverse("dashboard_csv"), query)
    text = figures_csv.content.decode()
    assert text.startswith("\ufeff") and "Madrid" in text and "fewer than 3" in text
    notes_csv = b"".join(client.get(reverse("dashboard_notes_csv"), query).streaming_content).decode()
    assert "612 345 678" not in notes_csv and "[PHONE]" in notes_csv
    assert agent.username not in notes_csv
    waiting = client.get(reverse("dashboard_pdf"), query)
    assert waiting.status_code == 202 and 'http-equiv="refresh"' in waiting.content.decode()
    assert client.get(reverse("dashboard_pdf"), query).status_code == 202 and len(asked) == 1  # asked once
    tasks.render_dashboard_pdf(*asked[0])  # what the worker does
    pdf = client.get(reverse("dashboard_pdf"), query)
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client_for("lead").get(reverse("dashboard_pdf"), query).status_code == 202  # another reader: their own file


def test_a_running_week_is_marked_partial(hq, agent):
    InsightFactory(agent=agent, occurred_at=timezone.now() - timedelta(hours=1))
    from django.http import QueryDict

    view = services.view(hq, QueryDict("period=last_90_days"))
    board = services.dashboard(view)
    assert board.unit == "week" and board.partial and board.series[-1].count >= 1
