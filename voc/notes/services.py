"""Business verbs for notes: build, record, edit, withdraw, +1, open a contact."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voc import audit, signals
from voc.access import lead_site_ids, may_see_contact, suggestible_notes
from voc.errors import DomainError, NotAllowed
from voc.input_guard import check_occurred_at, is_blank
from voc.models import ComplaintContact, Insight, ProductArea, Site, Tally, User
from voc.notes import lean_sql
from voc.notes.language import detect_language
from voc.redaction import redact
from voc.roles import Capability, has_capability

EDIT_WINDOW = timedelta(hours=24)
TALLY_DEBOUNCE = timedelta(seconds=30)


@dataclass(frozen=True)
class ContactDetails:
    """A complaining customer's details, stored apart from the note."""

    name: str
    phone: str = ""
    email: str = ""
    account: str = ""
    consent: bool = False


def build_note(
    *,
    agent: User,
    kind: str,
    text: str,
    channel: str,
    language: str = "",
    occurred_at: datetime | None = None,
    customer_abroad: bool = False,
    abroad_country: str = "",
    caused_by_us: bool = False,
    lonely: bool = False,
    vulnerable: bool = False,
    product_area: ProductArea | None = None,
    source: str = "",
    external_id: str = "",
    listening_site: Site | None = None,
) -> Insight:
    """Validate and redact one note without saving it; raise DomainError naming the field.

    ``record_note`` and the bulk import both build notes here, so a row and a form obey one rule.
    ``listening_site``: an idea from a listening session (voc.programme.listening), which anyone may turn
    into a note whatever their role; the note belongs to that site instead of the home site."""
    if listening_site is None and not has_capability(agent, Capability.LOG_NOTES):
        raise NotAllowed(_("Your role cannot log notes."))
    site_id = listening_site.pk if listening_site is not None else agent.site_id
    if site_id is None:
        raise DomainError(_("You need a home site to log notes; ask an administrator."), field="agent")
    if kind not in Insight.Kind.values:
        raise DomainError(
            _("Unknown kind %(value)s; choose one of %(choices)s.")
            % {"value": kind, "choices": ", ".join(Insight.Kind.values)},
            field="kind",
        )
    if channel not in Insight.Channel.values:
        raise DomainError(
            _("Unknown channel %(value)s; choose one of %(choices)s.")
            % {"value": channel, "choices": ", ".join(Insight.Channel.values)},
            field="channel",
        )
    text = (text or "").strip()
    if is_blank(text):
        raise DomainError(_("Write what the customer said."), field="text")
    if len(text) > Insight.TEXT_MAX_LENGTH:
        raise DomainError(
            _("Keep it under %(max)d characters (this is %(length)d).")
            % {"max": Insight.TEXT_MAX_LENGTH, "length": len(text)},
            field="text",
        )
    redacted = redact(text).text[: Insight.TEXT_MAX_LENGTH]
    if language and language not in Insight.Language.values:
        raise DomainError(
            _("Unknown language %(value)s; choose one of %(choices)s.")
            % {"value": language, "choices": ", ".join(Insight.Language.values)},
            field="language",
        )
    occurred_at = check_occurred_at(occurred_at)
    abroad_country = (abroad_country or "").strip().upper()
    if abroad_country and not customer_abroad:
        customer_abroad = True
    if abroad_country and (len(abroad_country) != 2 or not abroad_country.isalpha()):
        raise DomainError(_("Give the country as a two-letter code, like FR."), field="abroad_country")
    external_id = (external_id or "").strip()
    source = (source or "").strip()
    if len(external_id) > 100:
        raise DomainError(_("The external id is longer than 100 characters."), field="external_id")
    if len(source) > 32:
        raise DomainError(_("The source is longer than 32 characters."), field="source")
    return Insight(
        kind=kind,
        text=redacted,
        channel=channel,
        language=language or detect_language(redacted, default=agent.language or "en"),
        agent=agent,
        site_id=site_id,
        team_id=agent.team_id if site_id == agent.site_id else None,
        occurred_at=occurred_at,
        customer_abroad=customer_abroad,
        abroad_country=abroad_country,
        caused_by_us=caused_by_us,
        lonely=lonely,
        vulnerable=vulnerable,
        product_area=product_area,
        source=source,
        external_id=external_id,
    )


# Sources the product writes itself (voc.programme.listening.IDEA_SOURCE, voc.demo.seed.DEMO_SOURCE): a client
# naming one could take the (source, external_id) the product is about to use, and the product's
# note would then be "already stored" and silently never written.
PRODUCT_SOURCES = frozenset({"listening", "demo"})


class ExternalIdTaken(DomainError):
    """The (source, external_id) belongs to someone else's note; nothing about it is told."""


