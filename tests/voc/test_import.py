"""Bulk import: per-row report, idempotency, whole-file problems, the leads' upload page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from tests.celery_worker import running_worker, wait_for
from tests.factories import UserFactory
from voc import imports, tasks
from voc.models import ImportJob, Insight

pytestmark = pytest.mark.django_db

GOOD = """kind,text,channel,external_id,occurred_at,language,customer_abroad,caused_by_us,lonely,agent
need,Wants a branch in Lugo,phone,E-1,2026-11-02T10:00,es,no,no,no,lucia
thanks,Called to say thank you,phone,,2026-11-03,,,,yes,lucia
"""


def write(tmp_path: Path, text: str, name: str = "notes.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_notes", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_good_file_imports_every_row(tmp_path, agent, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    output = run(write(tmp_path, GOOD))
    assert "2 rows: 2 imported, 0 already there, 0 with errors." in output
    branch = Insight.objects.get(external_id="E-1")
    assert branch.agent == agent and branch.language == "es" and branch.source == "csv"
    thanks = Insight.objects.get(kind="thanks")
    assert thanks.lonely and thanks.external_id.startswith("row:")


def test_importing_the_same_file_twice_stores_nothing_new(tmp_path, agent):
    path = write(tmp_path, GOOD)
    run(path)
    output = run(path)
    assert "2 rows: 0 imported, 2 already there, 0 with errors." in output
    assert Insight.objects.count() == 2


def test_invalid_rows_are_reported_with_row_field_and_reason_and_the_rest_imported(tmp_path, agent):
    text = (
        GOOD
        + "rant,Bad kind,phone,E-3,,,,,,lucia\nneed,,phone,E-4,,,,,,lucia\nneed,Unknown agent,phone,E-5,,,,,,nobody\n"
    )
    text += "need,Bad flag,phone,E-6,,,maybe,,,lucia\nneed,Bad date,phone,E-7,23/11/2026,,,,,lucia\n"
    output = run(write(tmp_path, text))
    assert "row 4: kind: Unknown kind rant" in output
    assert "row 5: text: Write what the customer said." in output
    assert "row 6: agent: No active person is called nobody." in output
    assert "row 7: customer_abroad: Use yes or no (got maybe)." in output
    assert "row 8: occurred_at: Use a date like 2026-11-23" in output
    assert "7 rows: 2 imported, 0 already there, 5 with errors." in output


def test_the_rows_to_fix_can_be_fixed_and_imported_again(tmp_path, agent):
    errors = tmp_path / "errors.csv"
    run(write(tmp_path, GOOD + "rant,Bad kind,phone,E-3,,,,,,lucia\n"), "--errors", str(errors))
    rows = list(csv.DictReader(errors.open()))
    assert len(rows) == 1 and rows[0]["row"] == "4" and rows[0]["error"].startswith("kind:")
    fixed = errors.read_text().replace(",rant,", ",frustration,")
    output = run(write(tmp_path, fixed, "fixed.csv"))
    assert "1 rows: 1 imported" in output
    assert Insight.objects.filter(external_id="E-3", kind="frustration").exists()


def test_rows_without_an_agent_go_to_the_agent_named_on_the_command_line(tmp_path, agent):
    output = run(write(tmp_path, "kind,text,channel\nlove,Loves the app,chat\n"), "--agent", "lucia")
    assert "1 imported" in output and Insight.objects.get().agent == agent
    nobody = run(write(tmp_path, "kind,text,channel\nlove,Loves it,chat\n", "b.csv"))
    assert "row 2: agent: Say who heard it" in nobody and Insight.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("", "utf-8", "The file is empty"),
        ("kind,text,channel\n", "utf-8", "has a header but no notes"),
        ("kind,text\nneed,Hi\n", "utf-8", "Missing columns: channel"),
        ("kind,text,channel,mood\nneed,Hi,phone,happy\n", "utf-8", "Unknown columns: mood"),
        ("kind,text,channel,agent\nneed,Años sin tarjeta,phone,lucia\n", "latin-1", "not UTF-8"),
    ],
)
def test_whole_file_problems_get_a_clear_message(tmp_path, agent, content, encoding, message):
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, content, encoding=encoding))
    assert Insight.objects.count() == 0


def test_a_row_with_more_values_than_columns_is_reported(tmp_path, agent):
    output = run(write(tmp_path, "kind,text,channel,agent\nneed,Hi,phone,lucia,extra\n"))
    assert "row 2: row: This row has more values than the header has columns." in output


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.csv")


def test_a_lead_may_attribute_rows_only_to_people_at_their_sites(agent, other_site_agent, lead):
    text = "kind,text,channel,agent\nneed,Mine,phone,lucia\nneed,Theirs,phone,amy\nneed,Lead's own,phone,\n"
    report = imports.import_notes(stream=io.BytesIO(text.encode()), importer=lead, default_agent=lead)
    assert report.created == 2 and report.invalid == 1
    assert report.problems[0].field == "agent" and "not at a site you lead" in report.problems[0].reason


def test_the_upload_page_queues_the_import_after_commit(client_for, agent, django_capture_on_commit_callbacks):
    client = client_for("lead")
    upload = SimpleUploadedFile("notes.csv", GOOD.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/notes/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notes/import/{job.pk}/"
    assert job.status == "queued" and len(callbacks) == 1
    imports.run_import_job(job.pk)
    imports.run_import_job(job.pk)  # a redelivered task does nothing more
    job.refresh_from_db()
    assert (job.status, job.rows, job.created, job.invalid) == ("done", 2, 2, 0)
    assert Insight.objects.count() == 2
    page = client.get(f"/notes/import/{job.pk}/").content.decode()
    assert "Notes imported" in page


def test_the_upload_page_offers_the_rows_to_fix(client_for, agent):
    client = client_for("lead")
    upload = SimpleUploadedFile("notes.csv", (GOOD + "rant,Bad,phone,E-9,,,,,,lucia\n").encode())
    client.post("/notes/import/", {"file": upload})
    job = ImportJob.objects.get()
    imports.run_import_job(job.pk)
    page = client.get(f"/notes/import/{job.pk}/").content.decode()
    assert "Rows to fix" in page and "Unknown kind rant" in page
    download = client.get(f"/notes/import/{job.pk}/errors.csv")
    assert b"rant,Bad" in b"".join(download.streaming_content)


def test_an_empty_upload_is_refused_on_the_form(client_for):
    response = client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("e.csv", b"")})
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "empty" in response.content.decode()


def test_an_import_is_visible_to_its_uploader_only(client_for, lead, manchester):
    job = ImportJob.objects.create(uploaded_by=lead, original_name="x.csv")
    other_lead = UserFactory(username="sarah", role="lead", site=manchester)
    assert client_for("lead").get(f"/notes/import/{job.pk}/").status_code == 200
    other = Client()
    other.force_login(other_lead)
    assert other.get(f"/notes/import/{job.pk}/").status_code == 404
    for role in ["agent", "hq", "executive", "admin"]:
        assert client_for(role).get(f"/notes/import/{job.pk}/").status_code == 403


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_by_a_real_worker(client_for, agent, django_capture_on_commit_callbacks):
    client = client_for("lead")
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/notes/import/", {"file": SimpleUploadedFile("notes.csv", GOOD.encode())})
    job = ImportJob.objects.get()
    with running_worker() as queue:
        tasks.run_import.apply_async(args=[job.pk], queue=queue)
        assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == "done")
    assert Insight.objects.count() == 2
