"""Free text that a person types and others read is stored redacted, whatever writes it.

The rule lives in the model field, not in each service: ``RedactedCharField``,
``RedactedTextField`` and ``RedactedJSONField`` run ``voc.redaction.redact`` on every value they
write to the database -- ``save()``, ``create()``, ``bulk_create()``, ``bulk_update()``,
``QuerySet.update()`` and Django admin alike -- and ``save()`` leaves the redacted value on the
instance too, so an e-mail rendered right after a save shows what was stored. Lookups are left
alone: a filter compares with what is stored, it writes nothing.

Every other text field of the project's models is listed in ``EXEMPT`` with the reason it may
hold what was typed (``tests/voc/test_privacy_fields.py`` fails for a text field that is
neither). Services that need to know what was taken out still call ``redact()`` themselves:
redacting twice changes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.functional import Promise

from voc.redaction import redact

__all__ = [
    "EXEMPT",
    "RedactedCharField",
    "RedactedField",
    "RedactedJSONField",
    "RedactedTextField",
    "redact_existing_rows",
    "redact_value",
]


def redact_value(value: Any) -> Any:
    """``value`` with personal data taken out of every string in it, however deeply nested.
    Dictionary keys are left as they are: they are written by code (field names, note ids)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return redact(value).text
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


class RedactedField(models.Field):
    """Mixin for a concrete field class: what is written is redacted."""

    def _redacted(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value  # SQL expressions compute from columns that are redacted already
        value = redact_value(self.to_python(value))  # to_python: a number given to a text field is text
        max_length = getattr(self, "max_length", None)
        if isinstance(value, str) and max_length and len(value) > max_length:
            # A placeholder can be a character longer than what it replaces ("a@b.es" -> "[EMAIL]");
            # a value typed up to the limit must still fit the column.
            value = value[:max_length]
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self._redacted(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return super().get_db_prep_save(self._redacted(value), connection)


class RedactedCharField(RedactedField, models.CharField):
    """A ``CharField`` whose stored value is redacted of personal data."""


class RedactedTextField(RedactedField, models.TextField):
    """A ``TextField`` whose stored value is redacted of personal data."""


class RedactedJSONField(RedactedField, models.JSONField):
    """A ``JSONField`` every string of which (not the keys) is stored redacted of personal data."""


def redact_existing_rows(apps: Any, app_label: str) -> int:
    """Redact what rows of ``app_label`` hold in their redacted fields from before those fields
    redacted (used by the data migrations; ``apps`` is the migration's app registry). Returns
    how many rows changed; running it again changes nothing."""
    changed = 0
    for model in apps.get_app_config(app_label).get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, RedactedField)]
        if not names:
            continue
        for pk, *values in model._base_manager.values_list("pk", *names).order_by("pk").iterator(chunk_size=500):
            update = {
                name: clean
                for name, value in zip(names, values, strict=True)
                if (clean := redact_value(value)) != value
            }
            if update:
                model._base_manager.filter(pk=pk).update(**update)
                changed += 1
    return changed


