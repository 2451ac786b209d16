"""One list of a note's editable fields (Insight.EDITABLE_FIELDS): the form, the API and
the CSV import hold exactly those, so a new field cannot be editable in one place and not another."""

from __future__ import annotations

from voc.models import Insight
from voc.notes import imports
from voc.notes.api import NoteEditSerializer, NoteSerializer
from voc.notes.forms import NoteForm


def test_the_note_form_has_exactly_the_editable_fields():
    assert set(NoteForm.base_fields) == set(Insight.EDITABLE_FIELDS)


def test_the_api_writes_the_editable_fields_and_on_creation_the_clients_identity():
    created = {name for name, field in NoteSerializer().get_fields().items() if not field.read_only}
    edited = {name for name, field in NoteEditSerializer().get_fields().items() if not field.read_only}
    assert created == {*Insight.EDITABLE_FIELDS, "source", "external_id"}
    assert edited == set(Insight.EDITABLE_FIELDS)


def test_every_editable_field_is_a_column_of_the_csv_import():
    assert set(Insight.EDITABLE_FIELDS) <= set(imports.COLUMNS)
