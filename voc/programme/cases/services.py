"""The executive programme's monthly complaint cases: who gets which complaint, the workflow from
assigned to resolved, and the reminders that keep cases moving."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from voc import audit, emails, periods
from voc.access import lead_site_ids
from voc.errors import DomainError, NotAllowed
from voc.models import CaseEvent, CaseGap, ComplaintCase, ComplaintContact, Insight, User
from voc.models.programme import OPEN_STATUSES
from voc.redaction import redact
from voc.roles import Capability, has_capability

log = logging.getLogger(__name__)
Status = ComplaintCase.Status

# Other apps add ways an executive's remit matches a complaint (insights: themes they own).
RemitMatcher = Callable[[User], Q]
REMIT_MATCHERS: list[RemitMatcher] = []


# --- assignment --------------------------------------------------------------------------------


def customer_keys(contact: ComplaintContact | None) -> set[str]:
    """What identifies a customer across complaints: e-mail, phone (last nine digits), account."""
    if contact is None:
        return set()
    keys = set()
    if contact.email.strip():
        keys.add("e:" + contact.email.strip().lower())
    digits = re.sub(r"\D", "", contact.phone)
    if len(digits) >= 6:
        keys.add("p:" + digits[-9:])
    if contact.account.strip():
        keys.add("a:" + contact.account.strip().lower())
    return keys


def open_complaints(*, month: date, now: datetime) -> QuerySet[Insight]:
    """Complaints an executive may take: active, with a customer who agreed to be contacted, not
    handled before, not older than ``VOC_CASE_COMPLAINT_MAX_AGE_DAYS`` — oldest first, because
    those customers have waited longest."""
    since = timezone.make_aware(datetime.combine(month, datetime.min.time())) - timedelta(
        days=settings.VOC_CASE_COMPLAINT_MAX_AGE_DAYS
    )
    return (
        Insight.objects.active()
        .filter(kind=Insight.Kind.COMPLAINT, contact__consent=True, case__isnull=True)
        .filter(occurred_at__gte=since, occurred_at__lte=now)
        .select_related("contact", "site")
        .order_by("occurred_at", "id")
    )


def executives_by_seniority() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.EXECUTIVE, is_active=True).order_by(
        F("rank").asc(nulls_last=True), "date_joined", "id"
    )


def remit_filter(executive: User) -> Q:
    """Complaints in the executive's remit: their product areas, and whatever other apps add
    (insights: the themes they own)."""
    combined = Q(product_area__in=list(executive.remit_areas.values_list("id", flat=True)))
    for matcher in REMIT_MATCHERS:
        combined |= matcher(executive)
    return combined


def choose_buddy(note: Insight) -> User | None:
    """A lead of the complaint's site, the one with the fewest open cases to support."""
    return (
        User.objects.filter(role=User.Role.LEAD, is_active=True)
        .filter(Q(site_id=note.site_id) | Q(lead_sites=note.site_id))
        .annotate(
            load=Count(
                "buddy_cases",
                filter=Q(buddy_cases__status__in=OPEN_STATUSES),
                distinct=True,
            )
        )
        .order_by("load", "id")
        .first()
    )


@dataclass
class AssignmentResult:
    month: date
    assigned: list[ComplaintCase] = field(default_factory=list)
    already: int = 0
    gaps: list[CaseGap] = field(default_factory=list)


