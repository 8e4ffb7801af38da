"""A case's lifecycle, shared by named reports, anonymous complaints and inspection findings:
the status names and which moves between them are valid. Pure data and rules, no I/O."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands; stored as the value in `cases.status`."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"


# received → accepted → in_progress → answered → closed; staff may reject until it is answered,
# and an answer may be reopened (back to in_progress) when the author or staff find it lacking.
_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.RECEIVED: frozenset({CaseStatus.ACCEPTED, CaseStatus.REJECTED}),
    CaseStatus.ACCEPTED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.REJECTED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.ANSWERED, CaseStatus.REJECTED}),
    CaseStatus.ANSWERED: frozenset({CaseStatus.CLOSED, CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.REJECTED: frozenset(),
}

FINAL_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED})
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(CaseStatus) - FINAL_STATUSES


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
