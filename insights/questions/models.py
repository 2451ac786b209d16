"""Questions head office wants counted, and the notes (and "+1"s) that ask them."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from insights.models import SPANISH_NAME_READERS, Theme
from voc.models import Insight, ProductArea, Site
from voc.privacy import RedactedCharField, RedactedJSONField


class QuestionQuerySet(models.QuerySet["Question"]):
    def open(self) -> QuestionQuerySet:
        return self.filter(status=Question.Status.OPEN)


class Question(models.Model):
    """Something a department wants counted ("Will you launch an app that integrates banking?").

    The matcher (insights.questions.matcher) is one vector, ``weights``, with a ``bias``: the
    question's own vector and no bias while it is matched by its wording; its coefficients in the
    probe over the taught questions once leads have confirmed enough notes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    TEXT_MAX_LENGTH = 300

    text = RedactedCharField(_("question"), max_length=TEXT_MAX_LENGTH, blank=True)
    text_es = RedactedCharField(_("question in Spanish"), max_length=TEXT_MAX_LENGTH, blank=True)
    department = RedactedCharField(_("department"), max_length=100, blank=True)  # typed by whoever asks
    themes = models.ManyToManyField(Theme, blank=True, related_name="questions", verbose_name=_("themes"))
    product_areas = models.ManyToManyField(
        ProductArea, blank=True, related_name="questions", verbose_name=_("products and areas")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions_asked",
        verbose_name=_("asked by"),
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The matcher: empty until a worker has embedded the question.
    encoder = models.CharField(_("encoder"), max_length=64, blank=True)
    vector = models.BinaryField(_("question vector"), blank=True)  # float32, L2-normalised
    weights = models.BinaryField(_("matcher"), blank=True)  # float32
    bias = models.FloatField(_("matcher bias"), null=True, blank=True)  # set when matched by the probe
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    confirmed = models.PositiveIntegerField(_("confirmed matches"), default=0)
    # Words its matched notes use most (voc.notes.similarity.terms): the quick form offers the
    # question while a note is typed, before any vector exists.
    key_terms = RedactedJSONField(_("key terms"), default=list, blank=True)
    # Bumped by every change of text or confirmations; a scan records the version it matched with.
    version = models.PositiveIntegerField(default=1)
    scanned_version = models.PositiveIntegerField(default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=~models.Q(text="", text_es=""), name="question_has_text"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="question_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="question_status_idx")]

    def __str__(self) -> str:
        return self.label

    def text_in(self, language: str | None) -> str:
        """The wording for a reader of ``language``: Spanish and Galician readers get ``text_es``
        when there is one; everyone gets whichever wording exists."""
        spanish = (language or "").split("-")[0] in SPANISH_NAME_READERS
        if spanish and self.text_es:
            return self.text_es
        return self.text or self.text_es

    @property
    def label(self) -> str:
        return self.text_in(translation.get_language())

    def vector_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)


class QuestionMatch(models.Model):
    """One customer asking a question: a note the matcher (or a lead) tied to it, or an agent's
    "+1, heard this too" straight on the question (no note). Counts read this table only."""

    class State(models.TextChoices):
        MATCHED = "matched", _("Matched by meaning")
        CONFIRMED = "confirmed", _("Confirmed by a lead")
        REJECTED = "rejected", _("Rejected by a lead")
        HEARD = "heard", _("+1 by an agent")
        # Scored just under the threshold: not counted; shown to leads to confirm or reject.
        SUGGESTED = "suggested", _("Possible match, for a lead to decide")

    COUNTED = (State.MATCHED, State.CONFIRMED, State.HEARD)
    MACHINE = (State.MATCHED, State.SUGGESTED)  # what a scan may replace; people's decisions stay

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="matches")
    note = models.ForeignKey(Insight, on_delete=models.CASCADE, null=True, blank=True, related_name="question_matches")
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    score = models.FloatField(_("score"), null=True, blank=True)
    # Who, where, how and when the customer asked: the note's, or the "+1"'s.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Insight.Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=Insight.Language.choices)
    occurred_at = models.DateTimeField(_("when"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("question match")
        verbose_name_plural = _("question matches")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "note"], condition=models.Q(note__isnull=False), name="question_match_once"
            ),
            models.CheckConstraint(
                condition=models.Q(state="heard", note__isnull=True)
                | (~models.Q(state="heard") & models.Q(note__isnull=False)),
                name="question_match_note_unless_heard",
            ),
        ]
        indexes = [
            models.Index(fields=["question", "occurred_at"], name="question_match_time_idx"),
            models.Index(fields=["note", "state"], name="question_match_note_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} ← {self.note_id or 'heard'} ({self.state})"