@transaction.atomic
def assign_monthly_cases(*, month: date, now: datetime | None = None) -> AssignmentResult:
    """Give every active executive without a case this month one open complaint.

    The most senior choose first (``rank``); a complaint in the executive's remit is preferred;
    nobody gets a customer they handled before; each case gets a buddy (a lead of the
    complaint's site). Who gets nothing, and why, is recorded as a ``CaseGap``. Safe to run
    twice: executives who have a case this month are skipped, so a second run only fills gaps
    with complaints that arrived since."""
    now = now or timezone.now()
    if month.day != 1:
        raise DomainError(_("Cases are assigned per calendar month."), field="month")
    if month > periods.month_start(timezone.localdate(now)):
        raise DomainError(_("%(month)s has not started yet.") % {"month": f"{month:%Y-%m}"}, field="month")
    executives = list(executives_by_seniority().select_for_update())
    result = AssignmentResult(month=month)
    have_case = set(ComplaintCase.objects.filter(month=month).values_list("executive_id", flat=True))
    candidates = list(open_complaints(month=month, now=now))
    keys = {note.pk: customer_keys(note.contact) for note in candidates}
    taken: set[int] = set()
    taken_customers: set[str] = set()  # one executive per customer in a month
    for executive in executives:
        if executive.pk in have_case:
            result.already += 1
            continue
        handled = set().union(*(customer_keys(c.note.contact) for c in executive.cases.select_related("note__contact")))
        free = [n for n in candidates if n.pk not in taken and not (keys[n.pk] & taken_customers)]
        eligible = [n for n in free if not (keys[n.pk] & handled)]
        if not eligible:
            reason = CaseGap.Reason.REPEAT if free else CaseGap.Reason.SHORTAGE
            gap, _created = CaseGap.objects.update_or_create(
                month=month, executive=executive, defaults={"reason": reason}
            )
            result.gaps.append(gap)
            continue
        remit = remit_filter(executive)
        in_remit: set[int] = set()
        if remit is not None:
            in_remit = set(Insight.objects.filter(remit, pk__in=[n.pk for n in eligible]).values_list("pk", flat=True))
        note = next((n for n in eligible if n.pk in in_remit), eligible[0])
        taken.add(note.pk)
        taken_customers |= keys[note.pk]
        case = ComplaintCase.objects.create(
            month=month,
            executive=executive,
            note=note,
            buddy=choose_buddy(note),
            matched_remit=note.pk in in_remit,
            assigned_at=now,
            acknowledge_by=periods.add_working_days(now, settings.VOC_CASE_ACK_WORKING_DAYS),
        )
        CaseEvent.objects.create(case=case, author=None, action=Status.ASSIGNED)
        CaseGap.objects.filter(month=month, executive=executive).delete()
        audit.record(actor=None, action="case.assigned", obj=case, actor_name="system", details={"note": note.pk})
        transaction.on_commit(functools.partial(_queue_assigned_mail, case.pk))
        result.assigned.append(case)
    return result


# --- workflow ----------------------------------------------------------------------------------


def _locked(case: ComplaintCase) -> ComplaintCase:
    return ComplaintCase.objects.select_for_update().get(pk=case.pk)


def _as_executive(case: ComplaintCase, user: User) -> None:
    if case.executive_id != user.pk:
        raise NotAllowed(_("This case is assigned to someone else; only they can do that."))


def _require(case: ComplaintCase, *allowed: str) -> None:
    if case.status not in allowed:
        raise DomainError(
            _("This case is %(status)s; that step does not apply.") % {"status": case.get_status_display()}
        )


@transaction.atomic
def acknowledge_case(*, case: ComplaintCase, by: User) -> ComplaintCase:
    """The executive takes the case on (target: within ``VOC_CASE_ACK_WORKING_DAYS``)."""
    case = _locked(case)
    _as_executive(case, by)
    _require(case, Status.ASSIGNED)
    case.status, case.acknowledged_at = Status.ACKNOWLEDGED, timezone.now()
    case.save(update_fields=["status", "acknowledged_at"])
    CaseEvent.objects.create(case=case, author=by, action=Status.ACKNOWLEDGED)
    return case


@transaction.atomic
def record_customer_contacted(*, case: ComplaintCase, by: User, text: str = "") -> ComplaintCase:
    case = _locked(case)
    _as_executive(case, by)
    _require(case, Status.ACKNOWLEDGED)
    case.status, case.contacted_at = Status.CONTACTED, timezone.now()
    case.save(update_fields=["status", "contacted_at"])
    CaseEvent.objects.create(case=case, author=by, action=Status.CONTACTED, text=text.strip())
    return case


