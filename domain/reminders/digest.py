"""How due reminders become messages: each person gets at most one reminder message a day
that combines all their due items (the daily digest), except that an item due today, or a
notice that a colleague cannot be reached, goes out on its own. Chats (unit groups, the staff
chat) get each reminder as its own message. Pure rules over plain rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.reminders.due import Rule, member_of


@dataclass(frozen=True)
class Pending:
    """An outbox row that may be sent now."""

    id: int
    rule: str
    subject: str
    recipient: str
    slot: str
    due_at: datetime
    attempts: int = 0
    payload: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.rule, self.subject, self.recipient, self.slot)


def still_due(row: Pending, live: frozenset[tuple[str, str, str, str]]) -> bool:
    """Whether a queued row should still go out: the rules still produce its key now (an
    item closed, a unit paused or a newer slot since it was queued means no). One-off notices
    are not produced by the rules and always go out."""
    return row.rule == Rule.UNREACHABLE or row.key in live


def is_urgent(row: Pending, today: date) -> bool:
    """Due today (an item's or a fixed deadline's last day) or a one-off notice."""
    if row.rule == Rule.UNREACHABLE:
        return True
    if row.rule in (Rule.ITEM_DUE, Rule.DEADLINE):
        day = row.payload.get("deadline") if row.rule == Rule.ITEM_DUE else row.payload.get("due")
        return day == today.isoformat()
    return False


@dataclass(frozen=True)
class Plan:
    messages: tuple[tuple[Pending, ...], ...]  # each tuple is one message
    deferred: tuple[Pending, ...]  # wait for tomorrow's digest
    digests: frozenset[int] = frozenset()  # indexes in `messages` that are a daily digest


def plan_messages(rows: Iterable[Pending], *, today: date, digested: frozenset[str]) -> Plan:
    """Group `rows` into messages. `digested`: recipients who already had today's digest."""
    messages: list[tuple[Pending, ...]] = []
    digests: set[int] = set()
    deferred: list[Pending] = []
    by_person: dict[str, list[Pending]] = {}
    for row in sorted(rows, key=lambda r: (r.recipient, r.due_at, r.id)):
        if member_of(row.recipient) is None or is_urgent(row, today):
            messages.append((row,))
        elif row.recipient in digested:
            deferred.append(row)
        else:
            by_person.setdefault(row.recipient, []).append(row)
    for _, person_rows in sorted(by_person.items()):
        digests.add(len(messages))
        messages.append(tuple(person_rows))
    return Plan(tuple(messages), tuple(deferred), frozenset(digests))


def _listed_items(row: Pending) -> set[object]:
    """The item ids a unit's overdue list names."""
    entries = row.payload.get("items") if row.rule == Rule.UNIT_OVERDUE else None
    if not isinstance(entries, list):
        return set()
    return {e.get("item_id") for e in entries if isinstance(e, dict)} - {None}


def one_line_each(rows: Iterable[Pending]) -> tuple[Pending, ...]:
    """The rows a digest shows: one per subject (its latest slot: yesterday's deferred "due
    soon" and today's "overdue" of the same item are one line), and no item that a unit's
    overdue list in the same message already names. The others are still marked sent."""
    latest: dict[str, Pending] = {}
    for row in rows:
        kept = latest.get(row.subject)
        if kept is None or (row.due_at, row.id) > (kept.due_at, kept.id):
            latest[row.subject] = row
    listed = set().union(*(_listed_items(r) for r in latest.values()))
    return tuple(
        row
        for row in sorted(latest.values(), key=lambda r: (r.due_at, r.id))
        if row.rule == Rule.UNIT_OVERDUE or row.payload.get("item_id") not in listed
    )
