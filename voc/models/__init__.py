"""voc's models: people, notes and the audit log (``core``), the executive programme (``programme``), and what
every outgoing message row has (``outbox``)."""

from voc.models.core import (
    AuditEntry,
    ComplaintContact,
    ImportJob,
    Insight,
    InsightQuerySet,
    ProductArea,
    Site,
    Tally,
    Team,
    User,
)
from voc.models.machinery import Heartbeat, JobEvent
from voc.models.outbox import Outgoing
from voc.models.programme import CaseEvent, CaseGap, ComplaintCase, ListeningNudge, ListeningSession

__all__ = [
    "AuditEntry",
    "CaseEvent",
    "CaseGap",
    "ComplaintCase",
    "ComplaintContact",
    "Heartbeat",
    "ImportJob",
    "Insight",
    "InsightQuerySet",
    "JobEvent",
    "ListeningNudge",
    "ListeningSession",
    "Outgoing",
    "ProductArea",
    "Site",
    "Tally",
    "Team",
    "User",
]
