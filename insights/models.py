"""What the notes say: vectors, themes people own, their history, and spike alerts."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from voc.models import Insight
from voc.privacy import RedactedCharField, RedactedJSONField, RedactedTextField


class NoteVectorQuerySet(models.QuerySet):
    def usable(self) -> NoteVectorQuerySet:
        """Embedded, by the configured encoder: another encoder's vectors live in another space
        (and have other dimensions) until `themes backfill` embeds those notes again."""
        return self.filter(status=NoteVector.Status.OK).exclude(encoder__in=other_encoders())


def other_encoders() -> list[str]:
    return [name for name in settings.VOC_ENCODERS if name != settings.VOC_ENCODER]


# Vectors one encoder stores that another would compute identically: (encoder, note language).
# The pair encoder embeds English notes with MiniLM alone (insights.nlp.EncoderPair).
SHARED_VECTORS = {"pair": ("minilm", "en")}


class NoteVector(models.Model):
    """A note's sentence vector, computed once after commit and never again (re-grouping reuses
    it), unless the organisation changes encoder."""

    class Status(models.TextChoices):
        OK = "ok", _("Embedded")
        FAILED = "failed", _("Could not be embedded")

    note = models.OneToOneField(Insight, on_delete=models.CASCADE, primary_key=True, related_name="vector")
    encoder = models.CharField(_("encoder"), max_length=64)
    vector = models.BinaryField(_("vector"), blank=True)  # float32, L2-normalised
    # space-separated content lemmas, for names and lexical features
    lemmas = RedactedTextField(_("lemmas"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OK)
    error = RedactedCharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoteVectorQuerySet.as_manager()

    class Meta:
        verbose_name = _("note vector")
        verbose_name_plural = _("note vectors")

    def __str__(self) -> str:
        return f"vector of note {self.note_id}"

    def array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)


class ThemeQuerySet(models.QuerySet["Theme"]):
    def accepted(self) -> ThemeQuerySet:
        return self.filter(status=Theme.Status.ACCEPTED)

    def proposed(self) -> ThemeQuerySet:
        return self.filter(status=Theme.Status.PROPOSED)


class Theme(models.Model):
    """A named group of notes. The machine proposes, leads decide; the id never changes."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Emerging (proposed)")
        ACCEPTED = "accepted", _("Accepted")
        ARCHIVED = "archived", _("Archived")
        MERGED = "merged", _("Merged into another")

    name = RedactedCharField(_("name"), max_length=120)  # English, and for any reader without a name_es
    name_es = RedactedCharField(_("Spanish name"), max_length=120, blank=True)  # Spanish and Galician readers
    description = RedactedTextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent theme")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="absorbed", verbose_name=_("merged into")
    )
    key_terms = RedactedJSONField(_("key terms"), default=list, blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owned_themes",
        verbose_name=_("owners"),
        help_text=_("Executives whose remit this theme is: its complaints are preferred for their monthly case."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="theme_not_own_parent"),
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False) | ~models.Q(status="merged"),
                name="theme_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def name_in(self, language: str | None) -> str:
        """The name for a reader of ``language``: Spanish (and Galician) readers get ``name_es``
        when the theme has one."""
        if (language or "").split("-")[0] in SPANISH_NAME_READERS and self.name_es:
            return self.name_es
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (pages, e-mails, PDFs and the API's ``label``)."""
        return self.name_in(translation.get_language())


SPANISH_NAME_READERS = ("es", "gl")


class Assignment(models.Model):
    """Which theme a note belongs to, how sure the machine was, and who decided."""

    class Method(models.TextChoices):
        AUTO = "auto", _("Assigned automatically")
        DISCOVERY = "discovery", _("Grouped by discovery")
        PERSON = "person", _("Moved by a person")

    note = models.OneToOneField(Insight, on_delete=models.CASCADE, primary_key=True, related_name="assignment")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="assignments")
    confidence = models.FloatField(_("confidence"), default=1.0)
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    assigned_at = models.DateTimeField(_("when"), auto_now=True)

    class Meta:
        verbose_name = _("theme assignment")
        verbose_name_plural = _("theme assignments")
        indexes = [
            models.Index(fields=["theme", "method"], name="assignment_theme_method_idx"),
            # a theme's notes without reading the table: counts, quotes and the monthly pack
            models.Index(fields=["theme", "note"], name="assignment_theme_note_idx"),
        ]

    def __str__(self) -> str:
        return f"note {self.note_id} → theme {self.theme_id}"


class ThemeChange(models.Model):
    """One curation step (who, when, before, after); merges and splits can be undone from here."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by discovery")
        ACCEPTED = "accepted", _("Accepted")
        RENAMED = "renamed", _("Renamed")
        MERGED = "merged", _("Merged")
        SPLIT = "split", _("Split")
        MOVED = "moved", _("Notes moved")
        ARCHIVED = "archived", _("Archived")
        RESTORED = "restored", _("Restored")
        PARENT = "parent", _("Parent changed")
        UNDONE = "undone", _("Undone")

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="history")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    before = RedactedJSONField(_("before"), default=dict, blank=True)
    after = RedactedJSONField(_("after"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("theme change")
        verbose_name_plural = _("theme history")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.theme_id}"


class ThemeClassifier(models.Model):
    """The classifier new notes are assigned with (insights.classifier), fitted on the accepted
    themes' notes; the newest row is in use. Refitted after each curation step and nightly, so
    assigning a note never reads the examples."""

    encoder = models.CharField(max_length=64)
    theme_ids = models.JSONField(default=list)
    weights = models.BinaryField()  # float32, themes x dimensions
    bias = models.BinaryField()  # float32, one per theme
    centres = models.BinaryField()  # float32, themes x dimensions
    examples = models.PositiveIntegerField(default=0)
    # The newest curation step (ThemeChange id) it was fitted after: a refit asked for by an
    # older step has nothing to add.
    after_change = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("theme classifier")
        verbose_name_plural = _("theme classifiers")

    def __str__(self) -> str:
        return f"classifier {self.pk} ({len(self.theme_ids)} themes, {self.examples} notes)"


class Alert(models.Model):
    """A theme rising well above its trailing baseline. A continuing spike updates the open alert."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="alerts")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    first_week = models.DateField(_("first week"))
    last_week = models.DateField(_("latest week"))
    count = models.PositiveIntegerField(_("notes in the latest week"))
    baseline = models.FloatField(_("weekly baseline"))
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_week", "-count"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["theme"], condition=models.Q(status="open"), name="alert_one_open_per_theme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} ({self.count} vs {self.baseline:.1f})"


# The loop's models live with their subjects; importing them here registers them with the app.
from insights.actions.models import Action  # noqa: E402
from insights.explore.models import DailyTally, DailyThemeTally  # noqa: E402
from insights.following.models import (  # noqa: E402
    Burst,
    Mail,
    MailPreference,
    Notification,
    Subscription,
    Webhook,
    WebhookCall,
)
from insights.questions.models import Question, QuestionMatch  # noqa: E402

__all__ = [
    "SHARED_VECTORS",
    "Action",
    "Alert",
    "Assignment",
    "Burst",
    "DailyTally",
    "DailyThemeTally",
    "Mail",
    "MailPreference",
    "NoteVector",
    "Notification",
    "Question",
    "QuestionMatch",
    "Subscription",
    "Theme",
    "ThemeChange",
    "ThemeClassifier",
    "Webhook",
    "WebhookCall",
    "other_encoders",
]
