"""The quick form shows every problem at once, in a summary that links to each field, and keeps
what was typed."""

import pytest
from django.urls import reverse

from voc.models import Insight

pytestmark = pytest.mark.django_db


def test_a_bad_email_and_missing_consent_and_an_empty_text_are_shown_together(client_for):
    response = client_for("agent").post(
        reverse("capture"),
        {
            "text": "",
            "kind": "complaint",
            "channel": "phone",
            "contact_name": "Rosa Díaz",
            "contact_email": "rosa@",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))]
    assert 'href="#id_text"' in summary
    assert 'href="#id_contact_email"' in summary
    assert 'href="#id_contact_consent"' in summary
    assert 'value="Rosa Díaz"' in page and 'value="rosa@"' in page
    assert not Insight.objects.exists()
