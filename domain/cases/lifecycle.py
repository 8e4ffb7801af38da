"""A case's lifecycle, shared by named reports, anonymous complaints and inspection findings:
the status names, which moves between them are valid, and where each action on a case leads
from each status it may start from. Pure data and rules, no I/O."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands; stored as the value in `cases.status`."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RECTIFIED = "rectified"  # the unit marked its ledger item rectified: awaiting verification
    VERIFIED = "verified"  # the item is verified (销号): awaiting the owner's answer
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"


# received → accepted → in_progress → answered → closed; staff may reject until it is answered,
# and an answer may be reopened (back to in_progress) when the author or staff find it lacking.
# A dispatched case follows its ledger item (the 12345 loop: 办理 → 审核 → 答复):
# in_progress → rectified → verified (or sent back to in_progress) → answered or closed.
_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.RECEIVED: frozenset({CaseStatus.ACCEPTED, CaseStatus.REJECTED}),
    CaseStatus.ACCEPTED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.REJECTED}),
    CaseStatus.IN_PROGRESS: frozenset(
        {CaseStatus.RECTIFIED, CaseStatus.ANSWERED, CaseStatus.REJECTED}
    ),
    CaseStatus.RECTIFIED: frozenset({CaseStatus.VERIFIED, CaseStatus.IN_PROGRESS}),
    CaseStatus.VERIFIED: frozenset({CaseStatus.ANSWERED, CaseStatus.CLOSED}),
    CaseStatus.ANSWERED: frozenset({CaseStatus.CLOSED, CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.REJECTED: frozenset(),
}

FINAL_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED})
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(CaseStatus) - FINAL_STATUSES
# Reached only by the case's ledger item moving (never set by hand).
ITEM_DRIVEN: frozenset[CaseStatus] = frozenset({CaseStatus.RECTIFIED, CaseStatus.VERIFIED})


def can_move(current: CaseStatus | str, target: CaseStatus | str) -> bool:
    """True when a case in `current` may go to `target` (an unknown name is never valid)."""
    try:
        frm, to = CaseStatus(current), CaseStatus(target)
    except ValueError:
        return False
    return to in _MOVES[frm]


def next_statuses(current: CaseStatus | str) -> tuple[CaseStatus, ...]:
    """The statuses a case in `current` may move to, in lifecycle order."""
    allowed = _MOVES[CaseStatus(current)]
    return tuple(s for s in CaseStatus if s in allowed)


def is_final(status: CaseStatus | str) -> bool:
    return CaseStatus(status) in FINAL_STATUSES


class CaseAction(StrEnum):
    """What moves a case (the storage path for all of them is `storage.cases.transitions`)."""

    ACCEPT = "accept"  # 谁受理谁负责: the first receiver owns it
    REPLY = "reply"  # an answer to the author
    ASK = "ask"  # a question for the author; the status stays
    TRANSFER = "transfer"  # another owner; the status stays
    DISPATCH = "dispatch"  # 派单: an item on its unit's ledger
    RETURN = "return"  # 退单: the unit sends it back to its owner
    CLOSE = "close"
    SET = "set"  # staff set a status by hand: any valid move of the lifecycle
    INFORM = "inform"  # the author adds information: an answer is reopened
    # The loop of a dispatched case, moved with its ledger item in one transaction:
    RECTIFY = "rectify"  # 办理: the unit marked the item rectified
    VERIFY = "verify"  # 审核: staff verified the item (销号)
    SEND_BACK = "send_back"  # 审核: staff sent the item back with a reason; the unit goes on
    ANSWER = "answer"  # 答复 + 办结: the owner answers the person and closes
    REHANDLE = "rehandle"  # 重办: the person is dissatisfied; the case is back with its owner


_ASKABLE = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RECTIFIED,
    CaseStatus.VERIFIED,
    CaseStatus.ANSWERED,
)
_STAY = {s: s for s in _ASKABLE}
# Where each action leads, from each status it may start from (SET follows `can_move`).
_ACTIONS: dict[CaseAction, dict[CaseStatus, CaseStatus]] = {
    # A complaint answered from the staff chat before anyone accepted it can still be accepted
    # (it keeps its status): closing needs someone responsible.
    CaseAction.ACCEPT: {
        CaseStatus.RECEIVED: CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS: CaseStatus.IN_PROGRESS,
        CaseStatus.ANSWERED: CaseStatus.ANSWERED,
    },
    # A complaint may be answered from the staff chat before anyone accepted it.
    # While the unit's rectification awaits verification, the owner waits for it.
    CaseAction.REPLY: {
        s: CaseStatus.ANSWERED
        for s in (*_ASKABLE, CaseStatus.RECEIVED)
        if s is not CaseStatus.RECTIFIED
    },
    CaseAction.ASK: _STAY,
    CaseAction.TRANSFER: _STAY,
    CaseAction.DISPATCH: {CaseStatus.ACCEPTED: CaseStatus.IN_PROGRESS},
    # Back with its owner, who may dispatch it again; only while it is being handled.
    CaseAction.RETURN: {
        CaseStatus.IN_PROGRESS: CaseStatus.ACCEPTED,
        CaseStatus.ANSWERED: CaseStatus.ACCEPTED,
    },
    CaseAction.CLOSE: {CaseStatus.ANSWERED: CaseStatus.CLOSED},
    CaseAction.INFORM: {
        CaseStatus.RECEIVED: CaseStatus.RECEIVED,
        **_STAY,
        CaseStatus.ANSWERED: CaseStatus.IN_PROGRESS,
    },
    CaseAction.RECTIFY: {CaseStatus.IN_PROGRESS: CaseStatus.RECTIFIED},
    CaseAction.VERIFY: {CaseStatus.RECTIFIED: CaseStatus.VERIFIED},
    CaseAction.SEND_BACK: {CaseStatus.RECTIFIED: CaseStatus.IN_PROGRESS},
    CaseAction.ANSWER: {CaseStatus.VERIFIED: CaseStatus.CLOSED},
    # The one way out of a final status: a closed case reopens to its owner (never a rejected one).
    CaseAction.REHANDLE: {CaseStatus.CLOSED: CaseStatus.ACCEPTED},
}
# Actions that may start from a final status (`move_case` lets them through).
REOPENING: frozenset[CaseAction] = frozenset({CaseAction.REHANDLE})


def starts(action: CaseAction) -> frozenset[CaseStatus]:
    """The statuses `action` may start from."""
    if action is CaseAction.SET:
        return frozenset(s for s in CaseStatus if _MOVES[s])
    return frozenset(_ACTIONS[action])


def after(
    action: CaseAction, current: CaseStatus | str, target: CaseStatus | None = None
) -> CaseStatus | None:
    """The status a case in `current` has after `action` (SET: `target`); None when the action
    is not valid from there (an unknown status is never valid)."""
    try:
        frm = CaseStatus(current)
    except ValueError:
        return None
    if action is CaseAction.SET:
        if target is None or target in ITEM_DRIVEN:
            return None
        return target if can_move(frm, target) else None
    return _ACTIONS[action].get(frm)


def stays_final(action: CaseAction, current: CaseStatus | str) -> bool:
    """True when a case in `current` is final and `action` does not reopen it from there."""
    if current not in FINAL_STATUSES:
        return False
    return action not in REOPENING or _ACTIONS[action].get(CaseStatus(current)) is None