@transaction.atomic
def resolve_case(
    *, case: ComplaintCase, by: User, root_cause: str, action_taken: str, outcome: str, learned: str = ""
) -> ComplaintCase:
    """Close the case with its root cause, what was done, how the customer took it, and what the
    executive learned. The newsletter and the monthly pack quote the learning, so it is redacted
    here, once, like a note's text."""
    case = _locked(case)
    _as_executive(case, by)
    _require(case, Status.ACKNOWLEDGED, Status.CONTACTED)
    if root_cause not in ComplaintCase.RootCause.values:
        raise DomainError(_("Choose the root cause."), field="root_cause")
    if outcome not in ComplaintCase.Outcome.values:
        raise DomainError(_("Choose the customer outcome."), field="outcome")
    if not action_taken.strip():
        raise DomainError(_("Say what action was taken."), field="action_taken")
    case.status, case.closed_at = Status.RESOLVED, timezone.now()
    case.root_cause, case.outcome = root_cause, outcome
    case.action_taken, case.learned = action_taken.strip(), redact(learned.strip()).text
    case.save(update_fields=["status", "closed_at", "root_cause", "outcome", "action_taken", "learned"])
    CaseEvent.objects.create(case=case, author=by, action=Status.RESOLVED, text=case.learned)
    return case


@transaction.atomic
def hand_back_case(*, case: ComplaintCase, by: User, reason: str) -> ComplaintCase:
    case = _locked(case)
    _as_executive(case, by)
    _require(case, Status.ASSIGNED, Status.ACKNOWLEDGED, Status.CONTACTED)
    if not reason.strip():
        raise DomainError(_("Say why you hand the case back."), field="reason")
    case.status, case.closed_at, case.handback_reason = Status.HANDED_BACK, timezone.now(), reason.strip()
    case.save(update_fields=["status", "closed_at", "handback_reason"])
    CaseEvent.objects.create(case=case, author=by, action=Status.HANDED_BACK, text=case.handback_reason)
    return case


@transaction.atomic
def add_case_note(*, case: ComplaintCase, by: User, text: str) -> CaseEvent:
    """A line on the timeline, by the executive or the buddy, while the case is open."""
    case = _locked(case)
    if by.pk not in (case.executive_id, case.buddy_id):
        raise NotAllowed(_("Only the executive and the buddy write on this case."))
    if not case.is_open:
        raise DomainError(_("This case is closed; its timeline is kept as it is."))
    if not text.strip():
        raise DomainError(_("Write something first."), field="text")
    return CaseEvent.objects.create(case=case, author=by, action="note", text=text.strip()[:2000])


def next_step(case: ComplaintCase) -> str:
    """What happens next on ``case``, in a sentence for the person who just moved it."""
    if case.status == Status.ASSIGNED:
        return _("Next: acknowledge it by %(when)s.") % {
            "when": date_format(timezone.localtime(case.acknowledge_by), "SHORT_DATETIME_FORMAT")
        }
    if case.status == Status.ACKNOWLEDGED:
        return _(
            "Next: contact the customer and record it here. "
            "A reminder comes every %(days)d days while the case is open."
        ) % {"days": settings.VOC_CASE_REMINDER_DAYS}
    if case.status == Status.CONTACTED:
        return _("Next: resolve it with its root cause and what the customer got.")
    if case.status == Status.RESOLVED:
        return _("The case is closed and counts in this month's programme figures.")
    return _("The case is closed with your reason; it shows as handed back in the programme figures.")


def works_on_cases(user: object) -> bool:
    return has_capability(user, Capability.HANDLE_CASES) or has_capability(user, Capability.BUDDY_CASES)


def visible_cases(user: User) -> QuerySet[ComplaintCase]:
    """Executives see their own cases; leads the cases they buddy and the cases of their sites;
    everyone else none."""
    cases = ComplaintCase.objects.select_related("executive", "buddy", "note__site", "note__contact")
    if has_capability(user, Capability.HANDLE_CASES):
        return cases.filter(executive=user)
    if has_capability(user, Capability.BUDDY_CASES):
        return cases.filter(Q(buddy=user) | Q(note__site_id__in=lead_site_ids(user))).distinct()
    return cases.none()


def may_see_case_contact(user: User, case: ComplaintCase) -> bool:
    return user.pk in (case.executive_id, case.buddy_id) or (
        has_capability(user, Capability.BUDDY_CASES) and case.note.site_id in lead_site_ids(user)
    )


