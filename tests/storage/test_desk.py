"""The staff desk in storage: the inbox's open cases (kind, owner, paging), accepting under
谁受理谁负责 (one winner when two accept at once, conflict of interest), replying and
closing with their messages, dates and audit events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from domain.cases.outcome import Outcome
from domain.desk.rules import Actor, Refusal
from domain.membership.roles import Role
from storage import audit
from storage.db import Database
from storage.desk import actions as desk
from storage.models import Case, CaseMessage, LedgerItem, Member
from tests.storage.test_reports import NOW, TODAY, People, file, join, people

__all__ = ["people"]  # the fixture, re-used


def actor(member: Member) -> Actor:
    return Actor(role=Role(member.role), member_id=member.id, unit_id=member.unit_id)


async def test_inbox_lists_open_cases_by_kind_owner_and_page(db: Database, people: People) -> None:
    filed = [await file(db, people) for _ in range(3)]
    page = await desk.list_open(db, limit=2)
    assert page.total == 3 and len(page.items) == 2
    assert page.items[0].number == "R-2027-0003"  # newest first
    rest = await desk.list_open(db, offset=2, limit=2)
    assert [i.number for i in rest.items] == ["R-2027-0001"]
    assert (await desk.list_open(db, kind="complaint")).total == 0
    handler = actor(people.handler)
    done = await desk.accept(db, filed[0].case_id, handler, today=TODAY, now=NOW)
    assert done.outcome is Outcome.OK
    mine = await desk.list_open(db, owner_member_id=people.handler.id)
    assert [i.case_id for i in mine.items] == [filed[0].case_id]


async def test_accept_reply_close(db: Database, people: People) -> None:
    filed = await file(db, people)
    handler = actor(people.handler)
    accepted = await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    assert accepted.change is not None
    assert accepted.change.reporter_telegram_id == 11
    assert (accepted.change.from_status, accepted.change.to_status) == ("received", "accepted")
    early = await desk.close(db, filed.case_id, handler, "x", today=TODAY, now=NOW)
    assert early.refusal is Refusal.WRONG_STATUS
    later = TODAY + timedelta(days=1)
    replied = await desk.reply(db, filed.case_id, handler, "<i>已核实</i>", today=later, now=NOW)
    assert replied.outcome is Outcome.OK
    again = await desk.reply(
        db, filed.case_id, handler, "补充", today=later + timedelta(1), now=NOW
    )
    assert again.outcome is Outcome.OK
    closed = await desk.close(db, filed.case_id, handler, "已整改", today=later, now=NOW)
    assert closed.outcome is Outcome.OK
    async with db.session() as session:
        case = await session.get(Case, filed.case_id)
        messages = (
            await session.exec(select(CaseMessage).where(CaseMessage.case_id == filed.case_id))
        ).all()
    assert case is not None
    assert (case.status, case.owner_member_id) == ("closed", people.handler.id)
    assert (case.acknowledged_on, case.answered_on, case.closed_on) == (TODAY, later, later)
    assert case.closing_summary == "已整改"
    assert [(m.seq, m.direction, m.body) for m in messages] == [
        (1, "to_author", "<i>已核实</i>"),
        (2, "to_author", "补充"),
    ]
    assert all(m.sent_at is not None and m.staff_member_id == people.handler.id for m in messages)
    events = await audit.events_for(db, "case", filed.case_id)
    assert [e.action for e in events][-4:] == [
        "desk.accept",
        "desk.reply",
        "desk.reply",
        "desk.close",
    ]


async def test_only_the_owner_acts_and_conflicts_are_refused(db: Database, people: People) -> None:
    filed = await file(db, people)  # about SCH001
    local = await join(db, "SCH001", Role.CASE_OFFICER, 21, "本校承办人")
    conflict = await desk.accept(db, filed.case_id, actor(local), today=TODAY, now=NOW)
    assert conflict.refusal is Refusal.CONFLICT
    head = await desk.accept(db, filed.case_id, actor(people.head), today=TODAY, now=NOW)
    assert head.refusal is Refusal.NOT_STAFF
    await desk.accept(db, filed.case_id, actor(people.handler), today=TODAY, now=NOW)
    other = await join(db, "SCH002", Role.CASE_OFFICER, 22, "另一承办人")
    stolen = await desk.reply(db, filed.case_id, actor(other), "x", today=TODAY, now=NOW)
    assert stolen.refusal is Refusal.NOT_OWNER
    assert (await desk.accept(db, 999_999, actor(other), today=TODAY, now=NOW)).outcome is (
        Outcome.GONE
    )


async def test_two_handlers_accepting_at_once_one_wins(db: Database, people: People) -> None:
    filed = await file(db, people)
    other = await join(db, "SCH002", Role.CASE_OFFICER, 23, "督导室")
    results = await asyncio.gather(
        desk.accept(db, filed.case_id, actor(people.handler), today=TODAY, now=NOW),
        desk.accept(db, filed.case_id, actor(other), today=TODAY, now=NOW),
    )
    assert sorted(r.outcome is Outcome.OK for r in results) == [False, True]
    loser = next(r for r in results if r.outcome is not Outcome.OK)
    assert loser.outcome is Outcome.STALE or loser.refusal is Refusal.WRONG_STATUS
    events = await audit.events_for(db, "case", filed.case_id)
    assert [e.action for e in events].count("desk.accept") == 1


async def test_transfer_keeps_the_reason_internal_and_checks_the_target(
    db: Database, people: People
) -> None:
    filed = await file(db, people)
    handler = actor(people.handler)
    await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    to_head = await desk.transfer(
        db, filed.case_id, handler, people.head.id or 0, "x", today=TODAY, now=NOW
    )
    assert to_head.refusal is Refusal.BAD_TARGET
    to_self = await desk.transfer(
        db, filed.case_id, handler, people.handler.id or 0, "x", today=TODAY, now=NOW
    )
    assert to_self.refusal is Refusal.BAD_TARGET
    other = await join(db, "SCH002", Role.CASE_OFFICER, 24, "督导室")
    colleagues = await desk.officers_besides(db, people.handler.id)
    assert [c.name for c in colleagues] == ["督导室"]
    moved = await desk.transfer(
        db, filed.case_id, handler, other.id or 0, "属督导室职责", today=TODAY, now=NOW
    )
    assert moved.outcome is Outcome.OK and moved.new_owner is not None
    assert moved.new_owner.id == other.id
    async with db.session() as session:
        case = await session.get(Case, filed.case_id)
        notes = (
            await session.exec(select(CaseMessage).where(CaseMessage.case_id == filed.case_id))
        ).all()
    assert case is not None and (case.owner_member_id, case.status) == (other.id, "accepted")
    assert [(n.direction, n.body) for n in notes] == [("internal", "属督导室职责")]
    again = await desk.reply(db, filed.case_id, handler, "x", today=TODAY, now=NOW)
    assert again.refusal is Refusal.NOT_OWNER


async def test_dispatch_adds_a_ledger_item_and_names_the_heads(
    db: Database, people: People
) -> None:
    filed = await file(db, people)
    handler = actor(people.handler)
    await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    deadline = TODAY + timedelta(days=30)
    done = await desk.dispatch(
        db, filed.case_id, handler, deadline, "一周内约谈当事人", today=TODAY, now=NOW
    )
    assert done.outcome is Outcome.OK and done.change is not None
    assert done.change.to_status == "in_progress"
    assert [h.id for h in done.unit_heads] == [people.head.id]
    async with db.session() as session:
        items = (
            await session.exec(select(LedgerItem).where(LedgerItem.source_case_id == filed.case_id))
        ).all()
    assert [(i.unit_id, i.seq, i.deadline, i.requirement) for i in items] == [
        (people.school, 1, deadline, "一周内约谈当事人")
    ]
    twice = await desk.dispatch(db, filed.case_id, handler, deadline, "x", today=TODAY, now=NOW)
    assert twice.refusal is Refusal.WRONG_STATUS