def check_client_identity(*, source: str, external_id: str) -> None:
    """Refuse a (source, external_id) from outside the product (API, import) when the source
    is one the product writes itself, or when either holds personal data; raises DomainError
    naming the field.

    Both are stored as sent (they keep imports idempotent) and shown beside the note, so a
    customer's e-mail, card or phone used as an id would escape redaction. An id of digits
    alone is accepted even when it could be dialled: nothing tells "612345678" the ticket from
    "612345678" the phone, and refusing every nine-digit ticket number would stop real imports."""
    if (source or "").strip().casefold() in PRODUCT_SOURCES:
        raise DomainError(
            _("The source %(source)s is reserved for notes the product makes itself; use another.")
            % {"source": source.strip()},
            field="source",
        )
    if redact(source or "").found:
        raise DomainError(_("The source looks like personal data; name the system instead."), field="source")
    external_id = (external_id or "").strip()
    if not external_id.isdigit() and redact(external_id).found:
        raise DomainError(
            _(
                "The id looks like personal data (an e-mail, card, phone or document number); "
                "use the source system's own record id."
            ),
            field="external_id",
        )


def announce_notes(note_ids: list[int]) -> None:
    """Tell other apps, after commit, that these notes exist (theme assignment follows)."""
    if note_ids:
        transaction.on_commit(lambda: signals.notes_recorded.send(sender=Insight, note_ids=list(note_ids)))


def record_note(
    *, contact: ContactDetails | None = None, ip_address: str | None = None, **fields: Any
) -> tuple[Insight, bool]:
    """Store what a customer told an agent, redacted; returns ``(note, created)``.

    With an ``external_id`` already stored for the same ``source`` the existing note is returned
    and nothing is written (safe for systems that retry), but only when the same person logged
    it: anyone else's raises ExternalIdTaken, which says nothing of that note. Contact details
    go only with complaints.
    """
    note = build_note(**fields)
    if contact is not None and note.kind != Insight.Kind.COMPLAINT:
        raise DomainError(_("Contact details are kept only for complaints."), field="contact")
    if contact is not None:
        _validate_contact(contact)
    # A lone INSERT commits by itself: the block (a BEGIN and a COMMIT round trip more) is needed
    # only to store the contact with the note, or as a savepoint inside a caller's transaction.
    in_block = contact is not None or transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if in_block else nullcontext():
            lean_sql.insert_note(note)
            if contact is not None:
                ComplaintContact.objects.create(
                    note=note,
                    name=contact.name.strip(),
                    phone=contact.phone.strip(),
                    email=contact.email.strip(),
                    account=contact.account.strip(),
                    consent=contact.consent,
                )
                audit.record(actor=note.agent, action="contact.recorded", obj=note, ip_address=ip_address)
            announce_notes([note.pk])
    except IntegrityError:
        # The external id is stored already (a retry, or two deliveries racing): the unique
        # constraint answers, so a new note costs no lookup first.
        existing = Insight.objects.filter(source=note.source, external_id=note.external_id).first()
        if existing is None or not note.external_id:
            raise
        if existing.agent_id != note.agent_id:
            raise ExternalIdTaken(
                _("Another person's note already has this external id."), field="external_id"
            ) from None
        return existing, False
    return note, True


def contact_problems(contact: ContactDetails) -> dict[str, str]:
    """Everything wrong with a complaint's contact details, field -> message (empty when fine)."""
    problems = {}
    if not contact.name.strip():
        problems["contact_name"] = _("Give the customer's name.")
    if not (contact.phone.strip() or contact.email.strip()):
        problems["contact_phone"] = _("Give a phone number or an e-mail address to reach the customer.")
    if contact.email.strip():
        try:
            validate_email(contact.email.strip())
        except ValidationError:
            problems["contact_email"] = _("That e-mail address does not look right.")
    if not contact.consent:
        problems["contact_consent"] = _("Ask the customer for consent before recording contact details.")
    return problems


def _validate_contact(contact: ContactDetails) -> None:
    problems = contact_problems(contact)
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, field=field, others=problems)


def _check_own_recent(note: Insight, user: User) -> None:
    if note.agent_id != user.pk:
        raise NotAllowed(_("Only the person who logged a note can change it."))
    if note.status == Insight.Status.WITHDRAWN:
        raise DomainError(_("This note has been withdrawn."))
    if timezone.now() - note.created_at > EDIT_WINDOW:
        raise DomainError(_("Notes can be changed only in the 24 hours after logging them."))