# --- reminders ---------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind executives of unacknowledged cases past their target (once per working day),
    escalate cases still unacknowledged ``VOC_CASE_ESCALATE_WORKING_DAYS`` after assignment to
    the admins (once), and remind executives of open cases every ``VOC_CASE_REMINDER_DAYS``.
    Each reminder is claimed by a conditional UPDATE, so running twice sends nothing twice."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    day_ago = now - timedelta(hours=20)
    for case in ComplaintCase.objects.filter(status=Status.ASSIGNED, acknowledge_by__lt=now).select_related(
        "executive", "buddy", "note"
    ):
        if periods.add_working_days(case.assigned_at, settings.VOC_CASE_ESCALATE_WORKING_DAYS) <= now:
            counts["escalated"] += _once(case, "escalated_at", Q(escalated_at__isnull=True), now, _escalate)
        else:
            due = Q(reminded_at__isnull=True) | Q(reminded_at__lt=day_ago)
            counts["reminded"] += _once(case, "reminded_at", due, now, lambda c: _remind(c, "acknowledge"))
    period_ago = now - timedelta(days=settings.VOC_CASE_REMINDER_DAYS)
    due = Q(reminded_at__isnull=True) | Q(reminded_at__lt=period_ago)
    ageing = ComplaintCase.objects.filter(
        due, status__in=[Status.ACKNOWLEDGED, Status.CONTACTED], acknowledged_at__lt=period_ago
    )
    for case in ageing.select_related("executive", "note"):
        counts["reminded"] += _once(case, "reminded_at", due, now, lambda c: _remind(c, "progress"))
    return counts


def _once(case: ComplaintCase, stamp: str, due: Q, now: datetime, send: Callable[[ComplaintCase], None]) -> int:
    """Claim ``case`` by setting ``stamp`` where ``due`` still holds (a conditional UPDATE, so a
    second run finds nothing to do), then send. If sending fails the claim is given back, so the
    next run tries again, and the other cases still get theirs. 1 if sent, else 0."""
    if not ComplaintCase.objects.filter(due, pk=case.pk).update(**{stamp: now}):
        return 0
    try:
        send(case)
    except Exception:
        log.exception("could not e-mail about case %s; the next run tries again", case.pk)
        ComplaintCase.objects.filter(pk=case.pk, **{stamp: now}).update(**{stamp: getattr(case, stamp)})
        return 0
    return 1


def _mail(user: User, template: str, context: dict[str, Any]) -> None:
    if not user.email:
        return
    context = {**context, "person": user, "site_url": emails.absolute_url("")}
    rendered = emails.render(
        language=user.language,
        subject=lambda: render_to_string(f"voc/email/{template}_subject.txt", context),
        text_template=f"voc/email/{template}.txt",
        context=context,
    )
    emails.message(rendered, to=user.email).send(fail_silently=False)


def _case_context(case: ComplaintCase) -> dict[str, Any]:
    return {"case": case, "case_url": emails.url_for("case_detail", case.pk)}


def _queue_assigned_mail(case_id: int) -> None:
    """One task per person, so a retry after a mail error never e-mails the other one twice."""
    from voc import tasks  # tasks imports this module: a cycle at module level

    for who in ("executive", "buddy"):
        tasks.notify_case_assigned.delay(case_id, who)


def notify_assigned(case_id: int, who: str) -> None:
    """E-mail the case's ``executive`` or ``buddy`` about a new case (a worker does it, after commit)."""
    case = ComplaintCase.objects.select_related("executive", "buddy", "note").get(pk=case_id)
    if who == "executive":
        _mail(case.executive, "case_assigned", _case_context(case))
    elif case.buddy is not None:
        _mail(case.buddy, "case_buddy", _case_context(case))


def _remind(case: ComplaintCase, stage: str) -> None:
    _mail(case.executive, "case_reminder", {**_case_context(case), "stage": stage})


def _escalate(case: ComplaintCase) -> None:
    """Tell the admins, with a link to the case in the admin (the case page is for the people on
    the case), and the buddy, who can walk over to the executive."""
    admin_url = emails.url_for("admin:voc_complaintcase_change", case.pk)
    for admin in User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(email=""):
        _mail(admin, "case_escalated", {**_case_context(case), "case_url": admin_url})
    if case.buddy is not None:
        _mail(case.buddy, "case_escalated", _case_context(case))
    audit.record(actor=None, action="case.escalated", obj=case, actor_name="system")