# Why each text field that is not redacted may keep what was typed. The key is the field's label,
# "app_label.Model.field".
_CODE = "a code or choice written by the product, never free text"
_STAFF = "about a member of staff, set by an admin or the person; read by admins and colleagues by design"
_ORG = "the organisation's own names (sites, teams, product areas), kept by admins"
EXEMPT: dict[str, str] = {
    # voc: people and places
    "voc.Site.name": _ORG,
    "voc.Site.city": _ORG,
    "voc.Site.country": _CODE,
    "voc.Team.name": _ORG,
    "voc.ProductArea.name": _ORG,
    "voc.User.password": "a password hash",
    "voc.User.username": _STAFF,
    "voc.User.first_name": _STAFF,
    "voc.User.last_name": _STAFF,
    "voc.User.email": _STAFF,
    "voc.User.department": _STAFF,
    "voc.User.role": _CODE,
    "voc.User.language": _CODE,
    # voc: the audit log
    "voc.AuditEntry.actor_name": "the username that acted or tried to sign in: admins need it as typed to "
    "investigate lock-outs; the audit log is read by admins only",
    "voc.AuditEntry.action": _CODE,
    "voc.AuditEntry.object_type": _CODE,
    "voc.AuditEntry.object_id": "a primary key",
    # voc: notes
    "voc.Insight.kind": _CODE,
    "voc.Insight.channel": _CODE,
    "voc.Insight.language": _CODE,
    "voc.Insight.abroad_country": "a two-letter country code",
    "voc.Insight.source": "the name of the system a note was imported from",
    "voc.Insight.external_id": "the note's id in its source system: it keeps imports idempotent, and two "
    "ids redacted to the same placeholder would collide; it is not shown beside the note's text",
    "voc.Insight.status": _CODE,
    "voc.ComplaintContact.name": "the complaining customer's contact details, kept apart from the note by "
    "design: shown only to who handles the complaint, every view audited",
    "voc.ComplaintContact.phone": "contact details by design (see voc.ComplaintContact.name)",
    "voc.ComplaintContact.email": "contact details by design (see voc.ComplaintContact.name)",
    "voc.ComplaintContact.account": "contact details by design (see voc.ComplaintContact.name)",
    "voc.Tally.channel": _CODE,
    "voc.ImportJob.status": _CODE,
    "voc.ImportJob.encoding": _CODE,
    "voc.ImportJob.delimiter": _CODE,
    # voc: the executive programme
    "voc.ComplaintCase.status": _CODE,
    "voc.ComplaintCase.root_cause": _CODE,
    "voc.ComplaintCase.outcome": _CODE,
    "voc.CaseEvent.action": _CODE,
    "voc.CaseGap.reason": _CODE,
    "voc.Heartbeat.name": "a process name (host and worker) written by the product",
    "voc.JobEvent.task": "a task name written by the product",
    "voc.JobEvent.outcome": _CODE,
    "voc.JobEvent.error": "an exception class name written by the product, never its message",
    # insights
    "insights.NoteVector.encoder": _CODE,
    "insights.NoteVector.status": _CODE,
    "insights.Theme.status": _CODE,
    "insights.Assignment.method": _CODE,
    # insights: the dashboard's daily roll-up (a note's kind, channel and language; a dimension's
    # name and a value: a choice, an id or true/false)
    "insights.DailyTally.kind": _CODE,
    "insights.DailyTally.channel": _CODE,
    "insights.DailyTally.language": _CODE,
    "insights.DailyThemeTally.dimension": _CODE,
    "insights.DailyThemeTally.value": _CODE,
    "insights.ThemeChange.action": _CODE,
    "insights.Alert.status": _CODE,
    "insights.ThemeClassifier.encoder": _CODE,
    "insights.ThemeClassifier.theme_ids": "theme ids (numbers) written by the product",
    "insights.Question.status": _CODE,
    "insights.Question.encoder": _CODE,
    "insights.QuestionMatch.state": _CODE,
    "insights.QuestionMatch.channel": _CODE,
    "insights.QuestionMatch.language": _CODE,
    "insights.Action.status": _CODE,
    "insights.Subscription.kind": _CODE,
    "insights.Subscription.target_key": "ids of what is followed, written by the product",
    "insights.Subscription.digest": _CODE,
    "insights.Burst.subject": "ids of what burst, written by the product",
    "insights.Burst.status": _CODE,
    "insights.Burst.note_ids": "note ids (numbers) written by the product",
    "insights.Notification.kind": _CODE,
    "insights.Notification.event_key": "ids of the event, written by the product",
    "insights.Notification.url": "a path inside the product, written by the product",
    "insights.Mail.email": "the recipient's (a member of staff's) address: the e-mail goes there",
    "insights.Mail.language": _CODE,
    "insights.Mail.kind": _CODE,
    "insights.Mail.status": _CODE,
    "insights.Mail.event_key": "ids of the event, written by the product",
    "insights.Mail.url": "a link into the product, written by the product",
    "insights.Webhook.url": "the address an admin registers; refused unless a public http(s) address",
    "insights.Webhook.secret": "a random signing key generated by the product",
    "insights.Webhook.department": _ORG,
    "insights.Webhook.language": _CODE,
    "insights.WebhookCall.event_key": "ids of the event, written by the product",
    "insights.WebhookCall.status": _CODE,
    # newsletter
    "newsletter.Issue.status": _CODE,
    "newsletter.Fact.key": _CODE,
    "newsletter.Delivery.email": "the recipient's (a member of staff's) address: the e-mail goes there",
    "newsletter.Delivery.language": _CODE,
    "newsletter.Delivery.status": _CODE,
}
