"""Extensions (延期) of a ledger item's deadline, as the 12345 procedure has them: the unit
asks, with a reason, no later than the deadline day, for a later day within the campaign; the
case owner decides for a dispatched case, the unit head's superior (set in config) for an
item the unit listed itself. Until an extension is approved, lateness counts against the
deadline as it was (`due_for_rating`). Pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.ledger.rules import FINISHED, Actor, ItemFacts, LedgerStatus, heads_unit

REASON_MAX = 500


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class ExtensionProblem(StrEnum):
    """Why a request cannot be made (or a requested day cannot be taken)."""

    NOT_ALLOWED = "not_allowed"  # not the unit's head, or the item is finished
    NO_DEADLINE = "no_deadline"
    PASSED = "passed"  # the deadline has passed: ask before it, not after
    PENDING = "pending"  # a request is waiting for its decision already
    NOT_LATER = "not_later"  # the day asked for is not after the deadline
    AFTER_CAMPAIGN = "after_campaign"


def request_problem(
    actor: Actor,
    item: ItemFacts,
    deadline: date | None,
    today: date,
    *,
    pending: bool,
) -> ExtensionProblem | None:
    """None when `actor` may ask for more time on `item` today."""
    if deadline is None:
        return ExtensionProblem.NO_DEADLINE
    if not may_ask_extension(actor, item, deadline):
        return ExtensionProblem.NOT_ALLOWED
    if today > deadline:
        return ExtensionProblem.PASSED
    if pending:
        return ExtensionProblem.PENDING
    return None


def may_ask_extension(actor: Actor, item: ItemFacts, deadline: date | None) -> bool:
    """Whether the card offers the request (the press re-checks the day and a pending one)."""
    return (
        heads_unit(actor, item.unit_id)
        and actor.member_id is not None
        and deadline is not None
        and LedgerStatus(item.status) not in FINISHED
    )


def day_problem(deadline: date, asked: date, campaign_end: date) -> ExtensionProblem | None:
    """None when `asked` is a later day than the deadline, within the campaign."""
    if asked <= deadline:
        return ExtensionProblem.NOT_LATER
    if asked > campaign_end:
        return ExtensionProblem.AFTER_CAMPAIGN
    return None


@dataclass(frozen=True)
class Decider:
    """Who decides an item's extensions: the owner of the case it came from (a member), or the
    superior configured for the unit (a Telegram user); neither when nobody is set."""

    member_id: int | None = None
    telegram_user_id: int | None = None


def decider_for(
    source_case_owner: int | None,
    dispatched: bool,
    unit_code: str,
    superiors: dict[str, int],
) -> Decider:
    """The case owner for a dispatched item; the superior set for the unit otherwise."""
    if dispatched:
        return Decider(member_id=source_case_owner)
    return Decider(telegram_user_id=superiors.get(unit_code))


def may_decide(decider: Decider, member_id: int | None, telegram_user_id: int) -> bool:
    """Whether the person pressing is the one who decides (re-checked on every press)."""
    if decider.member_id is not None:
        return member_id is not None and member_id == decider.member_id
    return decider.telegram_user_id is not None and decider.telegram_user_id == telegram_user_id


def due_for_rating(deadline: date | None, due_on: date | None) -> date | None:
    """The day lateness counts against: the deadline as the bureau set it or as an approved
    extension moved it (`due_on`), never a day the unit chose alone; the plain deadline for
    rows older than that column."""
    return due_on if due_on is not None else deadline
