"""What gets published: weekly issues and their facts, deliveries, subscriptions, monthly packs."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from insights.models import SPANISH_NAME_READERS
from voc.models import Insight, Outgoing
from voc.privacy import RedactedCharField, RedactedJSONField, RedactedTextField


class Issue(models.Model):
    """One weekly "Did you know…?" edition. One per ISO week (``week_start`` is its Monday)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (nothing notable)")

    week_start = models.DateField(_("week"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes_count = models.PositiveIntegerField(_("notes that week"), default=0)
    editor_note = RedactedTextField(_("editor's note"), blank=True, max_length=2000)
    drafted_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    send_at = models.DateTimeField(_("send automatically at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="newsletters/", blank=True)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered"), null=True, blank=True)
    pdf_requested_at = models.DateTimeField(_("PDF requested"), null=True, blank=True)
    pdf_error = RedactedCharField(_("PDF error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="issue_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "sent"]) | models.Q(approved_at__isnull=False),
                name="issue_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ISO week, e.g. ``2026-W47``."""
        year, week, _weekday = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def week_end(self) -> date:
        """The Sunday that closes the week."""
        return self.week_start + timedelta(days=6)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.SENT


class Fact(models.Model):
    """One "Did you know…?" line: a sentence in each language, its number, its base and a quote."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="facts")
    key = models.CharField(_("generator"), max_length=64)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    included = models.BooleanField(_("included"), default=True)
    number = models.IntegerField(_("number"))
    base = models.PositiveIntegerField(_("out of (n)"))
    percent = models.FloatField(_("share"), null=True, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    compare_start = models.DateField(_("compared with, from"), null=True, blank=True)
    compare_end = models.DateField(_("compared with, to"), null=True, blank=True)
    sentence_en = RedactedTextField(_("sentence (English)"), max_length=500)
    sentence_es = RedactedTextField(_("sentence (Spanish)"), max_length=500)
    sentence_gl = RedactedTextField(_("sentence (Galician)"), max_length=500, blank=True)
    quote = RedactedTextField(_("example quote"), blank=True)
    quote_note = models.ForeignKey(Insight, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    edited = models.BooleanField(_("edited by a person"), default=False)
    data = RedactedJSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        constraints = [models.UniqueConstraint(fields=["issue", "key"], name="fact_unique_key_per_issue")]

    def __str__(self) -> str:
        return self.sentence_en

    def sentence(self, language: str | None = None) -> str:
        """The sentence in ``language`` (default: the active one). Facts drafted before Galician
        sentences existed have none: Galician readers get the Spanish one, as they get a theme's
        Spanish name (``SPANISH_NAME_READERS``); English when there is no other."""
        language = (language or get_language() or "en")[:2]
        if language == "gl" and self.sentence_gl:
            return self.sentence_gl
        return self.sentence_es if language in SPANISH_NAME_READERS and self.sentence_es else self.sentence_en

    @property
    def figure(self) -> str:
        """The big number: the share when the fact is a share, else the count."""
        return f"{round(self.percent)}%" if self.percent is not None else f"{self.number:,}"


class Subscription(models.Model):
    """What a person wants by e-mail. No row means the defaults of their role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription")
    weekly = models.BooleanField(_("weekly newsletter by e-mail"), default=True)
    monthly_pack = models.BooleanField(_("monthly head-office pack by e-mail"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return str(self.user)


class Delivery(Outgoing):
    """One e-mail of one issue (or one monthly pack) to one person. Claimed by a conditional
    UPDATE before sending, so a job run twice or a worker that dies sends it once."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries")
    pack = models.ForeignKey("MonthlyPack", on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deliveries")
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "recipient"], name="delivery_one_per_recipient"),
            models.UniqueConstraint(fields=["pack", "recipient"], name="delivery_one_pack_per_recipient"),
            models.CheckConstraint(
                condition=models.Q(issue__isnull=False, pack__isnull=True)
                | models.Q(issue__isnull=True, pack__isnull=False),
                name="delivery_of_issue_or_pack",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="delivery_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["issue", "status"], name="delivery_issue_status_idx"),
            models.Index(fields=["pack", "status"], name="delivery_pack_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.issue or self.pack} → {self.email}"


class MonthlyPack(models.Model):
    """The head-office PDF pack of one calendar month (``month`` is its first day)."""

    month = models.DateField(_("month"), unique=True)
    pdf = models.FileField(_("PDF"), upload_to="packs/", blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    error = RedactedCharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly pack")
        verbose_name_plural = _("monthly packs")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")
