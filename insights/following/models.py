"""Following: what a person subscribes to, the alerts raised on rolling windows, the
notifications a person reads in the product, and what goes out of it: e-mails (alerts, digests,
the agents' weekly "what happened") and webhook calls to chat tools."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from insights.models import Theme
from insights.questions.models import Question
from voc.models import Insight, Outgoing, ProductArea, Site
from voc.privacy import RedactedCharField, RedactedJSONField, RedactedTextField


class Subscription(models.Model):
    """One person following a theme, a question, a site, a product area or a kind (or a
    combination: complaints at their site), and how they want to hear of it."""

    class Digest(models.TextChoices):
        NONE = "", _("No e-mail digest")
        DAILY = "daily", _("Daily e-mail")
        WEEKLY = "weekly", _("Weekly e-mail")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="subscriptions")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product_area = models.ForeignKey(ProductArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Insight.Kind.choices, blank=True)
    # "theme:5", "site:2|kind:complaint": what is followed, one row per person and target.
    target_key = models.CharField(max_length=120)
    in_app = models.BooleanField(_("in the product"), default=True)
    digest = models.CharField(_("e-mail digest"), max_length=8, choices=Digest.choices, blank=True, default="")
    alert_on_spike = models.BooleanField(_("alert when it spikes"), default=True)
    alert_email = models.BooleanField(
        _("alerts by e-mail too"),
        default=False,
        help_text=_("An e-mail at once when it spikes or passes your threshold, and when an action on it moves."),
    )
    alert_threshold = models.PositiveIntegerField(
        _("alert above this many a day"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no threshold alert."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "target_key"], name="subscription_once_per_target"),
            models.CheckConstraint(
                condition=models.Q(theme__isnull=False)
                | models.Q(question__isnull=False)
                | models.Q(site__isnull=False)
                | models.Q(product_area__isnull=False)
                | ~models.Q(kind=""),
                name="subscription_has_target",
            ),
            models.CheckConstraint(
                condition=models.Q(alert_threshold__isnull=True) | models.Q(alert_threshold__gte=1),
                name="subscription_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.target_key}"


class Burst(models.Model):
    """Many notes about one thing in a short, rolling window: a theme, a question, a followed
    target passing its threshold, or near-identical notes no theme holds yet. A burst that goes
    on updates its row (``last_seen_at``, ``count``); one open row per subject."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    # "theme:5", "question:3", "cluster:<first note id>", "subscription:12"
    subject = models.CharField(max_length=120)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="bursts")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True, related_name="bursts")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = RedactedCharField(_("what"), max_length=200)
    example = RedactedTextField(_("example"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    count = models.PositiveIntegerField(_("notes in the window"))
    baseline = models.FloatField(_("usual for such a window"), default=0.0)
    note_ids = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("burst alert")
        verbose_name_plural = _("burst alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(status="open"), name="burst_one_open_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.count})"


class Notification(models.Model):
    """One thing a person should know, once: ``event_key`` is unique per person, so an event
    raised again (a burst growing, a job run twice) updates the row instead of adding one."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        ACTION = "action", _("Action")
        QUESTION = "question", _("Question")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    event_key = models.CharField(max_length=120)
    title = RedactedCharField(_("title"), max_length=200)  # in the reader's language when told
    # The title in every language of the product, so that it follows a reader who changes theirs.
    titles = RedactedJSONField(_("title in each language"), default=dict, blank=True)
    body = RedactedTextField(_("details"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="notification_once_per_event")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    @property
    def shown_title(self) -> str:
        """The title in the active language (as it was told, for a row from before ``titles``)."""
        return self.titles.get(translation.get_language() or "") or self.title


class MailPreference(models.Model):
    """A person's choices about e-mail from following that belong to no one subscription."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference")
    what_happened_weekly = models.BooleanField(
        _("e-mail me what happened to my notes every week"),
        default=False,
        help_text=_("Mondays: the themes, questions and actions your notes of the week before led to."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return str(self.user_id)


class Mail(Outgoing):
    """One e-mail to one person about one event (an alert, news of an action, a digest, the
    week's "what happened"): ``event_key`` is unique per person, so an event raised again or a
    job run twice never sends a second one, and the claims of ``voc.outbox`` send it once."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        ACTION = "action", _("Action")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        WHAT_HAPPENED = "heard", _("What happened to your notes")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_mails")
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    event_key = models.CharField(max_length=120)
    title = RedactedCharField(_("title"), max_length=200)
    body = RedactedTextField(_("details"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    items = RedactedJSONField(_("lines"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        constraints = [
            models.UniqueConstraint(fields=["user", "event_key"], name="mail_once_per_event"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="mail_sent_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="mail_status_idx")]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.email}"


class Webhook(models.Model):
    """An address a team's chat tool (or any HTTP service) listens on, registered by an admin
    for one subscription (what it alerts of) or for a department (what its people are told, its
    questions and its actions). Calls are JSON with a Slack/Teams-compatible ``text`` and an
    HMAC-SHA256 signature made with ``secret``."""

    name = RedactedCharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=64, help_text=_("Give it to the receiver to check the signature.")
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks"
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subscription__isnull=False) | ~models.Q(department=""),
                name="webhook_for_subscription_or_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookCall(Outgoing):
    """One event posted to one webhook, once (``event_key`` unique per webhook)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="calls")
    event_key = models.CharField(max_length=120)
    payload = RedactedJSONField(_("payload"), default=dict)
    response_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook call")
        verbose_name_plural = _("webhook calls")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_key"], name="webhook_call_once_per_event"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_call_status_idx")]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.webhook_id}"
