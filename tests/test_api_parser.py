"""config.api: the API's JSON parser refuses, with 400, bodies that used to be 500s."""

from __future__ import annotations

import pytest

from voc.models import Insight

pytestmark = pytest.mark.django_db

URL = "/api/v1/notes/"


def test_json_nested_100000_deep_is_a_400(client_for):
    body = "[" * 100_000 + "]" * 100_000
    response = client_for("agent").post(URL, body, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_json_nested_past_the_limit_is_a_400_even_when_python_could_parse_it(client_for):
    body = '{"kind": ' + "[" * 40 + "]" * 40 + "}"
    response = client_for("agent").post(URL, body, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_a_control_character_in_a_json_key_is_a_400(client_for):
    response = client_for("agent").post(
        URL, '{"kind": "want", "text": "ok", "channel": "phone", "x\\u0001": 1}', content_type="application/json"
    )
    assert response.status_code == 400 and Insight.objects.count() == 0


def test_ordinary_json_with_new_lines_in_text_still_creates_a_note(client_for):
    response = client_for("agent").post(
        URL, {"kind": "want", "text": "Line one\nline two\ttabbed", "channel": "phone"}, content_type="application/json"
    )
    assert response.status_code == 201 and Insight.objects.get().text == "Line one\nline two\ttabbed"


def test_a_patch_as_a_form_with_a_null_byte_is_a_400_not_a_500(client_for, agent):
    """Found by the fuzzer: PUT/PATCH forms reach DRF's parsers, not the POST-only middleware check."""
    note = client_for("agent").post(
        URL, {"kind": "want", "text": "ok", "channel": "phone"}, content_type="application/json"
    )
    response = client_for("agent").patch(
        f"{URL}{note.json()['id']}/",
        "product_area=Cards%00B&text=fine",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert Insight.objects.get().text == "ok"


def test_a_multipart_patch_with_a_control_character_is_a_400(client_for):
    from django.test.client import encode_multipart

    note = client_for("agent").post(
        URL, {"kind": "want", "text": "ok", "channel": "phone"}, content_type="application/json"
    )
    body = encode_multipart("BoUnDaRy", {"product_area": "Cards\x00B", "text": "fine"})
    response = client_for("agent").patch(
        f"{URL}{note.json()['id']}/", body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    assert response.status_code == 400
    assert Insight.objects.get().text == "ok"
