"""A worker stores an import's row errors once; the page shows them in its reader's language
(English, Spanish, Galician), and errors stored before that still show as they were stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from voc.models import ImportJob
from voc.notes import import_jobs

pytestmark = pytest.mark.django_db

BODY = (
    b"kind,text,channel,external_id,lonely,agent\n"
    b"need,Fine,phone,L-1,no,lucia\n"
    b"rant,Bad kind,phone,L-2,no,lucia\n"
    b"need,Bad flag,phone,L-3,maybe,lucia\n"
    b'"need,"Broken,phone,L-4,no,lucia\n'
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def imported(client_for, lead) -> tuple[object, ImportJob]:
    lead.language = "en"  # the worker runs in the uploader's language
    lead.save(update_fields=["language"])
    client = client_for("lead")
    client.post("/notes/import/", {"file": SimpleUploadedFile("notes.csv", BODY)})
    job = import_jobs.run_import_job(ImportJob.objects.get().pk)
    assert job.invalid >= 2
    return client, job


def page_in(client, lead, job: ImportJob, language: str) -> str:
    lead.language = language
    lead.save(update_fields=["language"])
    return client.get(f"/notes/import/{job.pk}/").content.decode()


@pytest.mark.parametrize(
    ("language", "kind", "flag"),
    [
        ("en", "Unknown kind rant; choose one of", "Use yes or no."),
        ("es", "Tipo desconocido rant; elige uno de", "Usa sí o no."),
        ("gl", "Tipo descoñecido rant; escolle un de", "Usa yes ou no."),
    ],
)
def test_row_errors_stored_by_an_english_worker_show_in_the_readers_language(
    client_for, agent, lead, language, kind, flag
):
    client, job = imported(client_for, lead)
    page = page_in(client, lead, job, language)
    assert kind in page and flag in page


def test_the_spanish_page_shows_no_english_row_error(client_for, agent, lead):
    client, job = imported(client_for, lead)
    page = page_in(client, lead, job, "es")
    assert "Unknown kind" not in page and "Use yes or no." not in page


def test_row_errors_stored_before_they_were_kept_per_language_still_show(client_for, lead):
    job = ImportJob.objects.create(
        uploaded_by=lead,
        original_name="old.csv",
        status=ImportJob.Status.DONE,
        invalid=1,
        problems=[{"row": 3, "field": "kind", "reason": "Unknown kind rant; choose one of need, want."}],
    )
    page = page_in(client_for("lead"), lead, job, "es")
    assert "Unknown kind rant; choose one of need, want." in page
