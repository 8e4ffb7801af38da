"""The audit trail's vocabulary: every action an audit event names and every kind of subject,
in one place. Storage writes these codes (`storage.audit.record`); the export reads them in the
office's words (`handlers/stats/audit.py`), and a test keeps the two in step.

A family of actions built from another rule's enum (the desk's moves, the loop's moves) is
spelled out here member by member, and its builder looks the code up: a new member of that enum
without its code here fails at once, not in an administrator's file."""

from __future__ import annotations

from enum import StrEnum

from domain.cases.lifecycle import CaseAction
from domain.desk.followup import OwnerAct
from domain.desk.rules import Action


class AuditAction(StrEnum):
    """What happened (`audit_events.action`)."""

    # cases: filing and the moves of `storage.cases.transitions.move_case`
    REPORT_FILED = "report.filed"
    CASE_INTAKE = "case.intake"  # a case received by phone, mailbox, letter or visit
    FINDING_FILED = "inspection.finding_filed"
    REPORT_STATUS = "report.status"
    COMPLAINT_REPLY = "complaint.reply"
    COMPLAINT_STATUS = "complaint.status"
    COMPLAINT_HOLD = "complaint.hold"
    COMPLAINT_RELEASE = "complaint.release"
    COMPLAINT_PURGE = "complaint.purge"
    CASE_REHANDLE = "case.rehandle"
    # the desk's moves (`desk_move`: desk `Action` and the owner's `OwnerAct`)
    DESK_ACCEPT = "desk.accept"
    DESK_REPLY = "desk.reply"
    DESK_CLOSE = "desk.close"
    DESK_TRANSFER = "desk.transfer"
    DESK_DISPATCH = "desk.dispatch"
    DESK_ANSWER = "desk.answer"
    DESK_FILE = "desk.file"  # a file to the reporter, or (to_value "internal") an internal one
    DESK_ASK = "desk.ask"
    DESK_STATUS = "desk.status"
    DESK_RETURNED = "desk.returned"  # 退单
    DESK_ANSWERED = "desk.answered"  # the reporter answered the owner's question
    DESK_NOTE = "desk.note"
    # the loop of a dispatched case, carried from its ledger item (`loop_move`)
    CASE_RECTIFY = "case.rectify"
    CASE_VERIFY = "case.verify"
    CASE_SEND_BACK = "case.send_back"
    # the ledger
    LEDGER_ADDED = "ledger.added"
    LEDGER_MEASURE = "ledger.measure"
    LEDGER_RESPONSIBLE = "ledger.responsible"
    LEDGER_DEADLINE = "ledger.deadline"
    LEDGER_STATUS = "ledger.status"
    LEDGER_PROGRESS = "ledger.progress"
    LEDGER_RETURNED = "ledger.returned"
    LEDGER_SIGNOFF = "ledger.signoff"
    EXTENSION_ASKED = "ledger.extension.asked"
    EXTENSION_APPROVED = "ledger.extension.approved"
    EXTENSION_REFUSED = "ledger.extension.refused"
    DISTRICT_CHASE = "district_chase"
    FORM_CHASE = "form_chase"
    # duties
    DUTY_BOARDING = "duty.boarding"
    DUTY_NOT_BOARDING = "duty.not_boarding"
    DUTY_CADRE = "duty.cadre"
    DUTY_NOT_CADRE = "duty.not_cadre"
    ABSENCE_REQUESTED = "duty.absence_requested"
    ABSENCE_APPROVED = "duty.absence_approved"
    ABSENCE_REFUSED = "duty.absence_refused"
    INSPECTOR = "inspection.inspector"
    NOT_INSPECTOR = "inspection.not_inspector"
    # people, units, invites, groups
    MEMBER_JOINED = "member.joined"
    MEMBER_MOVED = "member.moved"
    MEMBER_ROLE = "member.role"
    MEMBER_DEACTIVATED = "member.deactivated"
    MEMBER_LANGUAGE = "member.language"
    MEMBER_UNREACHABLE = "member.unreachable"
    UNIT_ADDED = "unit.added"
    UNIT_UPDATED = "unit.updated"
    INVITE_CREATED = "invite.created"
    INVITE_REVOKED = "invite.revoked"
    GROUP_BOUND = "group.bound"
    GROUP_MIGRATED = "group.migrated"
    CHAT_MIGRATED = "chat.migrated"
    REMINDERS_PAUSED = "reminders.paused"
    REMINDERS_RESUMED = "reminders.resumed"
    # publishing
    PUBLICATION_DRAFTED = "publication.drafted"
    PUBLICATION_EDITED = "publication.edited"
    PUBLICATION_DISCARDED = "publication.discarded"
    PUBLICATION_PUBLISHED = "publication.published"
    PUBLICATION_WITHDRAWN = "publication.withdrawn"
    PUBLICATION_CHANNEL_MESSAGE = "publication.channel_message"
    BROADCAST_CONFIRMED = "broadcast.confirmed"


class AuditSubject(StrEnum):
    """What it happened to (`audit_events.subject_type`); a note names its case by kind."""

    CASE = "case"
    REPORT = "report"
    FINDING = "finding"
    COMPLAINT = "complaint"  # named by its pseudonym, never its id
    LEDGER_ITEM = "ledger_item"
    UNIT = "unit"
    MEMBER = "member"
    INVITE = "invite"
    GROUP = "group"
    CHAT = "chat"
    ABSENCE = "absence"
    PUBLICATION = "publication"
    BROADCAST = "broadcast"
    FORM = "form"


# The actions whose from and to values are a case's statuses (a filing: its to value only) …
CASE_STATUS_VALUES = frozenset(
    {
        AuditAction.REPORT_FILED,
        AuditAction.CASE_INTAKE,
        AuditAction.FINDING_FILED,
        AuditAction.REPORT_STATUS,
        AuditAction.COMPLAINT_REPLY,
        AuditAction.COMPLAINT_STATUS,
        AuditAction.CASE_REHANDLE,
        AuditAction.DESK_ACCEPT,
        AuditAction.DESK_REPLY,
        AuditAction.DESK_CLOSE,
        AuditAction.DESK_TRANSFER,
        AuditAction.DESK_DISPATCH,
        AuditAction.DESK_ANSWER,
        AuditAction.DESK_FILE,
        AuditAction.DESK_ASK,
        AuditAction.DESK_STATUS,
        AuditAction.DESK_RETURNED,
        AuditAction.CASE_RECTIFY,
        AuditAction.CASE_VERIFY,
        AuditAction.CASE_SEND_BACK,
    }
)
# … a ledger item's statuses …
LEDGER_STATUS_VALUES = frozenset(
    {
        AuditAction.LEDGER_ADDED,
        AuditAction.LEDGER_STATUS,
        AuditAction.LEDGER_PROGRESS,
        AuditAction.LEDGER_RETURNED,
    }
)
# … and of these, the ones that are a status set by hand: the label names both statuses.
STATUS_CHANGES = frozenset(
    {
        AuditAction.REPORT_STATUS,
        AuditAction.COMPLAINT_STATUS,
        AuditAction.DESK_STATUS,
        AuditAction.LEDGER_STATUS,
    }
)


def desk_move(act: Action | OwnerAct) -> AuditAction:
    """The audit action of a desk move or of the owner's follow-up."""
    return AuditAction(f"desk.{act.value}")


def loop_move(action: CaseAction) -> AuditAction:
    """The audit action a ledger item's move carries to its case (rectify, verify, send back)."""
    return AuditAction(f"case.{action.value}")
