"""The schema, one module per group of tables, all on one metadata.

Relationships are not declared: async sessions cannot lazy-load, so every query says what it
joins. Instants are aware UTC (`UTCDateTime`); local calendar days are `Date`.
Every table module must be imported here, so Alembic and the tests see the whole schema.
"""

from storage.models.base import metadata
from storage.models.cases import Case, CaseMessage, Evidence, ReportAuthor
from storage.models.core import AuditEvent, GroupBinding, Invite, Member, Unit
from storage.models.hotline import (
    ComplaintFingerprint,
    ComplaintHold,
    ComplaintPushLink,
    ComplaintRating,
    ComplaintReceipt,
    ComplaintTombstone,
)
from storage.models.ledger import LedgerDeadlineChange, LedgerItem, LedgerProgress, SignOff
from storage.models.reminders import ReminderOutbox, ReminderPause

__all__ = [
    "AuditEvent",
    "Case",
    "CaseMessage",
    "ComplaintFingerprint",
    "ComplaintHold",
    "ComplaintPushLink",
    "ComplaintRating",
    "ComplaintReceipt",
    "ComplaintTombstone",
    "Evidence",
    "GroupBinding",
    "Invite",
    "LedgerDeadlineChange",
    "LedgerItem",
    "LedgerProgress",
    "Member",
    "ReminderOutbox",
    "ReminderPause",
    "ReportAuthor",
    "SignOff",
    "Unit",
    "metadata",
]
