"""Which reminders are due: a pure function of the data, the clock, the calendar and the
policy. The sweep asks storage for the candidates, calls `due_reminders`, and writes what it
returns into the outbox, whose unique key (rule, subject, recipient, slot) makes a reminder
happen once however often the sweep runs.

Recipients are strings: "member:<id>", "chat:<telegram chat id>" (a bound unit group) or
"staff" (the staff chat from the config).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.campaign import Campaign
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import (
    Policy,
    Slot,
    current_slot,
    fraction_days,
    ladder,
    local_day,
    overdue_chase,
    send_instant,
)

STAFF = "staff"
# A phase's start notice still goes out this many days late (a group bound on the second
# day of a phase, a bot that was down on the first).
START_NOTICE_GRACE_DAYS = 2
OPEN_ITEM_STATUSES: frozenset[str] = frozenset({"open", "in_progress"})
# The case clocks run until the person is answered (a rectification awaiting verification or
# an answer is still in staff hands).
OPEN_CASE_STATUSES: frozenset[str] = frozenset(
    {"received", "accepted", "in_progress", "rectified", "verified"}
)


class Rule(StrEnum):
    PHASE = "phase"
    DEADLINE = "deadline"
    ITEM_DUE = "item_due"
    ITEM_OVERDUE = "item_overdue"
    ITEM_ESCALATE = "item_escalate"
    ITEM_DISTRICT = "item_district"  # a school's overdue item, to its district (学区) head first
    UNIT_OVERDUE = "unit_overdue"  # weekly per-unit digest
    CASE_WARN = "case_warn"
    CASE_ESCALATE = "case_escalate"
    UNREACHABLE = "unreachable"  # a member blocked the bot: their unit head is told once
    BROADCAST = "broadcast"  # an admin's announcement (domain/publish/broadcast.py)
    CASE_NOTICE = "case_notice"  # a step of a case's loop (domain/cases/loop.py)
    # The "124" boarding duty (domain/duties/checkin.py decides them; the engine sends them).
    CHECKIN = "checkin"  # a cadre's evening call to check in
    CHECKIN_MISSING = "checkin_missing"  # next morning: who did not check in
    CHECKIN_WEEKLY = "checkin_weekly"  # the week's summary per unit
    # Forms (domain/forms/rules.py decides them; the engine sends them).
    FORM_DUE = "form_due"  # the ladder to someone who has not answered, and the late notice
    FORM_MISSING = "form_missing"  # the missing list per unit to the staff chat
    FORM_CHASE = "form_chase"  # a staff member's chase (催报) of those who have not answered
    # The weekly brief to the staff chat (domain/brief.py decides it; the engine sends it).
    WEEKLY_BRIEF = "weekly_brief"
    DISTRICT_CHASE = "district_chase"  # a district head's chase (催办) of a school's heads


def member_recipient(member_id: int) -> str:
    return f"member:{member_id}"


def chat_recipient(chat_id: int) -> str:
    return f"chat:{chat_id}"


def member_of(recipient: str) -> int | None:
    kind, _, value = recipient.partition(":")
    return int(value) if kind == "member" else None


def chat_of(recipient: str) -> int | None:
    kind, _, value = recipient.partition(":")
    return int(value) if kind == "chat" else None


@dataclass(frozen=True)
class UnitFacts:
    id: int
    code: str
    name: str
    heads: tuple[int, ...] = ()  # active unit heads' member ids
    groups: tuple[int, ...] = ()  # bound group chat ids
    signed_off: bool = False
    paused: bool = False
    # The active heads of the district (学区) the unit lies in: an overdue item is escalated
    # to them before the bureau. Empty for a unit outside any district or one without a head.
    district_heads: tuple[int, ...] = ()
    files_list: bool = True  # whether it must file a problem list (`files_problem_list`)


@dataclass(frozen=True)
class ItemFacts:
    id: int
    unit_id: int
    seq: int
    description: str
    deadline: date
    status: str
    responsible_member_id: int | None = None  # only when that member is active in the unit
    created_on: date | None = None
    # When the sweep last planned to look at it again (`next_look`); None: not yet.
    remind_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CaseFacts:
    id: int
    kind: str
    number: str
    status: str
    opened_on: date
    acknowledged_on: date | None = None
    answered_on: date | None = None
    owner_member_id: int | None = None  # only when that member is active
    reopened_on: date | None = None  # 重办: the day the current round of handling began
    rehandled: int = 0


@dataclass(frozen=True)
class Snapshot:
    """What the candidate queries found: only the subjects near a slot, plus who is who."""

    units: Mapping[int, UnitFacts]
    items: tuple[ItemFacts, ...] = ()
    cases: tuple[CaseFacts, ...] = ()
    audiences: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    # audience ("unit_heads", "members", ...) -> (member id, unit id) of active members
    staff_chat: bool = True
    # The units whose every candidate item is in `items` (None: all of them). An incremental
    # sweep reads only the items that can have become due; a unit's digest, which lists all
    # of its overdue items, is made only for a unit read whole.
    whole_units: frozenset[int] | None = None


@dataclass(frozen=True)
class Due:
    """One reminder that is due now."""

    rule: Rule
    subject: str
    recipient: str
    slot: str
    due_at: datetime
    unit_id: int | None = None
    payload: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.rule.value, self.subject, self.recipient, self.slot)


def _fan(
    rule: Rule,
    subject: str,
    slot: Slot,
    recipients: Iterable[str],
    payload: Mapping[str, object],
    unit_id: int | None = None,
) -> list[Due]:
    seen: list[str] = []
    for r in recipients:
        if r not in seen:
            seen.append(r)
    return [Due(rule, subject, r, slot.key, slot.due_at, unit_id, payload) for r in seen]


def phase_reminders(
    campaign: Campaign, units: Mapping[int, UnitFacts], *, staff: bool, now: datetime, p: Policy
) -> list[Due]:
    """N days before each phase starts and ends, and on its first day, to every bound unit
    group (of units not paused) and the staff chat."""
    chats = [chat_recipient(c) for u in units.values() if not u.paused for c in u.groups]
    if staff:
        chats.append(STAFF)
    out: list[Due] = []
    for phase in campaign.phases:
        for edge, target, offsets, grace in (
            ("start", phase.start, (*p.phase_days_before, 0), START_NOTICE_GRACE_DAYS),
            ("end", phase.end, p.phase_days_before, 0),
        ):
            planned = ladder(target, offsets, prefix=f"{edge}:")
            until = target + timedelta(days=grace)
            slot = current_slot(planned, now=now, policy=p, valid_until=until)
            if slot is None:
                continue
            payload = {"phase": phase.key, "edge": edge, "target": target.isoformat()}
            out += _fan(Rule.PHASE, phase.key, slot, chats, payload)
    return out


def deadline_reminders(
    campaign: Campaign, snapshot: Snapshot, *, now: datetime, p: Policy
) -> list[Due]:
    """The warn-before ladder of each fixed deadline to its audience; a unit head whose unit
    has signed off its problem list is done and hears no more, and one of a unit that files
    none (the bureau itself) hears none."""
    out: list[Due] = []
    for deadline in campaign.deadlines:
        slot = current_slot(
            ladder(deadline.due, p.deadline_ladder), now=now, policy=p, valid_until=deadline.due
        )
        if slot is None:
            continue
        people = snapshot.audiences.get(deadline.audience, ())
        recipients: list[str] = []
        for member_id, unit_id in people:
            unit = snapshot.units.get(unit_id)
            if unit is not None and unit.paused:
                continue
            if (
                deadline.audience == "unit_heads"
                and unit is not None
                and (unit.signed_off or not unit.files_list)
            ):
                continue
            recipients.append(member_recipient(member_id))
        payload = {"deadline": deadline.key, "due": deadline.due.isoformat()}
        out += _fan(Rule.DEADLINE, deadline.key, slot, recipients, payload)
    return out


def _item_payload(item: ItemFacts, unit: UnitFacts) -> dict[str, object]:
    return {
        "item_id": item.id,
        "seq": item.seq,
        "unit": unit.name,
        "unit_code": unit.code,
        "description": item.description,
        "deadline": item.deadline.isoformat(),
    }


class ItemRule(Protocol):
    """One rule of an item's reminder ladder: what it makes due now, and the next instant it
    can make something new due (a new slot's send instant; None: never again). The sweep
    stores the earliest of every rule's next instant per item (`ledger_items.remind_at`) and
    looks at an item again only then or when the item, its unit or its people change — so a
    new rule added to `ITEM_RULES` needs no change to the sweep."""

    rule: Rule

    def due(
        self,
        item: ItemFacts,
        unit: UnitFacts,
        people: list[str],
        payload: Mapping[str, object],
        *,
        now: datetime,
        p: Policy,
        cal: WorkCalendar,
        staff_chat: bool,
    ) -> list[Due]: ...

    def next_at(
        self, item: ItemFacts, *, now: datetime, p: Policy, cal: WorkCalendar
    ) -> datetime | None: ...


class _BeforeDeadline:
    """The warn-before ladder up to the deadline, to the responsible member and the heads."""

    rule = Rule.ITEM_DUE

    def due(
        self,
        item: ItemFacts,
        unit: UnitFacts,
        people: list[str],
        payload: Mapping[str, object],
        *,
        now: datetime,
        p: Policy,
        cal: WorkCalendar,
        staff_chat: bool,
    ) -> list[Due]:
        if local_day(now, p) > item.deadline:
            return []
        slot = current_slot(
            ladder(item.deadline, p.item_ladder),
            now=now,
            policy=p,
            valid_until=item.deadline,
            not_before=item.created_on,
        )
        if slot is None:
            return []
        return _fan(self.rule, f"item:{item.id}", slot, people, payload, unit.id)

    def next_at(
        self, item: ItemFacts, *, now: datetime, p: Policy, cal: WorkCalendar
    ) -> datetime | None:
        later = [
            at
            for day, _ in ladder(item.deadline, p.item_ladder)
            if (item.created_on is None or day >= item.created_on)
            and (at := send_instant(day, p)) > now
        ]
        return min(later, default=None)


class _Overdue:
    """Chasing after the deadline: the day after it, then every `overdue_every_days`."""

    rule = Rule.ITEM_OVERDUE

    def due(
        self,
        item: ItemFacts,
        unit: UnitFacts,
        people: list[str],
        payload: Mapping[str, object],
        *,
        now: datetime,
        p: Policy,
        cal: WorkCalendar,
        staff_chat: bool,
    ) -> list[Due]:
        today = local_day(now, p)
        if today <= item.deadline:
            return []
        slot = current_slot(
            overdue_chase(item.deadline, today, p.overdue_every_days), now=now, policy=p
        )
        if slot is None:
            return []
        return _fan(self.rule, f"item:{item.id}", slot, people, payload, unit.id)

    def next_at(
        self, item: ItemFacts, *, now: datetime, p: Policy, cal: WorkCalendar
    ) -> datetime | None:
        every = p.overdue_every_days
        late = (local_day(now, p) - item.deadline).days
        n = 1 if late < 1 else 1 + -(-(late - 1) // every) * every  # the first chase day >= today
        at = send_instant(item.deadline + timedelta(days=n), p)
        return at if at > now else send_instant(item.deadline + timedelta(days=n + every), p)


class _District:
    """Escalation to the heads of the school's district (学区) after D working days overdue,
    before the bureau; skipped when `district_after_working_days` is unset or the district has
    no head."""

    rule = Rule.ITEM_DISTRICT

    def due(
        self,
        item: ItemFacts,
        unit: UnitFacts,
        people: list[str],
        payload: Mapping[str, object],
        *,
        now: datetime,
        p: Policy,
        cal: WorkCalendar,
        staff_chat: bool,
    ) -> list[Due]:
        if local_day(now, p) <= item.deadline:
            return []
        district_on = district_escalation_day(item.deadline, unit, p, cal)
        if district_on is None or (told_at := send_instant(district_on, p)) > now:
            return []
        step = Slot(district_on, f"{item.deadline.isoformat()}:district", told_at)
        heads = [member_recipient(h) for h in unit.district_heads]
        return _fan(self.rule, f"item:{item.id}", step, heads, payload, unit.id)

    def next_at(
        self, item: ItemFacts, *, now: datetime, p: Policy, cal: WorkCalendar
    ) -> datetime | None:
        if p.district_after_working_days is None:
            return None
        at = send_instant(cal.add_working_days(item.deadline, p.district_after_working_days), p)
        return at if at > now else None


class _Escalate:
    """Escalation to the staff chat after M working days overdue."""

    rule = Rule.ITEM_ESCALATE

    def _at(self, item: ItemFacts, p: Policy, cal: WorkCalendar) -> tuple[date, datetime]:
        escalate_on = cal.add_working_days(item.deadline, p.escalate_after_working_days)
        return escalate_on, send_instant(escalate_on, p)

    def due(
        self,
        item: ItemFacts,
        unit: UnitFacts,
        people: list[str],
        payload: Mapping[str, object],
        *,
        now: datetime,
        p: Policy,
        cal: WorkCalendar,
        staff_chat: bool,
    ) -> list[Due]:
        if local_day(now, p) <= item.deadline:
            return []
        escalate_on, at = self._at(item, p, cal)
        if not staff_chat or at > now:
            return []
        esc = Slot(escalate_on, f"{item.deadline.isoformat()}:esc", at)
        return _fan(self.rule, f"item:{item.id}", esc, [STAFF], payload, unit.id)

    def next_at(
        self, item: ItemFacts, *, now: datetime, p: Policy, cal: WorkCalendar
    ) -> datetime | None:
        _, at = self._at(item, p, cal)
        return at if at > now else None


# An item's reminder ladder, in the order its reminders are listed.
ITEM_RULES: tuple[ItemRule, ...] = (_BeforeDeadline(), _Overdue(), _District(), _Escalate())
# Never: an item no rule will make due again (until it, its unit or its people change).
NEVER = datetime(9000, 1, 1, tzinfo=UTC)


def item_reminders(snapshot: Snapshot, *, now: datetime, p: Policy, cal: WorkCalendar) -> list[Due]:
    """Every rule of `ITEM_RULES` for each item: ladders before each item's deadline, chasing
    after it, to the responsible member and the unit heads; escalation to the district's heads
    after D working days overdue (when the unit lies in a district with a head, and districts
    are not skipped), then to the staff chat after M working days overdue."""
    out: list[Due] = []
    for item in snapshot.items:
        unit = snapshot.units.get(item.unit_id)
        if unit is None or unit.paused or item.status not in OPEN_ITEM_STATUSES:
            continue
        people = [member_recipient(m) for m in (item.responsible_member_id, *unit.heads) if m]
        payload = _item_payload(item, unit)
        for rule in ITEM_RULES:
            out += rule.due(
                item, unit, people, payload, now=now, p=p, cal=cal, staff_chat=snapshot.staff_chat
            )
    return out


def next_look(item: ItemFacts, *, now: datetime, p: Policy, cal: WorkCalendar) -> datetime:
    """When the sweep must look at `item` again, its data unchanged: the earliest instant
    any rule of its ladder can make something new due (`NEVER` if none)."""
    return min(
        (at for rule in ITEM_RULES if (at := rule.next_at(item, now=now, p=p, cal=cal))),
        default=NEVER,
    )


def digest_slot(now: datetime, p: Policy) -> tuple[date, datetime]:
    """This week's digest day and its send instant (the instant may be still to come)."""
    today = local_day(now, p)
    monday = today - timedelta(days=(today.weekday() - p.digest_weekday) % 7)
    return monday, send_instant(monday, p)


def district_escalation_day(
    deadline: date, unit: UnitFacts, p: Policy, cal: WorkCalendar
) -> date | None:
    """The day an overdue item of `unit` goes to its district's heads: None when districts
    are skipped (`district_after_working_days` unset) or the unit has no district head (the
    escalation then goes to the bureau alone, on its own day)."""
    if p.district_after_working_days is None or not unit.district_heads:
        return None
    return cal.add_working_days(deadline, p.district_after_working_days)


def unit_digests(snapshot: Snapshot, *, now: datetime, p: Policy) -> list[Due]:
    """Once a week, each unit head gets the list of the unit's overdue items."""
    monday, at = digest_slot(now, p)
    if at > now:
        return []
    year, week, _ = monday.isocalendar()
    slot = Slot(monday, f"{year}-W{week:02d}", at)
    overdue: dict[int, list[ItemFacts]] = {}
    for item in snapshot.items:
        if item.status in OPEN_ITEM_STATUSES and item.deadline < monday:
            overdue.setdefault(item.unit_id, []).append(item)
    out: list[Due] = []
    for unit_id, items in sorted(overdue.items()):
        unit = snapshot.units.get(unit_id)
        if unit is None or unit.paused or not unit.heads:
            continue
        if snapshot.whole_units is not None and unit_id not in snapshot.whole_units:
            continue
        listed = [
            {
                "item_id": i.id,
                "seq": i.seq,
                "description": i.description,
                "deadline": i.deadline.isoformat(),
            }
            for i in sorted(items, key=lambda i: (i.deadline, i.seq))
        ]
        payload = {"unit": unit.name, "unit_code": unit.code, "items": listed}
        recipients = [member_recipient(h) for h in unit.heads]
        out += _fan(Rule.UNIT_OVERDUE, f"unit:{unit.id}", slot, recipients, payload, unit.id)
    return out


def case_reminders(snapshot: Snapshot, *, now: datetime, p: Policy, cal: WorkCalendar) -> list[Due]:
    """Each open case's clocks (acknowledge, answer): warnings to the assignee (or the staff
    chat when nobody has it) at fractions of the time used, then escalation to the staff chat."""
    today = local_day(now, p)
    out: list[Due] = []
    for case in snapshot.cases:
        clock = p.case_clocks.get(case.kind)
        if clock is None or case.status not in OPEN_CASE_STATUSES:
            continue
        owner = member_recipient(case.owner_member_id) if case.owner_member_id else STAFF
        if owner == STAFF and not snapshot.staff_chat:
            continue
        # A re-handled case (重办) has a clock of its own from the day it reopened; the first
        # round's clocks were kept (or missed) already. It runs while the case is open.
        clocks = (
            [(f"rehandle{case.rehandled}", case.reopened_on, None, clock.rehandle_days, None)]
            if case.reopened_on is not None
            else [
                ("ack", case.opened_on, case.acknowledged_on, clock.acknowledge_days, None),
                (
                    "answer",
                    case.opened_on,
                    case.answered_on,
                    clock.answer_days,
                    clock.answer_working_days,
                ),
            ]
        )
        for name, start, done, days, working in clocks:
            if done is not None or (days is None and working is None):
                continue
            limit = fraction_days(start, 1.0, days=days, working_days=working, cal=cal)
            payload = {
                "case_id": case.id,
                "number": case.number,
                "kind": case.kind,
                "clock": name,
                "limit": limit.isoformat(),
            }
            subject = f"case:{case.id}"
            if today <= limit:
                planned = [
                    (
                        fraction_days(start, f, days=days, working_days=working, cal=cal),
                        f"{name}:{round(f * 100)}",
                    )
                    for f in clock.warn_at
                ]
                slot = current_slot(planned, now=now, policy=p, valid_until=limit)
                if slot is not None:
                    out += _fan(Rule.CASE_WARN, subject, slot, [owner], payload)
            elif snapshot.staff_chat:
                day = limit + timedelta(days=1)
                at = send_instant(day, p)
                if at <= now:
                    esc = Slot(day, f"{name}:esc", at)
                    out += _fan(Rule.CASE_ESCALATE, subject, esc, [STAFF], payload)
    return out


def due_reminders(
    campaign: Campaign, snapshot: Snapshot, *, now: datetime, policy: Policy, cal: WorkCalendar
) -> list[Due]:
    """Every reminder due at `now` for the data in `snapshot`."""
    return [
        *phase_reminders(campaign, snapshot.units, staff=snapshot.staff_chat, now=now, p=policy),
        *deadline_reminders(campaign, snapshot, now=now, p=policy),
        *item_reminders(snapshot, now=now, p=policy, cal=cal),
        *unit_digests(snapshot, now=now, p=policy),
        *case_reminders(snapshot, now=now, p=policy, cal=cal),
    ]


def candidate_window(now: datetime, policy: Policy) -> tuple[date, date]:
    """Items whose deadline is after the first day and on or before the second can be due
    before the deadline; every open item before it is overdue (also a candidate)."""
    today = local_day(now, policy)
    return today, today + timedelta(days=policy.longest_lead)


def running_audiences(campaign: Campaign, now: datetime, policy: Policy) -> frozenset[str]:
    """The audiences of fixed deadlines whose warn-before ladder is running today."""
    today = local_day(now, policy)
    lead = timedelta(days=max(policy.deadline_ladder, default=0))
    return frozenset(d.audience for d in campaign.deadlines if d.due - lead <= today <= d.due)
