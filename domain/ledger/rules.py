"""The rectification ledger's rules: item statuses and their valid moves, and who may see or
change what. Pure functions of plain facts; handlers and storage ask, never decide."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.membership.roles import Role

DESCRIPTION_MAX = 1000
MEASURE_MAX = 1000
NOTE_MAX = 1000
REASON_MAX = 500
RESPONSIBLE_NAME_MAX = 64
EVIDENCE_MAX = 10


class LedgerStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RECTIFIED = "rectified"
    VERIFIED = "verified"  # 销号: final
    RETURNED = "returned"  # 退单: the unit sent the dispatched case back; off the list, kept


# open -> rectified is allowed directly: a problem fixed on the spot needs no second press.
# rectified -> in_progress is a rejected verification (it needs a reason).
_MOVES: dict[LedgerStatus, frozenset[LedgerStatus]] = {
    LedgerStatus.OPEN: frozenset({LedgerStatus.IN_PROGRESS, LedgerStatus.RECTIFIED}),
    LedgerStatus.IN_PROGRESS: frozenset({LedgerStatus.RECTIFIED}),
    LedgerStatus.RECTIFIED: frozenset({LedgerStatus.VERIFIED, LedgerStatus.IN_PROGRESS}),
    LedgerStatus.VERIFIED: frozenset(),
    LedgerStatus.RETURNED: frozenset(),
}
# Items that are no longer worked on: nobody edits them or posts progress.
FINISHED: frozenset[LedgerStatus] = frozenset({LedgerStatus.VERIFIED, LedgerStatus.RETURNED})


def can_move(current: LedgerStatus | str, target: LedgerStatus | str) -> bool:
    """Whether an item may go from `current` to `target`."""
    return LedgerStatus(target) in _MOVES[LedgerStatus(current)]


def is_rejection(current: LedgerStatus | str, target: LedgerStatus | str) -> bool:
    """A rectified item sent back: the move that needs a reason."""
    return (LedgerStatus(current), LedgerStatus(target)) == (
        LedgerStatus.RECTIFIED,
        LedgerStatus.IN_PROGRESS,
    )


@dataclass(frozen=True)
class Actor:
    """The person acting: `member_id` is None for a configured admin who is not a member."""

    role: Role | None
    member_id: int | None
    unit_id: int | None
    oversees: frozenset[int] = frozenset()  # a district head's schools (they may look)


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need to know about an item."""

    unit_id: int
    status: LedgerStatus | str
    responsible_member_id: int | None
    rectified_by_member_id: int | None
    bureau_deadline: bool = False  # set by the bureau: the unit asks for an extension


def is_staff(actor: Actor) -> bool:
    """Case officers and admins see every unit's ledger."""
    return actor.role in (Role.CASE_OFFICER, Role.ADMIN)


def heads_unit(actor: Actor, unit_id: int) -> bool:
    return actor.role is Role.UNIT_HEAD and actor.unit_id == unit_id


def may_view_unit(actor: Actor, unit_id: int) -> bool:
    """The whole list of a unit: its head, its district's head, and staff."""
    return (
        is_staff(actor)
        or heads_unit(actor, unit_id)
        or (actor.role is Role.UNIT_HEAD and unit_id in actor.oversees)
    )


def may_chase(actor: Actor, unit_id: int) -> bool:
    """A district head chases (催办) a school under their district (not their own unit)."""
    return (
        actor.role is Role.UNIT_HEAD
        and actor.member_id is not None
        and unit_id in actor.oversees
        and unit_id != actor.unit_id
    )


def is_responsible(actor: Actor, item: ItemFacts) -> bool:
    return actor.member_id is not None and actor.member_id == item.responsible_member_id


def may_view_item(actor: Actor, item: ItemFacts) -> bool:
    """An item: whoever sees the unit's list, and the member responsible for it."""
    return may_view_unit(actor, item.unit_id) or is_responsible(actor, item)


def may_add(actor: Actor, unit_id: int) -> bool:
    """Adding problems to a list is the unit head's job (an admin may stand in)."""
    return heads_unit(actor, unit_id) or actor.role is Role.ADMIN


def may_sign_off(actor: Actor, unit_id: int) -> bool:
    """Only the unit's own head signs its list (签字)."""
    return heads_unit(actor, unit_id)


def may_edit_item(actor: Actor, item: ItemFacts) -> bool:
    """Measure, deadline, responsible person: the unit head (or an admin), until verified."""
    if LedgerStatus(item.status) in FINISHED:
        return False
    return may_add(actor, item.unit_id)


def sets_bureau_deadline(actor: Actor) -> bool:
    """A deadline an administrator sets is the bureau's, not the unit's own."""
    return actor.role is Role.ADMIN


def may_change_deadline(actor: Actor, item: ItemFacts) -> bool:
    """Moving the deadline outright: as `may_edit_item`, but a deadline the bureau set (a
    dispatched case's, or an administrator's) only by the bureau; a unit asks for more time
    (`domain.ledger.extensions`)."""
    if not may_edit_item(actor, item):
        return False
    return sets_bureau_deadline(actor) or not item.bureau_deadline


def may_post_progress(actor: Actor, item: ItemFacts) -> bool:
    """A progress note: the unit head, an admin or the responsible member, until verified."""
    if LedgerStatus(item.status) in FINISHED:
        return False
    return may_add(actor, item.unit_id) or is_responsible(actor, item)


def may_mark(actor: Actor, item: ItemFacts, target: LedgerStatus) -> bool:
    """`in_progress` or `rectified`, by the unit head or the responsible member.

    Marking rectified needs a member id, so that self-verification can be refused later."""
    if target not in (LedgerStatus.IN_PROGRESS, LedgerStatus.RECTIFIED):
        return False
    if LedgerStatus(item.status) is LedgerStatus.RECTIFIED:
        return False  # going back from rectified is a rejection, staff only
    if not can_move(item.status, target):
        return False
    if actor.member_id is None:
        return False
    return heads_unit(actor, item.unit_id) or is_responsible(actor, item)


def may_verify(actor: Actor, item: ItemFacts) -> bool:
    """Verification (销号) or its rejection: case officers and admins only, on a rectified item,
    never by the person who marked it rectified."""
    if not is_staff(actor):
        return False
    if LedgerStatus(item.status) is not LedgerStatus.RECTIFIED:
        return False
    return actor.member_id is None or actor.member_id != item.rectified_by_member_id


def self_verification(actor: Actor, item: ItemFacts) -> bool:
    """Staff who would verify their own rectification: refused with its own explanation."""
    return (
        is_staff(actor)
        and actor.member_id is not None
        and actor.member_id == item.rectified_by_member_id
    )
