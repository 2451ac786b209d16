"""What the admin's home page reads about the machinery: the last sign of life of each worker
and of beat, and the background jobs that failed or were retried."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a process showed it was alive (one row per worker host, and "beat")."""

    name = models.CharField(_("process"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name


class JobEvent(models.Model):
    """A background job that failed for good or was retried (the task's name and the
    exception's class only: messages can quote personal data)."""

    class Outcome(models.TextChoices):
        FAILED = "failed", _("Failed")
        RETRIED = "retried", _("Retried")

    task = models.CharField(_("task"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    error = models.CharField(_("error"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("job failure or retry")
        verbose_name_plural = _("job failures and retries")

    def __str__(self) -> str:
        return f"{self.task} {self.outcome}"
