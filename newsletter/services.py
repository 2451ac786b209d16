"""Newsletter business verbs: draft a week's issue, review, approve, send exactly once per
recipient, render PDFs (in workers), monthly packs and subscriptions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsletter import facts as fact_registry
from newsletter.models import Delivery, Fact, Issue, MonthlyPack, Subscription
from voc import audit, periods
from voc import emails as voc_emails
from voc.errors import DomainError
from voc.models import Insight, User
from voc.redaction import redact
from voc.roles import ROLE_CAPABILITIES, Capability, has_capability

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
EDITABLE = (Issue.Status.DRAFT, Issue.Status.REVIEWED)
PACK_ROLES = (User.Role.HQ, User.Role.EXECUTIVE)  # get the pack unless they turn it off
PACK_READER_ROLES = tuple(role for role, caps in ROLE_CAPABILITIES.items() if Capability.READ_REPORTS in caps)


def visible_issues(user: object) -> QuerySet[Issue]:
    """Readers see what was sent; editors also see drafts and skipped weeks."""
    issues = Issue.objects.all()
    if not has_capability(user, Capability.EDIT_NEWSLETTERS):
        issues = issues.filter(status=Issue.Status.SENT)
    return issues


# --- drafting ----------------------------------------------------------------------------------


@transaction.atomic
def prepare_weekly_issue(*, week_start: date, today: date | None = None) -> tuple[Issue, bool]:
    """Draft the issue of the ISO week starting ``week_start`` from that week's notes.

    Returns ``(issue, created)``. Safe to run twice: an existing issue is returned untouched
    (a lead's edits are never overwritten). A week that has not ended yet is refused. A week
    with no fact above the publication threshold is recorded as skipped.
    """
    if week_start.weekday() != 0:
        raise DomainError(_("A newsletter week starts on a Monday."), field="week")
    today = today or timezone.localdate()
    if week_start + timedelta(days=7) > today:
        raise DomainError(
            _("Week %(week)s has not ended yet; a newsletter covers a whole week.")
            % {"week": Issue(week_start=week_start).label},
            field="week",
        )
    issue, created = Issue.objects.select_for_update().get_or_create(week_start=week_start)
    if not created:
        return issue, False
    total, drafts = fact_registry.draft_facts(week_start)
    issue.notes_count = total
    if not drafts:
        issue.status = Issue.Status.SKIPPED
    issue.save(update_fields=["notes_count", "status"])
    period_start, period_end = week_start, week_start + timedelta(days=6)
    Fact.objects.bulk_create(
        Fact(
            issue=issue,
            key=draft.key,
            position=position,
            number=draft.number,
            base=draft.base,
            percent=draft.percent,
            period_start=period_start,
            period_end=period_end,
            compare_start=draft.compare[0] if draft.compare else None,
            compare_end=draft.compare[1] if draft.compare else None,
            sentence_en=(sentences := draft.sentences())["en"],
            sentence_es=sentences["es"],
            sentence_gl=sentences["gl"],
            quote=draft.quote.text if draft.quote else "",
            quote_note=draft.quote,
            data=draft.data,
        )
        for position, draft in enumerate(drafts)
    )
    return issue, True


# --- editorial flow ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FactChange:
    """A lead's edit of one fact: its order, whether it stays, and its sentences."""

    fact_id: int
    position: int
    included: bool
    sentence_en: str
    sentence_es: str
    sentence_gl: str | None = None  # None: not edited here; cleared if the others change (gl reads es)
    translations_checked: bool = False  # the editor says the translations still say what the edit does


def _lagging(change: FactChange, fact: Fact, sentences: tuple[str, str, str]) -> list[str]:
    """The translations of ``fact`` that an edit left behind: the Spanish when only the English
    changed, the Galician when the English or Spanish changed and it did not."""
    if change.translations_checked:
        return []
    en, es, gl = sentences
    lagging = []
    if en != fact.sentence_en and es == fact.sentence_es:
        lagging.append("sentence_es")
    others_changed = en != fact.sentence_en or es != fact.sentence_es
    if change.sentence_gl is not None and fact.sentence_gl and gl == fact.sentence_gl and others_changed:
        lagging.append("sentence_gl")
    return lagging


def send_test(*, issue: Issue, to: User) -> None:
    """E-mail ``issue`` to its editor now, as a reader would get it (marked as a test; nothing
    is recorded as delivered). Refused for a person without an address."""
    if not to.email:
        raise DomainError(_("Your account has no e-mail address to send the test to."))
    if issue.status == Issue.Status.SKIPPED:
        raise DomainError(not_editable(issue))
    transaction.on_commit(lambda: _queue_test(issue.pk, to.pk))


def _queue_test(issue_id: int, user_id: int) -> None:
    from newsletter import tasks

    tasks.send_test_issue.delay(issue_id, user_id)


def deliver_test(*, issue_id: int, user_id: int) -> None:
    """Worker: render the issue's PDF if it has none, then send the test e-mail."""
    from newsletter import emails

    issue = Issue.objects.get(pk=issue_id)
    if not issue.pdf_rendered_at:
        issue = render_issue_pdf(issue=issue)
    emails.build_test(issue, recipient=User.objects.get(pk=user_id)).send()


def not_editable(issue: Issue) -> str:
    """Why ``issue`` can no longer be edited, in a sentence."""
    if issue.status == Issue.Status.SENT:
        return _("This issue has been sent and can no longer be edited.")
    if issue.status == Issue.Status.APPROVED:
        return _("This issue is approved and waits to be sent; it can no longer be edited.")
    return _("This week was skipped (nothing notable); there is nothing to edit.")


@transaction.atomic
def review_issue(*, issue: Issue, by: User, editor_note: str, changes: list[FactChange]) -> Issue:
    """Save a lead's edits (order, dropped facts, sentences, editor's note); the issue becomes
    *reviewed*. Only drafts and reviewed issues can be edited. The PDF is rendered again."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in EDITABLE:
        raise DomainError(not_editable(issue))
    facts = {f.pk: f for f in issue.facts.all()}
    unknown = [c.fact_id for c in changes if c.fact_id not in facts]
    if unknown:
        raise DomainError(_("Some facts do not belong to this issue."))
    for change in changes:
        if not change.sentence_en.strip() or not change.sentence_es.strip():
            raise DomainError(_("Every fact needs a sentence in English and in Spanish."), field="facts")
    # Stored redacted (the fields see to it); compared and kept in memory as stored, so an
    # unchanged sentence is not taken for an edit and nothing raw outlives this call.
    typed = {
        c.fact_id: (
            redact(c.sentence_en.strip()).text,
            redact(c.sentence_es.strip()).text,
            redact((c.sentence_gl or "").strip()).text,
        )
        for c in changes
    }
    # Each reader gets the sentence in their language: an edit must not leave a translation behind.
    stale = {c.fact_id: lagging for c in changes if (lagging := _lagging(c, facts[c.fact_id], typed[c.fact_id]))}
    if stale:
        raise DomainError(
            ngettext(
                "You changed a fact's sentence: update it in the other languages too, or tick "
                "“The translations still say the same”.",
                "You changed the sentences of %(n)d facts: update them in the other languages too, or tick "
                "“The translations still say the same”.",
                len(stale),
            )
            % {"n": len(stale)},
            field="facts",
            others={
                f"fact:{pk}:{name}": _("Another language's sentence changed: is this still right?")
                for pk, names in stale.items()
                for name in names
            },
        )
    for change in changes:
        fact = facts[change.fact_id]
        en, es, gl = typed[change.fact_id]
        if change.sentence_gl is None:  # not shown to the editor: Galician readers follow the Spanish
            gl = fact.sentence_gl if (en, es) == (fact.sentence_en, fact.sentence_es) else ""
        edited = fact.edited or (en, es, gl) != (fact.sentence_en, fact.sentence_es, fact.sentence_gl)
        fact.position, fact.included, fact.edited = change.position, change.included, edited
        fact.sentence_en, fact.sentence_es, fact.sentence_gl = en, es, gl
    Fact.objects.bulk_update(
        list(facts.values()), ["position", "included", "edited", "sentence_en", "sentence_es", "sentence_gl"]
    )
    if not any(f.included for f in facts.values()):
        raise DomainError(_("Keep at least one fact, or leave the issue unsent."), field="facts")
    issue.editor_note = editor_note.strip()
    issue.status, issue.reviewed_by, issue.reviewed_at = Issue.Status.REVIEWED, by, timezone.now()
    issue.pdf_rendered_at = None
    issue.save(update_fields=["editor_note", "status", "reviewed_by", "reviewed_at", "pdf_rendered_at"])
    audit.record(actor=by, action="newsletter.reviewed", obj=issue)
    _queue_pdf(issue)
    return issue


@transaction.atomic
def approve_issue(*, issue: Issue, by: User | None, send_at: datetime | None = None) -> Issue:
    """Approve a draft or reviewed issue for sending, optionally sending it automatically at
    ``send_at``. Approving twice is refused."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status in (Issue.Status.APPROVED, Issue.Status.SENT):
        raise DomainError(_("This issue is already approved."))
    if issue.status == Issue.Status.SKIPPED:
        raise DomainError(_("This week had nothing notable; there is nothing to approve."))
    if not issue.facts.filter(included=True).exists():
        raise DomainError(_("Keep at least one fact, or leave the issue unsent."))
    if send_at is not None and send_at <= timezone.now():
        raise DomainError(_("The automatic sending time must be in the future."), field="send_at")
    issue.status, issue.approved_by, issue.approved_at, issue.send_at = (
        Issue.Status.APPROVED,
        by,
        timezone.now(),
        send_at,
    )
    issue.save(update_fields=["status", "approved_by", "approved_at", "send_at"])
    audit.record(
        actor=by, action="newsletter.approved", obj=issue, details={"send_at": send_at and send_at.isoformat()}
    )
    _queue_pdf(issue)
    return issue


def weekly_recipients() -> QuerySet[User]:
    """Everyone active with an address who has not turned the weekly newsletter off."""
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(subscription__weekly=True) | Q(subscription__isnull=True))
    )


