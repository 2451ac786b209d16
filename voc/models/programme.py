"""The executive programme: monthly complaint cases with a buddy, and listening sessions."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voc import periods
from voc.models.core import Insight, Site
from voc.privacy import RedactedCharField, RedactedTextField


class ComplaintCaseQuerySet(models.QuerySet["ComplaintCase"]):
    def open(self) -> ComplaintCaseQuerySet:
        """Not resolved and not handed back: someone still owes the customer something."""
        return self.filter(status__in=OPEN_STATUSES)

    def monthly_totals(self, months: list[date]) -> dict[date, dict[str, int]]:
        """Per month of ``months`` that has cases: ``assigned``, ``acknowledged_on_time`` (by the
        deadline), ``resolved``, ``handed_back`` and ``learned`` (a learning written down); one query."""
        rows = (
            self.filter(month__in=months)
            .order_by()
            .values("month")
            .annotate(
                assigned=models.Count("id"),
                acknowledged_on_time=models.Count(
                    "id", filter=models.Q(acknowledged_at__lte=models.F("acknowledge_by"))
                ),
                resolved=models.Count("id", filter=models.Q(status="resolved")),
                handed_back=models.Count("id", filter=models.Q(status="handed_back")),
                learned=models.Count("id", filter=~models.Q(learned="")),
            )
        )
        return {row.pop("month"): row for row in rows}


ACKNOWLEDGED_ON_TIME = models.Q(acknowledged_at__lte=models.F("acknowledge_by"))
OPEN_STATUSES = ("assigned", "acknowledged", "contacted")  # then "resolved" or "handed_back"


class ComplaintCase(models.Model):
    """One real complaint an executive handles personally in ``month``, with a buddy from the
    customer-service area. One per executive per month; a complaint is handled once."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CONTACTED = "contacted", _("Customer contacted")
        RESOLVED = "resolved", _("Resolved")
        HANDED_BACK = "handed_back", _("Handed back")

    class RootCause(models.TextChoices):
        PROCESS = "process", _("A process or policy of ours")
        PRODUCT = "product", _("The product or its price")
        SYSTEM = "system", _("A system or app fault")
        PEOPLE = "people", _("How we treated the customer")
        COMMUNICATION = "communication", _("What we told (or did not tell) the customer")
        THIRD_PARTY = "third_party", _("A partner or supplier")
        CUSTOMER = "customer", _("A misunderstanding, nothing we did wrong")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("Customer satisfied")
        PARTLY = "partly", _("Partly satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")
        NO_REPLY = "no_reply", _("Could not reach the customer")

    month = models.DateField(_("month"))  # its first day
    executive = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases", verbose_name=_("executive")
    )
    note = models.OneToOneField(Insight, on_delete=models.PROTECT, related_name="case", verbose_name=_("complaint"))
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="buddy_cases",
        verbose_name=_("buddy"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    matched_remit = models.BooleanField(_("matches the executive's remit"), default=False)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("customer contacted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=16, choices=RootCause.choices, blank=True)
    action_taken = RedactedTextField(_("action taken"), blank=True, max_length=2000)
    outcome = models.CharField(_("customer outcome"), max_length=16, choices=Outcome.choices, blank=True)
    learned = RedactedTextField(_("what I learned"), blank=True, max_length=2000)
    handback_reason = RedactedTextField(_("reason for handing back"), blank=True, max_length=2000)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    objects = ComplaintCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "executive__rank", "id"]
        verbose_name = _("complaint case")
        verbose_name_plural = _("complaint cases")
        constraints = [
            models.UniqueConstraint(fields=["month", "executive"], name="case_one_per_executive_per_month"),
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | ~models.Q(root_cause=""), name="case_resolved_has_root_cause"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.executive}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def acknowledge_state(self) -> str:
        """Overdue or due soon while it waits to be acknowledged (a badge wherever it shows)."""
        if self.status != self.Status.ASSIGNED:
            return ""
        return periods.due_state(self.acknowledge_by, now=timezone.now())


class CaseEvent(models.Model):
    """The case's timeline: transitions and notes by the executive and the buddy."""

    case = models.ForeignKey(ComplaintCase, on_delete=models.CASCADE, related_name="events")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(_("what happened"), max_length=16)  # a Status value, or "note"
    text = RedactedTextField(_("note"), blank=True, max_length=2000)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case} · {self.action}"

    @property
    def label(self) -> str:
        if self.action in ComplaintCase.Status.values:
            return str(ComplaintCase.Status(self.action).label)
        return str(_("Note"))


class CaseGap(models.Model):
    """An executive who got no case in a month, and why (recorded by the assignment)."""

    class Reason(models.TextChoices):
        SHORTAGE = (
            "shortage",
            _("Not enough open complaints (with the customer's consent to be contacted) for everyone."),
        )
        REPEAT = "repeat", _("Every open complaint is from a customer this executive has already handled.")

    month = models.DateField(_("month"))
    executive = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, choices=Reason.choices)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "executive__rank"]
        verbose_name = _("month without a case")
        verbose_name_plural = _("months without a case")
        constraints = [models.UniqueConstraint(fields=["month", "executive"], name="case_gap_one_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.executive}: {self.get_reason_display()}"


class ListeningSession(models.Model):
    """Time someone spent listening to customer calls, and what they took from it."""

    MAX_MINUTES = 720  # a long day; more in one session is a typing mistake

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listening", verbose_name=_("person")
    )
    day = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    queue = RedactedCharField(_("queue or team"), max_length=100, blank=True)
    heard = RedactedTextField(_("what I heard"), blank=True, max_length=2000)
    surprised = RedactedTextField(_("what surprised me"), blank=True, max_length=2000)
    idea = RedactedTextField(_("an idea"), blank=True, max_length=2000)
    idea_note = models.OneToOneField(
        Insight, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("idea as a note")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("listening session")
        verbose_name_plural = _("listening sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=720), name="listening_minutes_sensible"
            ),
        ]
        indexes = [models.Index(fields=["person", "day"], name="listening_person_day_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.day} · {self.minutes} min"


class ListeningNudge(models.Model):
    """One reminder per person per week at most (the weekly nudge is safe to run twice)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "week_start"], name="listening_nudge_once_a_week")]

    def __str__(self) -> str:
        return f"{self.person} · {self.week_start}"