@transaction.atomic
def edit_note(*, note: Insight, editor: User, ip_address: str | None = None, **changes: Any) -> Insight:
    """Let the agent who logged a note correct it within 24 hours; the change is audited."""
    _check_own_recent(note, editor)
    when = changes.get("occurred_at", note.occurred_at)
    if when is None or when.replace(second=0, microsecond=0) == note.occurred_at.replace(second=0, microsecond=0):
        # An emptied "when", or the same minute (the form shows minutes): the note keeps its
        # exact time, so that it does not jump in lists ordered by it.
        changes.pop("occurred_at", None)
    unknown = set(changes) - set(Insight.EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    merged = {name: getattr(note, name) for name in Insight.EDITABLE_FIELDS} | changes
    rebuilt = build_note(agent=editor, source=note.source, external_id=note.external_id, **merged)
    before = {name: str(getattr(note, name)) for name in changes}
    for name in changes:
        setattr(note, name, getattr(rebuilt, name))
    note.save()
    audit.record(
        actor=editor,
        action="note.edited",
        obj=note,
        ip_address=ip_address,
        details={"before": before, "after": {name: str(getattr(note, name)) for name in changes}},
    )
    announce_notes([note.pk])
    return note


@transaction.atomic
def withdraw_notes(*, notes: list[Insight], by: User, ip_address: str | None = None) -> int:
    """Withdraw notes: kept for audit, hidden from counts. An agent may withdraw their own notes
    within 24 hours; a lead any note of their sites. Returns how many were withdrawn now."""
    is_lead = has_capability(by, Capability.VIEW_SITE_NOTES)
    led = set(lead_site_ids(by)) if is_lead else set()
    count = 0
    for note in notes:
        if note.status == Insight.Status.WITHDRAWN:
            continue
        if not (is_lead and note.site_id in led):
            _check_own_recent(note, by)
        note.status = Insight.Status.WITHDRAWN
        note.withdrawn_at = timezone.now()
        note.withdrawn_by = by
        note.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
        audit.record(actor=by, action="note.withdrawn", obj=note, ip_address=ip_address)
        count += 1
    return count


@transaction.atomic
def restore_notes(*, notes: list[Insight], by: User, ip_address: str | None = None) -> int:
    """Undo a withdrawal: the note counts again. Whoever may withdraw it may restore it (an
    agent their own note within 24 hours of logging it; a lead any note of their sites).
    Returns how many were restored now."""
    is_lead = has_capability(by, Capability.VIEW_SITE_NOTES)
    led = set(lead_site_ids(by)) if is_lead else set()
    count = 0
    for note in notes:
        if note.status != Insight.Status.WITHDRAWN:
            continue
        if not (is_lead and note.site_id in led):
            if note.agent_id != by.pk:
                raise NotAllowed(_("Only the person who logged a note can change it."))
            if timezone.now() - note.created_at > EDIT_WINDOW:
                raise DomainError(_("Notes can be changed only in the 24 hours after logging them."))
        note.status, note.withdrawn_at, note.withdrawn_by = Insight.Status.ACTIVE, None, None
        note.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
        audit.record(actor=by, action="note.restored", obj=note, ip_address=ip_address)
        count += 1
    return count


def open_contact(*, contact: ComplaintContact, viewer: User, ip_address: str | None = None) -> ComplaintContact:
    """Show a complaint's contact details to someone allowed to see them, and audit the view."""
    if not may_see_contact(viewer, contact):
        raise NotAllowed(_("These contact details are not yours to see."))
    audit.record(actor=viewer, action="contact.viewed", obj=contact.note, ip_address=ip_address)
    return contact


@transaction.atomic
def add_tally(*, note: Insight, agent: User, channel: str) -> Tally:
    """ "+1, heard this too": count another customer saying what ``note`` says; only for notes
    the typing assistant may show ``agent`` (voc.access.suggestible_notes)."""
    if not has_capability(agent, Capability.LOG_NOTES) or agent.site_id is None:
        raise NotAllowed(_("Your role cannot log notes."))
    if note.status != Insight.Status.ACTIVE:
        raise DomainError(_("This note has been withdrawn."))
    if not suggestible_notes(agent).filter(pk=note.pk).exists():
        raise NotAllowed(_("You can add +1 only to notes of your own site."))
    if channel not in Insight.Channel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    # Lock the note so two taps racing each other see one another's +1.
    Insight.objects.select_for_update().filter(pk=note.pk).first()
    recent = Tally.objects.filter(note=note, agent=agent, created_at__gte=timezone.now() - TALLY_DEBOUNCE)
    if recent.exists():
        raise DomainError(_("You added +1 to this a moment ago."))
    return Tally.objects.create(note=note, agent=agent, site_id=agent.site_id, channel=channel)


def preview_note(*, text: str, default_language: str = "en") -> dict[str, Any]:
    """What would be stored for ``text``: the redacted text, what was removed, the language."""
    result = redact(text or "")
    language = detect_language(result.text, default=default_language)
    return {
        "text": result.text,
        "found": result.found,
        "language": language,
        "language_label": str(dict(Insight.Language.choices).get(language, language)),
    }
