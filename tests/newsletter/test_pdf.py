"""The PDFs as a reader gets them: text extracted with pypdf, pages counted."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from newsletter import pdf
from newsletter.models import Fact, Issue
from tests.factories import IssueFactory, ThemeFactory
from tests.newsletter.conftest import WEEK
from voc import documents
from voc.models import Insight

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def pages(content: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces (lines wrap anywhere)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def make_issue(facts: list[dict], **fields) -> Issue:
    issue = IssueFactory(week_start=WEEK, **fields)
    for position, values in enumerate(facts):
        Fact.objects.create(
            issue=issue,
            key=f"fact{position}",
            position=values.pop("position", position),
            base=values.pop("base", 1234),
            period_start=WEEK,
            period_end=WEEK + timedelta(days=6),
            **values,
        )
    return issue


@pytest.fixture
def issue(db) -> Issue:
    return make_issue(
        [
            {
                "number": 112,
                "position": 1,
                "sentence_en": "Did you know… 112 customers took the time to thank us this week?",
                "sentence_es": "¿Sabías que… 112 clientes se tomaron el tiempo de darnos las gracias esta semana?",
                "quote": "Thank you for sorting out my card so quickly",
            },
            {
                "number": 123,
                "position": 2,
                "percent": 10.0,
                "sentence_en": "Did you know… 10% of this week's notes came from customers abroad?",
                "sentence_es": "¿Sabías que… el 10% de las notas de esta semana vinieron de clientes en el extranjero?",
            },
            {
                "number": 7,
                "position": 3,
                "included": False,
                "sentence_en": "Did you know… this dropped fact must not be printed?",
                "sentence_es": "¿Sabías que… este dato descartado no se imprime?",
            },
            {
                "number": 5,
                "position": 0,  # moved to the top by the editor
                "sentence_en": "Did you know… 5 people called us because they were lonely?",
                "sentence_es": "¿Sabías que… 5 personas nos llamaron porque se sentían solas?",
            },
        ],
        notes_count=1234,
        editor_note="Special thanks to the Sevilla team for a record week.",
    )


def test_the_weekly_is_one_page_with_the_included_facts_in_order_and_the_editors_note(issue):
    [text] = pages(pdf.weekly(issue))
    assert "Did you know…?" in text and "2026-W45" in text and "2 November \N{EN DASH} 8 November 2026" in text
    lonely = text.index("5 people called us because they were lonely?")
    thanks = text.index("112 customers took the time to thank us this week?")
    abroad = text.index("10% of this week's notes came from customers abroad?")
    assert lonely < thanks < abroad  # by position, not by creation
    assert "“Thank you for sorting out my card so quickly”" in text
    assert "112" in text and "10%" in text and "n = 1,234" in text
    assert "Special thanks to the Sevilla team for a record week." in text
    assert "1,234 notes logged this week" in text and "Listening Post" in text
    assert "dropped fact" not in text


def test_the_weekly_prints_in_the_organisations_language(issue, settings):
    settings.LANGUAGE_CODE = "es"
    [text] = pages(pdf.weekly(issue))
    assert "112 clientes se tomaron el tiempo de darnos las gracias esta semana?" in text
    assert "thank us this week" not in text


def test_twelve_long_facts_and_a_long_editors_note_still_fit_on_one_page(db):
    long = "and they told us about it in great detail, with the dates, the amounts and the names of the branches "
    facts = [
        {
            "number": 1000 + i,
            "sentence_en": f"Did you know… fact number {i} came up {1000 + i} times this week {long * 2}end{i}?",
            "sentence_es": f"¿Sabías que… dato {i}?",
            "quote": f"Quote {i}: " + long * 2,
        }
        for i in range(12)
    ]
    issue = make_issue(facts, notes_count=99, editor_note="A long note from the editor. " * 40)
    content = pdf.weekly(issue)
    [text] = pages(content)
    assert "end0?" in text and "end11?" in text and "1,011" in text


def test_the_pdfs_use_the_shipped_fonts_and_never_fetch_from_the_network(issue):
    reader = PdfReader(io.BytesIO(pdf.weekly(issue)))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts and all("+Source-Sans-3" in name for name in fonts)
    with pytest.raises(ValueError, match="disallowed protocol"):
        documents.url_fetcher().fetch("https://fonts.example.com/source-sans.woff")


@pytest.fixture
def october(add_notes, other_site_agent):
    """October: 7 notes about cards (3 from abroad), 3 thanks, 2 about a branch (too few to show),
    5 complaints from Manchester. September: 4 notes about cards."""
    cards = ThemeFactory(name="Card not arrived")
    branch = ThemeFactory(name="Branch closing")
    add_notes(4, week=date(2026, 9, 14), theme=cards, text="My card has still not arrived after two weeks")
    add_notes(4, week=date(2026, 10, 5), theme=cards, text="My card has still not arrived after two weeks")
    add_notes(3, week=date(2026, 10, 5), theme=cards, customer_abroad=True, text="I am in Paris and have no card")
    add_notes(3, week=date(2026, 10, 12), kind=Insight.Kind.THANKS, text="Thank you, you were very kind to me")
    add_notes(2, week=date(2026, 10, 12), theme=branch, text="Why are you closing my branch in the village?")
    add_notes(5, week=date(2026, 10, 19), kind=Insight.Kind.COMPLAINT, agent=other_site_agent)
    now = timezone.now()
    sent = IssueFactory(week_start=date(2026, 10, 5), status=Issue.Status.SENT, approved_at=now, sent_at=now)
    Fact.objects.create(
        issue=sent,
        key="abroad",
        number=3,
        base=7,
        period_start=sent.week_start,
        period_end=sent.week_end,
        sentence_en="Did you know… 3 customers called us from abroad this week?",
        sentence_es="¿Sabías que… 3 clientes nos llamaron desde el extranjero?",
    )


def test_the_monthly_pack_has_a_cover_contents_page_numbers_and_the_months_figures(october):
    text = pages(pdf.monthly(OCTOBER))
    cover, rest = text[0], " ".join(text[1:])
    assert len(text) >= 3
    assert "Monthly head-office pack" in cover and "October 2026" in cover
    tiles = cover.replace(" ", "")
    assert "17Noteslogged+325%vsSeptember" in tiles and "5Complaints" in tiles
    assert "3Thanks17.6%ofnotes·noneinSeptember" in tiles
    for number, page in enumerate(text[1:], start=2):
        assert f"Page {number} of {len(text)}" in page
        assert "Listening Post · Monthly head-office pack" in page and "October 2026" in page
    contents = dict(re.findall(r"\d\. ([A-Z][^.0-9]+?) (\d+)", cover.split("CONTENTS", 1)[1]))
    assert list(contents) == [
        "The month in figures",
        "Kinds, sites and languages",
        "Top themes of the month",
        "Rising themes",
        "In customers' own words",
        "This month's “Did you know…?”",
    ]
    for title, number in contents.items():  # each entry points at the page its section starts on
        assert title in text[int(number) - 1]
    assert "Card not arrived 7 4 +75%" in rest  # mentions, September, change
    assert "Manchester 29.4% — new" in rest
    assert "“I am in Paris and have no card”" in rest
    assert "Did you know… 3 customers called us from abroad this week?" in rest
    assert "Branch closing" not in rest and "closing my branch" not in rest


def test_a_quiet_month_gets_a_cover_that_says_there_is_nothing_to_publish(add_notes):
    add_notes(2, week=date(2026, 10, 5))
    [cover] = pages(pdf.monthly(OCTOBER))
    assert "Fewer than 3 notes were logged this month, so there are no figures to publish." in cover
    assert "CONTENTS" not in cover
