"""Who may see, edit, approve and send what: every page and endpoint, every role."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from newsletter import services
from newsletter.models import Delivery, Issue, MonthlyPack, Subscription
from tests.factories import IssueFactory
from tests.newsletter.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db
ROLES = ["agent", "lead", "hq", "executive", "admin"]
EDITORS = {"lead"}
REPORT_READERS = {"hq", "executive", "admin"}


@pytest.fixture
def draft(add_notes) -> Issue:
    add_notes(5, caused_by_us=True, text="You charged me twice for the same transfer <script>alert(1)</script>")
    add_notes(4, customer_abroad=True, text="I am abroad and the app will not let me log in")
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    return issue


@pytest.fixture
def sent(draft, lead) -> Issue:
    draft.pdf.save("w45.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    draft.pdf_rendered_at = timezone.now()
    draft.save()
    services.approve_issue(issue=draft, by=lead)
    services.send_issue(issue=draft)
    return Issue.objects.get(pk=draft.pk)


@pytest.mark.parametrize(
    ("language", "week"),
    [
        ("en", "2 November \N{EN DASH} 8 November 2026"),
        ("es", "2 de noviembre \N{EN DASH} 8 de noviembre de 2026"),
        ("gl", "2 de novembro \N{EN DASH} 8 de novembro de 2026"),
    ],
)
def test_the_archive_dates_each_week_as_its_reader_writes_dates(client_for, cast, sent, language, week):
    cast["hq"].language = language
    cast["hq"].save(update_fields=["language"])
    page = client_for("hq").get(reverse("newsletter_list"), HTTP_ACCEPT_LANGUAGE=language).text
    assert week in page


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_archive_of_sent_issues(role, client_for, sent):
    response = client_for(role).get(reverse("newsletter_list"))
    assert response.status_code == 200 and "2026-W45" in response.text
    detail = client_for(role).get(reverse("newsletter_detail", args=[sent.pk]))
    assert detail.status_code == 200 and "came from customers abroad" in detail.text
    assert "&lt;script&gt;" in detail.text and "<script>alert" not in detail.text
    pdf = client_for(role).get(reverse("newsletter_pdf", args=[sent.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_visible_to_editors_only(role, client_for, draft):
    listing = client_for(role).get(reverse("newsletter_list"))
    detail = client_for(role).get(reverse("newsletter_detail", args=[draft.pk]))
    if role in EDITORS:
        assert "2026-W45" in listing.text and detail.status_code == 200
        assert reverse("newsletter_approve", args=[draft.pk]) in detail.text
    else:
        assert "2026-W45" not in listing.text and detail.status_code == 404


def test_the_archive_searches_the_facts_and_paginates(client_for, sent, django_assert_max_num_queries):
    client = client_for("agent")
    assert "2026-W45" in client.get(reverse("newsletter_list"), {"q": "abroad"}).text
    assert "2026-W45" not in client.get(reverse("newsletter_list"), {"q": "zebra"}).text
    for i in range(1, 30):
        IssueFactory(
            week_start=WEEK.replace(year=2025) - timezone.timedelta(weeks=i),
            status="sent",
            sent_at=timezone.now(),
            approved_at=timezone.now(),
        )
    with django_assert_max_num_queries(8):
        page = client.get(reverse("newsletter_list"))
    assert page.text.count("/newsletters/") >= 20 and "Page 1 of 2" in page.text


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_edit_approve_send_and_preview(role, client_for, draft):
    client = client_for(role)
    edit = client.get(reverse("newsletter_edit", args=[draft.pk]))
    preview = client.get(reverse("newsletter_email_preview", args=[draft.pk]))
    approve = client.post(reverse("newsletter_approve", args=[draft.pk]))
    draft.refresh_from_db()
    if role in EDITORS:
        assert edit.status_code == 200 and preview.status_code == 200 and "Did you know" in preview.text
        assert approve.status_code == 302 and draft.status == Issue.Status.APPROVED
        send = client.post(reverse("newsletter_send", args=[draft.pk]))
        assert send.status_code == 302 and Delivery.objects.filter(issue=draft).exists()
    else:
        assert {edit.status_code, preview.status_code, approve.status_code} == {403}
        assert client.post(reverse("newsletter_send", args=[draft.pk])).status_code == 403
        assert draft.status == Issue.Status.DRAFT and not Delivery.objects.exists()


def test_the_edit_form_reshows_what_was_typed_when_it_is_refused(client_for, draft):
    facts = list(draft.facts.all())
    data = {"editor_note": "Kept note", "facts-TOTAL_FORMS": len(facts), "facts-INITIAL_FORMS": len(facts)}
    for i, fact in enumerate(facts):
        data |= {
            f"facts-{i}-id": fact.pk,
            f"facts-{i}-position": i,
            f"facts-{i}-sentence_en": f"My words {i}",
            f"facts-{i}-sentence_es": f"Mis palabras {i}",
        }
    response = client_for("lead").post(reverse("newsletter_edit", args=[draft.pk]), data)  # every fact unticked
    assert response.status_code == 200 and "Keep at least one fact" in response.text
    assert "Kept note" in response.text and "My words 1" in response.text
    data["facts-0-included"] = "on"
    response = client_for("lead").post(reverse("newsletter_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Issue.Status.REVIEWED and draft.facts.get(position=0).sentence_en == "My words 0"


def test_a_tampered_edit_form_with_extra_or_foreign_facts_is_refused_not_a_500(client_for, draft):
    facts = list(draft.facts.all())
    data = {"facts-TOTAL_FORMS": len(facts) + 2, "facts-INITIAL_FORMS": len(facts)}
    for i, fact in enumerate(facts):
        data |= {
            f"facts-{i}-id": fact.pk,
            f"facts-{i}-position": i,
            f"facts-{i}-included": "on",
            f"facts-{i}-sentence_en": fact.sentence_en,
            f"facts-{i}-sentence_es": fact.sentence_es,
        }
    extra = len(facts)
    data |= {f"facts-{extra}-position": 9, f"facts-{extra}-sentence_en": "Made up", f"facts-{extra}-sentence_es": "X"}
    client = client_for("lead")
    response = client.post(reverse("newsletter_edit", args=[draft.pk]), data)
    assert response.status_code in (200, 302)
    assert draft.facts.count() == len(facts) and not draft.facts.filter(sentence_en="Made up").exists()
    data = {k: v for k, v in data.items() if not k.startswith(f"facts-{extra}-")}
    data["facts-0-id"] = 10**9  # not a fact of this issue
    response = client.post(reverse("newsletter_edit", args=[draft.pk]), data)
    assert response.status_code == 200 and draft.facts.count() == len(facts)


def test_approving_twice_from_the_page_shows_a_clear_message(client_for, draft):
    client = client_for("lead")
    client.post(reverse("newsletter_approve", args=[draft.pk]))
    response = client.post(reverse("newsletter_approve", args=[draft.pk]), follow=True)
    assert "already approved" in response.text


def test_sending_an_unapproved_issue_from_the_page_is_refused(client_for, draft):
    response = client_for("lead").post(reverse("newsletter_send", args=[draft.pk]), follow=True)
    assert "Only an approved issue can be sent" in response.text and not Delivery.objects.exists()


def test_a_pdf_the_media_folder_lost_is_rendered_again_not_a_500(client_for, sent):
    sent.pdf.storage.delete(sent.pdf.name)
    response = client_for("agent").get(reverse("newsletter_pdf", args=[sent.pk]))
    sent.refresh_from_db()
    assert response.status_code == 302 and sent.pdf_rendered_at is None and sent.pdf_requested_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_monthly_packs_are_for_head_office_executives_and_admins(role, client_for, db):
    pack = MonthlyPack.objects.create(month=WEEK.replace(day=1), rendered_at=timezone.now())
    pack.pdf.save("pack.pdf", ContentFile(b"%PDF-1.7 pack"))
    listing = client_for(role).get(reverse("newsletter_packs"))
    download = client_for(role).get(reverse("newsletter_pack_pdf", args=[pack.pk]))
    if role in REPORT_READERS:
        assert listing.status_code == 200 and "November 2026" in listing.text and download.status_code == 200
    else:
        assert listing.status_code == 403 and download.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sets_their_own_email_settings(role, client_for, cast):
    client = client_for(role)
    page = client.get(reverse("newsletter_subscription"))
    assert page.status_code == 200 and ("monthly head-office pack" in page.text) == (role in REPORT_READERS)
    client.post(reverse("newsletter_subscription"), {"monthly_pack": "on"})
    subscription = Subscription.objects.get(user=cast[role])
    assert subscription.weekly is False and subscription.monthly_pack is (role in REPORT_READERS)


def test_the_unsubscribe_link_works_without_signing_in_and_asks_first(client, cast):
    url = reverse("newsletter_unsubscribe", args=[services.unsubscribe_token(user=cast["agent"])])
    assert client.get(url).status_code == 200 and services.subscription_for(cast["agent"]).weekly
    assert client.post(url).status_code == 200
    assert not Subscription.objects.get(user=cast["agent"]).weekly
    assert client.post(url + "tampered/").status_code == 404
    assert client.post(reverse("newsletter_unsubscribe", args=["nonsense"])).status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_sent_issues_with_facts_and_pdf_links(role, client_for, sent, draft_week_two):
    response = client_for(role).get("/api/v1/newsletters/")
    assert response.status_code == 200
    weeks = [r["week"] for r in response.json()["results"]]
    assert weeks == (["2026-W46", "2026-W45"] if role in EDITORS else ["2026-W45"])
    issue = next(r for r in response.json()["results"] if r["week"] == "2026-W45")
    assert issue["pdf_url"].endswith(f"/newsletters/{sent.pk}/pdf/")
    abroad = next(f for f in issue["facts"] if f["key"] == "abroad")
    assert (abroad["number"], abroad["base"], abroad["period_start"]) == (4, 9, "2026-11-02")
    detail = client_for(role).get(f"/api/v1/newsletters/{draft_week_two.pk}/")
    assert detail.status_code == (200 if role in EDITORS else 404)


def test_the_api_list_uses_a_fixed_number_of_queries(client_for, sent, django_assert_max_num_queries):
    for i in range(1, 30):
        issue = IssueFactory(
            week_start=WEEK.replace(year=2025) - timezone.timedelta(weeks=i),
            status="sent",
            sent_at=timezone.now(),
            approved_at=timezone.now(),
        )
        for position, fact in enumerate(sent.facts.all()):
            fact.pk, fact.issue, fact.position = None, issue, position
            fact.save()
    client = client_for("agent")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/newsletters/")
    assert response.status_code == 200 and response.json()["count"] == 30
    assert all(issue["facts"] for issue in response.json()["results"])


def test_the_api_needs_authentication_and_is_read_only(client, client_for, sent):
    assert client.get("/api/v1/newsletters/").status_code == 401
    assert client_for("lead").post("/api/v1/newsletters/", {}).status_code == 405


@pytest.fixture
def draft_week_two(add_notes) -> Issue:
    add_notes(4, week=WEEK + timezone.timedelta(weeks=1), lonely=True)
    issue, _ = services.prepare_weekly_issue(week_start=WEEK + timezone.timedelta(weeks=1), today=TODAY)
    return issue


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_ask_for_last_weeks_draft_and_it_is_drafted_by_a_worker(role, client_for, monkeypatch):
    from newsletter import tasks

    queued = []
    monkeypatch.setattr(tasks.draft_weekly_issue, "delay", lambda: queued.append(1))
    response = client_for(role).post(reverse("newsletter_draft"))
    assert response.status_code == (302 if role in EDITORS else 403) and len(queued) == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_a_pdf_not_rendered_yet_is_queued_for_a_worker_not_rendered_in_the_request(
    role, client_for, draft, monkeypatch, django_capture_on_commit_callbacks
):
    from newsletter import tasks

    queued = []
    monkeypatch.setattr(tasks.render_issue_pdf, "delay", lambda pk: queued.append(pk))
    client = client_for(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("newsletter_pdf", args=[draft.pk]))
        again = client.get(reverse("newsletter_pdf", args=[draft.pk]))  # a reload queues nothing more
    if role in EDITORS:
        assert response.status_code == again.status_code == 302 and queued == [draft.pk]
    else:
        assert response.status_code == 404 and not queued
