"""Actions: what a department did about themes and questions ("you said, we did")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insights.models import Theme
from insights.questions.models import Question
from voc.privacy import RedactedCharField, RedactedTextField


class Action(models.Model):
    """Something done about what customers said, with its status and dates; its effect on the
    notes is measured from them (insights.actions.effect), never typed in."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    title = RedactedCharField(_("what was done"), max_length=200)
    description = RedactedTextField(_("details"), blank=True)
    department = RedactedCharField(_("department"), max_length=100, blank=True)  # typed by whoever records it
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_owned",
        verbose_name=_("owner"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    themes = models.ManyToManyField(Theme, blank=True, related_name="actions", verbose_name=_("themes"))
    questions = models.ManyToManyField(Question, blank=True, related_name="actions", verbose_name=_("questions"))
    started_on = models.DateField(_("started"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_on__isnull=False), name="action_done_has_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "done_on"], name="action_status_done_idx")]

    def __str__(self) -> str:
        return self.title
