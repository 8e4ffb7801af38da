"""The schema, one module per group of tables, all on one metadata.

Relationships are not declared: async sessions cannot lazy-load, so every query says what it
joins. Instants are aware UTC (`UTCDateTime`); local calendar days are `Date`.
Every table module must be imported here, so Alembic and the tests see the whole schema.
"""

from storage.forms.tables import FormAnswer, FormChase, FormPublicMark, FormRespondent
from storage.models.base import metadata
from storage.models.cases import (
    Accountability,
    Case,
    CaseFinding,
    CaseIntake,
    CaseMessage,
    Evidence,
    ReportAuthor,
)
from storage.models.core import AuditEvent, GroupBinding, Invite, Member, Unit
from storage.models.desk_cards import DeskCard
from storage.models.desk_followups import CaseWait, LedgerReturn, NoteSection
from storage.models.duties import (
    Absence,
    BoardingSchool,
    Cadre,
    CheckIn,
    InspectionFinding,
    InspectionRound,
    Inspector,
)
from storage.models.hotline import (
    ComplaintFingerprint,
    ComplaintHold,
    ComplaintPushLink,
    ComplaintRating,
    ComplaintReceipt,
    ComplaintTombstone,
    HotlineCounter,
)
from storage.models.ledger import (
    LedgerDeadlineChange,
    LedgerExtension,
    LedgerItem,
    LedgerProgress,
    PhaseRating,
    SignOff,
)
from storage.models.numbering import CaseNumberCounter
from storage.models.publications import Broadcast, Publication
from storage.models.reminders import ReminderOutbox, ReminderPause
from storage.models.runtime import ConversationDraft, ConversationState, ProcessedUpdate

__all__ = [
    "Absence",
    "Accountability",
    "AuditEvent",
    "BoardingSchool",
    "Broadcast",
    "Cadre",
    "Case",
    "CaseFinding",
    "CaseIntake",
    "CaseMessage",
    "CaseNumberCounter",
    "CaseWait",
    "CheckIn",
    "ComplaintFingerprint",
    "ComplaintHold",
    "ComplaintPushLink",
    "ComplaintRating",
    "ComplaintReceipt",
    "ComplaintTombstone",
    "ConversationDraft",
    "ConversationState",
    "DeskCard",
    "Evidence",
    "FormAnswer",
    "FormChase",
    "FormPublicMark",
    "FormRespondent",
    "GroupBinding",
    "HotlineCounter",
    "InspectionFinding",
    "InspectionRound",
    "Inspector",
    "Invite",
    "LedgerDeadlineChange",
    "LedgerExtension",
    "LedgerItem",
    "LedgerProgress",
    "LedgerReturn",
    "Member",
    "NoteSection",
    "PhaseRating",
    "ProcessedUpdate",
    "Publication",
    "ReminderOutbox",
    "ReminderPause",
    "ReportAuthor",
    "SignOff",
    "Unit",
    "metadata",
]
