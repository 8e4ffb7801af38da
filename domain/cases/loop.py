"""The loop of a case after it is dispatched (the 12345 procedure: 办理 → 审核 → 答复 → 回访 →
(重办) → 办结): which case action a ledger item's move carries, who is told what at each step,
and what a rating does. Pure data and rules, no I/O.

A notice is an outbox row of the reminder engine (rule `case_notice`) written in the move's own
transaction, keyed by what makes its event unique (the item's version after the move, the
case's round of handling), so a redelivered update or a double press tells nobody twice.
"""

from __future__ import annotations

from enum import StrEnum

from domain.cases.lifecycle import CaseAction
from domain.hotline.rules import Rating
from domain.ledger.rules import LedgerStatus, is_rejection

MAX_REHANDLINGS = 1  # 12345 practice: one 重办; a second dissatisfaction goes up


def case_action(current: LedgerStatus | str, target: LedgerStatus | str) -> CaseAction | None:
    """The action a dispatched item's move carries to its case (None: the case stays)."""
    frm, to = LedgerStatus(current), LedgerStatus(target)
    if to is LedgerStatus.RECTIFIED:
        return CaseAction.RECTIFY
    if to is LedgerStatus.VERIFIED:
        return CaseAction.VERIFY
    if is_rejection(frm, to):
        return CaseAction.SEND_BACK
    return None


class Notice(StrEnum):
    """What a notice of the loop says (its words are the handlers'; its facts the payload)."""

    RECTIFIED = "rectified"  # to the case owner: the unit's account, the evidence
    VERIFIED = "verified"  # to the case owner (when someone else verified): answer and close
    SENT_BACK = "sent_back"  # to the unit's heads and the responsible member: the reason
    ANSWERED = "answered"  # to the reporter: the answer, and how satisfied are you?
    REOPENED = "reopened"  # to the case owner: re-handle (重办), with the person's reason
    ESCALATED = "escalated"  # to the staff chat: dissatisfied again after re-handling
    # 延期 (domain/ledger/extensions.py): the request to whoever decides it, with the buttons;
    # the decision to the unit head who asked.
    EXTENSION_ASKED = "extension_asked"
    EXTENSION_DECIDED = "extension_decided"


def notice_slot(notice: Notice, mark: object) -> str:
    """The outbox slot of a notice; `mark` makes its event unique (an item's version after
    the move, a case's round of handling)."""
    return f"{notice.value}:{mark}"


class Verdict(StrEnum):
    """What a rating does to the case."""

    STORED = "stored"  # kept; the case stays closed
    REHANDLE = "rehandle"  # dissatisfied, not re-handled yet: the case reopens to its owner
    ESCALATE = "escalate"  # dissatisfied after re-handling: kept, and the staff chat is told


def verdict(rating: Rating | str, rehandled: int) -> Verdict:
    """A rating of a closed case that was re-handled `rehandled` times."""
    if Rating(rating) is not Rating.DISSATISFIED:
        return Verdict.STORED
    return Verdict.REHANDLE if rehandled < MAX_REHANDLINGS else Verdict.ESCALATE
