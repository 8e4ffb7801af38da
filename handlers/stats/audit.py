"""How the audit log reads in an export file: each action and kind of subject in the office's
words, a status set by hand with both statuses, and statuses in the 原值/新值 columns. The codes
are `domain.audit`'s; a code this table does not know (a row written by a later version) reads
as itself."""

from __future__ import annotations

from domain.audit import (
    CASE_STATUS_VALUES,
    LEDGER_STATUS_VALUES,
    STATUS_CHANGES,
    AuditAction,
    AuditSubject,
)
from domain.cases.lifecycle import CaseStatus
from domain.ledger.rules import LedgerStatus
from handlers.i18n import Translator
from handlers.ledger.views import status_label as ledger_status
from handlers.ui.labels import status_label as case_status
from storage.audit import AuditRow
from storage.desk.notes import INTERNAL  # the to value of a note or file for staff only

_CASE_STATUSES = frozenset(s.value for s in CaseStatus)
_LEDGER_STATUSES = frozenset(s.value for s in LedgerStatus)


def action_names(t: Translator) -> dict[AuditAction, str]:
    """Every audit action's name in `t`'s language."""
    A = AuditAction
    names = {
        A.REPORT_FILED: t.gettext("Report filed"),
        A.CASE_INTAKE: t.gettext("Case registered from another channel"),
        A.FINDING_FILED: t.gettext("Inspection finding filed"),
        A.REPORT_STATUS: t.gettext("Report status changed"),
        A.COMPLAINT_REPLY: t.gettext("Complaint answered"),
        A.COMPLAINT_STATUS: t.gettext("Complaint status changed"),
        A.COMPLAINT_HOLD: t.gettext("Complaint kept under a legal hold"),
        A.COMPLAINT_RELEASE: t.gettext("Legal hold on a complaint lifted"),
        A.COMPLAINT_PURGE: t.gettext("Expired complaints purged"),
        A.CASE_REHANDLE: t.gettext("Dissatisfied: sent back for re-handling"),
        A.DESK_ACCEPT: t.gettext("Accepted"),
        A.DESK_REPLY: t.gettext("Replied"),
        A.DESK_CLOSE: t.gettext("Closed"),
        A.DESK_TRANSFER: t.gettext("Transferred to another handler"),
        A.DESK_DISPATCH: t.gettext("Dispatched to the unit's ledger"),
        A.DESK_ANSWER: t.gettext("Answered and closed"),
        A.DESK_FILE: t.gettext("File sent to the reporter"),
        A.DESK_ASK: t.gettext("Question put to the reporter"),
        A.DESK_STATUS: t.gettext("Case status changed"),
        A.DESK_RETURNED: t.gettext("Returned by the unit"),
        A.DESK_ANSWERED: t.gettext("The reporter answered a question"),
        A.DESK_NOTE: t.gettext("Internal note added"),
        A.CASE_RECTIFY: t.gettext("Unit reported the rectification done"),
        A.CASE_VERIFY: t.gettext("Rectification verified (closed off)"),
        A.CASE_SEND_BACK: t.gettext("Verification failed: sent back for rectification"),
        A.LEDGER_ADDED: t.gettext("Ledger item added"),
        A.LEDGER_MEASURE: t.gettext("Rectification measure entered"),
        A.LEDGER_RESPONSIBLE: t.gettext("Person responsible named"),
        A.LEDGER_DEADLINE: t.gettext("Rectification deadline changed"),
        A.LEDGER_STATUS: t.gettext("Ledger item status changed"),
        A.LEDGER_PROGRESS: t.gettext("Rectification progress reported"),
        A.LEDGER_RETURNED: t.gettext("Ledger item returned to the desk"),
        A.LEDGER_SIGNOFF: t.gettext("Ledger signed off"),
        A.EXTENSION_ASKED: t.gettext("Extension requested"),
        A.EXTENSION_APPROVED: t.gettext("Extension approved"),
        A.EXTENSION_REFUSED: t.gettext("Extension refused"),
        A.DISTRICT_CHASE: t.gettext("District chased a school (new value: heads reached)"),
        A.FORM_CHASE: t.gettext("Form chased"),
        A.DUTY_BOARDING: t.gettext("Marked as a boarding school"),
        A.DUTY_NOT_BOARDING: t.gettext("Boarding school mark removed"),
        A.DUTY_CADRE: t.gettext("Marked as a school-level cadre"),
        A.DUTY_NOT_CADRE: t.gettext("School-level cadre mark removed"),
        A.ABSENCE_REQUESTED: t.gettext("Leave from duty requested"),
        A.ABSENCE_APPROVED: t.gettext("Leave from duty approved"),
        A.ABSENCE_REFUSED: t.gettext("Leave from duty refused"),
        A.INSPECTOR: t.gettext("Added to the inspection team"),
        A.NOT_INSPECTOR: t.gettext("Removed from the inspection team"),
        A.MEMBER_JOINED: t.gettext("Joined with an invite"),
        A.MEMBER_MOVED: t.gettext("Moved to another unit"),
        A.MEMBER_ROLE: t.gettext("Role changed"),
        A.MEMBER_DEACTIVATED: t.gettext("Account deactivated"),
        A.MEMBER_LANGUAGE: t.gettext("Language changed"),
        A.MEMBER_UNREACHABLE: t.gettext("Messages cannot reach this person"),
        A.UNIT_ADDED: t.gettext("Unit added"),
        A.UNIT_UPDATED: t.gettext("Unit details changed"),
        A.INVITE_CREATED: t.gettext("Invite created"),
        A.INVITE_REVOKED: t.gettext("Invite revoked"),
        A.GROUP_BOUND: t.gettext("Group bound to a unit"),
        A.GROUP_MIGRATED: t.gettext("Group upgraded (new chat id)"),
        A.CHAT_MIGRATED: t.gettext("Staff chat upgraded (new chat id)"),
        A.REMINDERS_PAUSED: t.gettext("Reminders paused"),
        A.REMINDERS_RESUMED: t.gettext("Reminders resumed"),
        A.PUBLICATION_DRAFTED: t.gettext("Publication drafted"),
        A.PUBLICATION_EDITED: t.gettext("Publication draft edited"),
        A.PUBLICATION_DISCARDED: t.gettext("Publication draft discarded"),
        A.PUBLICATION_PUBLISHED: t.gettext("Publication published"),
        A.PUBLICATION_WITHDRAWN: t.gettext("Publication withdrawn"),
        A.PUBLICATION_CHANNEL_MESSAGE: t.gettext("Channel message after a withdrawal"),
        A.BROADCAST_CONFIRMED: t.gettext("Announcement sent"),
    }
    return {action: str(name) for action, name in names.items()}


