"""The staff desk's rules: who may see the inbox and act on a case — a named report, an
anonymous complaint or an inspection finding, alike — (accept, reply, close, transfer,
dispatch), the conflict of interest, and the status each action needs.

谁受理、谁负责: the case officer who accepts a case owns it; only the owner replies to the reporter,
closes, transfers, dispatches or answers and closes it (closing always needs an owner). A
handler of the unit concerned may not accept it. Pure rules, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.cases.lifecycle import CaseAction, CaseStatus, after
from domain.membership.roles import Role

DESK_ROLES: frozenset[Role] = frozenset({Role.CASE_OFFICER, Role.ADMIN})
INBOX_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.RECEIVED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RECTIFIED,
    CaseStatus.VERIFIED,
    CaseStatus.ANSWERED,
)
INBOX_KINDS: tuple[str, ...] = ("report", "complaint", "finding")


class Action(StrEnum):
    """The desk's actions; each is the `CaseAction` of the same name, whose statuses it needs."""

    ACCEPT = "accept"
    REPLY = "reply"
    CLOSE = "close"
    TRANSFER = "transfer"
    DISPATCH = "dispatch"
    ANSWER = "answer"  # 答复办结: once the item is verified, answer the person and close


class Refusal(StrEnum):
    """Why an action is refused."""

    NOT_STAFF = "not_staff"  # not a case officer or administrator
    NO_MEMBER = "no_member"  # an administrator without a membership cannot own a case
    CONFLICT = "conflict"  # the actor belongs to the unit concerned
    NOT_OWNER = "not_owner"  # someone else accepted it (or nobody yet)
    WRONG_STATUS = "wrong_status"  # the case is not in a status that allows the action
    BAD_TARGET = "bad_target"  # a transfer to someone who is not another active case officer
    NO_UNIT = "no_unit"  # a dispatch needs the unit concerned


@dataclass(frozen=True)
class Actor:
    """The person pressing: their role, member id (None: an administrator from the config
    only) and unit."""

    role: Role | None
    member_id: int | None
    unit_id: int | None


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case."""

    status: str
    unit_id: int | None
    owner_member_id: int | None


def may_use_desk(role: Role | None) -> bool:
    return role in DESK_ROLES


def result_status(action: Action, current: str) -> str:
    """The status a case has after `action` (transfer keeps it); `current` when the action is
    not valid from there."""
    to = after(CaseAction(action), current)
    return current if to is None else to.value


def refusal(action: Action, actor: Actor, case: CaseFacts) -> Refusal | None:
    """None when `actor` may do `action` on `case` now; otherwise why not."""
    if not may_use_desk(actor.role):
        return Refusal.NOT_STAFF
    if actor.member_id is None:
        return Refusal.NO_MEMBER
    if action is Action.ACCEPT:
        if case.unit_id is not None and actor.unit_id == case.unit_id:
            return Refusal.CONFLICT
        if case.owner_member_id is not None:
            return Refusal.WRONG_STATUS  # someone accepted it already
    elif case.owner_member_id != actor.member_id:
        return Refusal.NOT_OWNER
    if after(CaseAction(action), case.status) is None:
        return Refusal.WRONG_STATUS
    if action is Action.DISPATCH and case.unit_id is None:
        return Refusal.NO_UNIT
    return None


def available(actor: Actor, case: CaseFacts) -> tuple[Action, ...]:
    """The actions `actor` may take on `case` now, in the order the card shows them."""
    return tuple(a for a in Action if refusal(a, actor, case) is None)


def is_transfer_target(
    role: Role | None, member_id: int | None, owner_member_id: int | None
) -> bool:
    """A case can be handed only to another active case officer."""
    return role is Role.CASE_OFFICER and member_id is not None and member_id != owner_member_id
