"""In a real browser: a lead uploads the semicolon-separated Latin-1 "CSV" Spanish Excel saves,
the rows are imported with their accents and the page says how the file was read."""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_loop import sign_in
from voc.models import ImportJob, Insight
from voc.notes import import_jobs

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SPANISH_EXCEL = (
    "kind;text;channel;external_id;agent\r\n"
    "need;Quiere una oficina en A Coruña;phone;XL-1;lucia\r\n"
    "love;Le encantó la atención, volverá;chat;XL-2;lucia\r\n"
).encode("cp1252")


def test_a_lead_uploads_a_spanish_excel_csv_and_sees_it_imported_and_how_it_was_read(
    live_server, browser: Browser, agent, lead, password, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = browser.new_page()
    sign_in(page, live_server.url, "marta", password)
    page.goto(f"{live_server.url}/notes/import/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "notas.csv", "mimeType": "text/csv", "buffer": SPANISH_EXCEL}]
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("h1")).to_contain_text("notas.csv")
    import_jobs.run_import_job(ImportJob.objects.get().pk)  # what the worker does
    page.reload()
    expect(page.locator(".file-format")).to_have_text("Read as Latin-1 (Windows), separated by semicolons.")
    expect(page.locator("dl.facts")).to_contain_text("2")
    assert set(Insight.objects.values_list("text", flat=True)) == {
        "Quiere una oficina en A Coruña",
        "Le encantó la atención, volverá",
    }
