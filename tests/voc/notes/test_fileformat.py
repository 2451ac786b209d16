"""What Excel writes, read back: each encoding and separator detected, stated on the page and by
the command, and a file the product exported imported back unchanged."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.factories import InsightFactory
from voc.models import ImportJob, Insight
from voc.notes import fileformat, import_jobs, imports

pytestmark = pytest.mark.django_db

ROWS = [
    ["kind", "text", "channel", "external_id", "agent"],
    ["need", "Quiere una oficina en A Coruña, ¿cuándo?", "phone", "F-1", "lucia"],
    ["love", "Le encantó la atención; volverá", "chat", "F-2", "lucia"],
]
ENCODINGS = {
    "utf-8": (b"", "utf-8", "utf-8-sig", "UTF-8"),
    "utf-8 with BOM": (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8"),
    "utf-16 le": (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", "UTF-16"),
    "utf-16 be": (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", "UTF-16"),
    "cp1252": (b"", "cp1252", "cp1252", "Latin-1 (Windows)"),
}
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def encoded(name: str, delimiter: str, rows: list[list[str]] = ROWS) -> bytes:
    bom, codec, _detected, _label = ENCODINGS[name]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return bom + out.getvalue().encode(codec)


@pytest.mark.parametrize("delimiter", list(SEPARATORS))
@pytest.mark.parametrize("name", list(ENCODINGS))
def test_each_encoding_and_separator_is_detected_and_imported_with_its_accents(agent, name, delimiter):
    body = encoded(name, delimiter)
    found = fileformat.detect(io.BytesIO(body))
    assert (found.encoding, found.delimiter) == (ENCODINGS[name][2], delimiter)
    with translation.override("en"):
        assert found.describe() == f"Read as {ENCODINGS[name][3]}" + (
            f", separated by {SEPARATORS[delimiter]}."
            if name.startswith(("utf-8", "cp"))
            else f" (Unicode), separated by {SEPARATORS[delimiter]}."
        )
    report = imports.import_notes(stream=io.BytesIO(body), default_agent=agent)
    assert (report.created, report.invalid, report.fatal) == (2, 0, "")
    assert set(Insight.objects.values_list("text", flat=True)) == {ROWS[1][1], ROWS[2][1]}


def test_detection_leaves_the_stream_where_it_was(agent):
    stream = io.BytesIO(encoded("cp1252", ";"))
    fileformat.detect(stream)
    assert stream.tell() == 0


def test_a_semicolon_inside_a_quoted_header_field_does_not_make_it_the_separator():
    assert fileformat.delimiter_of('kind,"text; what they said",channel') == ","
    assert fileformat.delimiter_of("kind;text;channel") == ";"


def test_a_semicolon_inside_a_quoted_text_is_kept_in_a_comma_file(agent):
    body = b'kind,text,channel\nneed,"One; two; three",phone\n'
    report = imports.import_notes(stream=io.BytesIO(body), default_agent=agent)
    assert report.created == 1 and Insight.objects.get().text == "One; two; three"


def test_a_single_column_file_is_read_with_commas_and_refused_for_its_missing_columns(agent):
    body = b"text\nHola\n"
    assert fileformat.detect(io.BytesIO(body)).delimiter == ","
    with pytest.raises(imports.FileProblem, match="Missing columns: kind, channel"):
        imports.check_file(stream=io.BytesIO(body))


def test_an_empty_file_is_a_clear_error(agent):
    with pytest.raises(imports.FileProblem, match="empty"):
        imports.check_file(stream=io.BytesIO(b""))


def test_binary_garbage_is_a_clear_error_on_the_form_not_a_500(client_for, agent):
    garbage = bytes(range(256)) * 40
    response = client_for("lead").post("/notes/import/", {"file": SimpleUploadedFile("x.csv", garbage)})
    assert response.status_code == 200 and "not a text file" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_latin1_bytes_cp1252_leaves_undefined_are_read_as_iso_latin1(agent):
    body = "kind,text,channel\nneed,Año\x81,phone\n".encode("latin-1")
    assert fileformat.detect(io.BytesIO(body)).encoding == fileformat.LATIN1


def test_the_status_page_states_what_was_detected_in_the_readers_language(client_for, agent, lead):
    client = client_for("lead")
    client.post("/notes/import/", {"file": SimpleUploadedFile("es.csv", encoded("cp1252", ";"))})
    job = ImportJob.objects.get()
    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    import_jobs.run_import_job(job.pk)
    assert Insight.objects.count() == 2
    page = client.get(f"/notes/import/{job.pk}/").content.decode()
    assert "Read as Latin-1 (Windows), separated by semicolons." in page
    lead.language = "es"
    lead.save(update_fields=["language"])
    spanish = client.get(f"/notes/import/{job.pk}/")
    assert "Leído como Latin-1 (Windows), separado por puntos y comas." in spanish.content.decode()


def test_a_job_from_before_detection_states_nothing(client_for, lead):
    job = ImportJob.objects.create(uploaded_by=lead, original_name="old.csv", status=ImportJob.Status.DONE)
    assert "Read as" not in client_for("lead").get(f"/notes/import/{job.pk}/").content.decode()


def test_the_command_states_what_was_detected(tmp_path, agent):
    path = tmp_path / "es.csv"
    path.write_bytes(encoded("utf-16 le", "\t"))
    out = io.StringIO()
    call_command("import_notes", str(path), stdout=out)
    assert "Read as UTF-16 (Unicode), separated by tabs." in out.getvalue() and "2 imported" in out.getvalue()


def test_the_command_refuses_binary_garbage_clearly(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(CommandError, match="not a text file"):
        call_command("import_notes", str(path))


def test_the_notes_export_starts_with_a_bom_and_imports_back_unchanged(client_for, agent, lead):
    InsightFactory(agent=agent, text="=1+1 dijo el cliente, ¿vale?", external_id="X-1", source="csv")
    client = client_for("lead")
    exported = b"".join(client.get("/notes/export.csv").streaming_content)
    assert exported.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0]["text"] == "'=1+1 dijo el cliente, ¿vale?"  # no live formula in a spreadsheet
    Insight.objects.all().delete()
    keep = ["kind", "text", "channel", "language", "source", "external_id"]
    out = io.StringIO(newline="")
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=keep, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    report = imports.import_notes(stream=io.BytesIO(out.getvalue().encode("utf-8")), default_agent=agent)
    assert (report.created, report.invalid) == (1, 0)
    assert Insight.objects.get().text == "=1+1 dijo el cliente, ¿vale?"


def test_the_rows_to_fix_file_starts_with_a_bom(tmp_path, agent):
    out = io.StringIO()
    imports.ErrorCsv(out)
    assert out.getvalue().startswith("\ufeffrow,error,")


def test_the_xlsx_export_opens_with_openpyxl_redacted_and_with_no_live_formula(client_for, agent, other_site_agent):
    from openpyxl import load_workbook

    from voc.models import AuditEntry
    from voc.notes import services

    services.record_note(agent=agent, kind="need", text='=HYPERLINK("http://x") card 4111111111111111', channel="phone")
    services.record_note(agent=agent, kind="love", text="Le encantó, ¿sí?", channel="chat")
    services.record_note(agent=other_site_agent, kind="need", text="Other site", channel="phone")
    response = client_for("lead").get("/notes/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = rows[0].index("text")
    texts = [row[text] for row in rows[1:]]
    assert texts == ['\'=HYPERLINK("http://x") card [CARD]', "Le encantó, ¿sí?"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEntry.objects.filter(action="notes.exported").count() == 1