def subject_names(t: Translator) -> dict[AuditSubject, str]:
    """Every kind of audit subject's name in `t`'s language."""
    S = AuditSubject
    names = {
        S.CASE: t.gettext("case"),
        S.REPORT: t.gettext("Report"),
        S.FINDING: t.gettext("Inspection finding"),
        S.COMPLAINT: t.gettext("Complaint"),
        S.LEDGER_ITEM: t.gettext("ledger item"),
        S.UNIT: t.gettext("unit"),
        S.MEMBER: t.gettext("person"),
        S.INVITE: t.gettext("invite"),
        S.GROUP: t.gettext("unit group"),
        S.CHAT: t.gettext("staff chat"),
        S.ABSENCE: t.gettext("leave from duty"),
        S.PUBLICATION: t.gettext("publication"),
        S.BROADCAST: t.gettext("announcement"),
        S.FORM: t.gettext("form"),
    }
    return {subject: str(name) for subject, name in names.items()}


def value_label(t: Translator, action: str, value: str) -> str:
    """A 原值/新值 cell: a case's or a ledger item's status in words, else the value as it is."""
    if action in CASE_STATUS_VALUES and value in _CASE_STATUSES:
        return str(case_status(t, value))
    if action in LEDGER_STATUS_VALUES and value in _LEDGER_STATUSES:
        return str(ledger_status(t, value))
    if value == INTERNAL and action in (AuditAction.DESK_NOTE, AuditAction.DESK_FILE):
        return str(t.gettext("internal (staff only)"))
    return value


class AuditLabels:
    """The audit columns' labels in one language, the tables built once per file."""

    def __init__(self, t: Translator) -> None:
        self._t = t
        self._actions: dict[str, str] = {a.value: name for a, name in action_names(t).items()}
        self._subjects: dict[str, str] = {s.value: n for s, n in subject_names(t).items()}

    def action(self, row: AuditRow) -> str:
        """The 操作 cell: the action's name; a status set by hand names both statuses."""
        t, code = self._t, row.action
        if code == AuditAction.DESK_FILE and row.to_value == INTERNAL:
            return str(t.gettext("Internal file added"))
        name = self._actions.get(code, code)
        if code in STATUS_CHANGES and row.from_value and row.to_value:
            before = value_label(t, code, row.from_value)
            after = value_label(t, code, row.to_value)
            # TRANSLATORS: an audit action with the status before and after, e.g. a status set
            # by hand; filled in without HTML escaping (the text goes into a file).
            pattern = str(t.gettext("{what}: {before} → {after}"))
            return pattern.format(what=name, before=before, after=after)
        return name

    def subject(self, code: str) -> str:
        """The 对象 cell: what kind of thing the action was on."""
        return self._subjects.get(code, code)

    def value(self, action: str, value: str) -> str:
        return value_label(self._t, action, value)