def pack_recipients() -> QuerySet[User]:
    """Head office and executives by default, plus anyone else who may read reports and asked for
    the pack; nobody whose role may not read reports, whatever their settings say."""
    return (
        User.objects.filter(is_active=True, role__in=PACK_READER_ROLES)
        .exclude(email="")
        .filter(Q(subscription__monthly_pack=True) | Q(subscription__isnull=True, role__in=PACK_ROLES))
    )


@transaction.atomic
def send_issue(*, issue: Issue, by: User | None = None) -> int:
    """Send an approved issue: one delivery per recipient, e-mailed by a worker after commit.

    Returns how many deliveries were created. An issue already sent only resumes its pending
    deliveries (nothing is sent twice); an issue not approved is refused."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (Issue.Status.APPROVED, Issue.Status.SENT):
        raise DomainError(
            _("Only an approved issue can be sent; this one is %(status)s.") % {"status": issue.get_status_display()}
        )
    created = 0
    if issue.status == Issue.Status.APPROVED:
        # an agent withdrew a quoted note since the draft: the quote goes, the PDF is rendered again
        if issue.facts.filter(quote_note__status=Insight.Status.WITHDRAWN).update(quote="", quote_note=None):
            issue.pdf_rendered_at = None
        created = _create_deliveries(weekly_recipients(), issue=issue)
        issue.status, issue.sent_at = Issue.Status.SENT, timezone.now()
        issue.save(update_fields=["status", "sent_at", "pdf_rendered_at"])
        audit.record(
            actor=by, action="newsletter.sent", obj=issue, details={"recipients": created}, actor_name="system"
        )
    transaction.on_commit(lambda: _queue_delivery(issue_id=issue.pk))
    return created


def send_due_issues(*, now: datetime | None = None) -> list[int]:
    """Send approved issues whose automatic sending time has come. Safe to run twice."""
    now = now or timezone.now()
    due = Issue.objects.filter(status=Issue.Status.APPROVED, send_at__lte=now).values_list("pk", flat=True)
    sent = []
    for pk in due:
        send_issue(issue=Issue.objects.get(pk=pk))
        sent.append(pk)
    return sent


def _create_deliveries(
    recipients: QuerySet[User], *, issue: Issue | None = None, pack: MonthlyPack | None = None
) -> int:
    rows = [
        Delivery(issue=issue, pack=pack, recipient=user, email=user.email, language=user.language)
        for user in recipients.only("id", "email", "language")
    ]
    return len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))


def _queue_delivery(*, issue_id: int | None = None, pack_id: int | None = None, countdown: float = 0) -> None:
    from newsletter import tasks  # tasks imports this module: a cycle at module level

    tasks.deliver.apply_async(kwargs={"issue_id": issue_id, "pack_id": pack_id}, countdown=countdown)


PDF_REQUEST_WAIT = timedelta(minutes=5)


def _queue_pdf(issue: Issue) -> None:
    """The issue changed: render its PDF again, whatever was asked before."""
    from newsletter import tasks  # tasks imports this module: a cycle at module level

    Issue.objects.filter(pk=issue.pk).update(pdf_requested_at=timezone.now())
    transaction.on_commit(lambda: tasks.render_issue_pdf.delay(issue.pk))


def open_issue_pdf(*, issue: Issue, language: str | None = None) -> Any:
    """The issue's rendered PDF in ``language`` (else the organisation's), open for reading; or
    None, with a render queued (see ``request_issue_pdf``) when it is not rendered yet or the
    media folder lost the file."""
    document: FieldFile = issue.pdf
    if document and issue.pdf_rendered_at:
        try:
            document = language_file(document, language)
        except FileNotFoundError:
            Issue.objects.filter(pk=issue.pk).update(pdf_rendered_at=None)
            issue.pdf_rendered_at = None
        else:
            return document
    request_issue_pdf(issue=issue)
    return None


def request_issue_pdf(*, issue: Issue) -> bool:
    """A reader asked for a PDF that is not rendered yet: queue one render. Claimed by a
    conditional UPDATE, so many readers (or reloads) queue one render per ``PDF_REQUEST_WAIT``,
    not one each. False when there is nothing to render or a render is already on its way."""
    from newsletter import tasks  # tasks imports this module: a cycle at module level

    if issue.status == Issue.Status.SKIPPED:
        return False
    now = timezone.now()
    claimed = (
        Issue.objects.filter(pk=issue.pk, pdf_rendered_at__isnull=True)
        .filter(Q(pdf_requested_at__isnull=True) | Q(pdf_requested_at__lt=now - PDF_REQUEST_WAIT))
        .update(pdf_requested_at=now)
    )
    if claimed:
        transaction.on_commit(lambda: tasks.render_issue_pdf.delay(issue.pk))
    return bool(claimed)


def draft_last_week(*, today: date) -> Issue:
    """Monday morning: draft the issue of the last complete week and queue its PDF. Safe to run
    twice (one issue per ISO week; a second render only replaces the file)."""
    issue, _created = prepare_weekly_issue(week_start=periods.last_complete_week(today))
    if issue.status != Issue.Status.SKIPPED:
        from newsletter import tasks  # tasks imports this module: a cycle at module level

        tasks.render_issue_pdf.delay(issue.pk)
    return issue


def publish_last_month_pack(*, today: date) -> MonthlyPack:
    """First of the month: render last month's head-office pack and e-mail it. Safe to run twice
    (one pack per month, one delivery per person)."""
    pack = prepare_monthly_pack(month=periods.previous_month(today))
    send_pack(pack=pack)
    return pack


# --- PDFs --------------------------------------------------------------------------------------


def render_issue_pdf(*, issue: Issue) -> Issue:
    """Render the A4 one-pager of ``issue`` in every interface language and store each (workers
    only: WeasyPrint is slow); the organisation's language is ``issue.pdf``, the others sit
    beside it (``language_file``)."""
    from newsletter import pdf  # WeasyPrint: heavy, workers only

    _store_pdf(
        issue,
        lambda language: pdf.weekly(issue, language=language),
        f"listening-post-{issue.label}.pdf",
        "pdf_rendered_at",
        "pdf_error",
    )
    return issue


def other_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def language_file(document: FieldFile, language: str | None) -> FieldFile | Any:
    """``document`` (a rendered issue or pack) in ``language``, open for reading; the
    organisation's language, or a language it was not rendered in, gives ``document`` itself."""
    if language and language != settings.LANGUAGE_CODE and document:
        name = variant_name(str(document.name), language)
        if default_storage.exists(name):
            return default_storage.open(name, "rb")
    document.open("rb")
    return document


