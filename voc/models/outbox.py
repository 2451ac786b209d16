"""What every outgoing message row has: a status that is claimed before sending, attempts with
backoff, and the last error (``voc.outbox`` does the claiming)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from voc.privacy import RedactedCharField


class Outgoing(models.Model):
    """One message to one recipient (an e-mail, a webhook call), sent exactly once by a claim:
    a conditional UPDATE from *waiting* to *sending* before it goes out, *sent* right after."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = RedactedCharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