def variant_name(name: str, language: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return f"{stem}.{language}{dot}{extension}"


def _store_pdf(row: Issue | MonthlyPack, render: Callable[[str], bytes], filename: str, stamp: str, error: str) -> None:
    """Render ``row``'s PDF in every interface language and store them, stamping ``stamp``
    once all are there; a failure is written to ``error`` (redacted by the field: a
    renderer's message may quote text) and raised again."""
    try:
        contents = {code: render(code) for code, _name in settings.LANGUAGES}
    except Exception as exc:
        type(row).objects.filter(pk=row.pk).update(**{error: f"{type(exc).__name__}: {exc}"[:300]})
        raise
    _replace_file(row.pdf, filename, contents.pop(settings.LANGUAGE_CODE))
    for language, content in contents.items():
        name = variant_name(str(row.pdf.name), language)
        default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
    setattr(row, stamp, timezone.now())
    setattr(row, error, "")
    row.save(update_fields=["pdf", stamp, error])


def _replace_file(field: FieldFile, filename: str, content: bytes) -> None:
    """Store ``content`` under one stable name per document: rendering again (or two workers
    rendering at once) replaces the file instead of piling up suffixed copies."""
    name = field.field.generate_filename(field.instance, filename)
    old = field.name
    field.storage.delete(name)
    field.save(filename, ContentFile(content), save=False)
    if old and old != field.name:
        field.storage.delete(old)


def prepare_monthly_pack(*, month: date, today: date | None = None) -> MonthlyPack:
    """Render the head-office pack of ``month`` (first day) and store it. Rendering again
    replaces the file; the row (and its deliveries) stay one per month."""
    from newsletter import pdf  # WeasyPrint: heavy, workers only

    today = today or timezone.localdate()
    if month.day != 1:
        raise DomainError(_("A pack covers a calendar month."), field="month")
    if periods.next_month(month) > today:
        raise DomainError(_("%(month)s has not ended yet.") % {"month": month.strftime("%Y-%m")}, field="month")
    pack, _created = MonthlyPack.objects.get_or_create(month=month)
    _store_pdf(
        pack,
        lambda language: pdf.monthly(month, language=language),
        f"listening-post-pack-{pack.label}.pdf",
        "rendered_at",
        "error",
    )
    return pack


@transaction.atomic
def send_pack(*, pack: MonthlyPack) -> int:
    """Queue the pack for everyone who receives it; one delivery per person, ever."""
    if not pack.rendered_at:
        raise DomainError(_("The pack has not been rendered yet."))
    created = _create_deliveries(pack_recipients(), pack=pack)
    transaction.on_commit(lambda: _queue_delivery(pack_id=pack.pk))
    return created


# --- subscriptions -----------------------------------------------------------------------------


def subscription_for(user: User) -> Subscription:
    """The person's settings, or (unsaved) the defaults of their role."""
    try:
        return user.subscription
    except Subscription.DoesNotExist:
        return Subscription(user=user, weekly=True, monthly_pack=user.role in PACK_ROLES)


def set_subscription(*, user: User, weekly: bool, monthly_pack: bool) -> Subscription:
    """Save the person's e-mail choices; the pack only for those who may read reports."""
    monthly_pack = monthly_pack and has_capability(user, Capability.READ_REPORTS)
    subscription, _created = Subscription.objects.update_or_create(
        user=user, defaults={"weekly": weekly, "monthly_pack": monthly_pack}
    )
    return subscription


def unsubscribe_token(*, user: User, what: str = "weekly") -> str:
    return voc_emails.signed_link_token(user=user, what=what, salt=UNSUBSCRIBE_SALT)


def unsubscribe(*, token: str) -> User:
    """Turn off what the signed link names (``weekly`` or ``pack``). Safe to follow twice."""
    user, what = voc_emails.read_signed_link(token, salt=UNSUBSCRIBE_SALT)
    current = subscription_for(user)
    set_subscription(
        user=user,
        weekly=current.weekly and what != "weekly",
        monthly_pack=current.monthly_pack and what != "pack",
    )
    audit.record(actor=user, action="newsletter.unsubscribed", obj=user, details={"what": what})
    return user
