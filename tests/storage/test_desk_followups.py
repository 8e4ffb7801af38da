"""The desk's follow-ups in storage: a return (退单) checked against the item's version, the
item kept but off the unit's list, stats and the ledger export; two heads returning at once
return once; notes filtered by section; the reporter's answer only from the reporter."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlmodel import select

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.cases.reports import ReportViewer
from domain.desk.rules import Actor
from domain.hotline import receipts
from domain.ledger.rules import Actor as LedgerActor
from domain.membership.roles import Role
from storage.cases import complaint_staff, complaints, reports
from storage.db import Database
from storage.desk import actions as desk
from storage.desk import notes as desk_notes
from storage.desk import owner as desk_owner
from storage.desk import returns as desk_returns
from storage.desk.notes import FileRef, Reader
from storage.ledger import queries as ledger_queries
from storage.models import CaseMessage, Evidence, LedgerItem, Member
from storage.stats import exports
from tests.owners import accepted
from tests.storage.test_complaints import DAY, POLICY, new
from tests.storage.test_reports import NOW, TODAY, People, file, join, people

__all__ = ["people"]


def desk_actor(member: Member) -> Actor:
    return Actor(role=Role(member.role), member_id=member.id, unit_id=member.unit_id)


def ledger_actor(member: Member) -> LedgerActor:
    return LedgerActor(role=Role(member.role), member_id=member.id, unit_id=member.unit_id)


async def dispatched(db: Database, people: People) -> tuple[int, LedgerItem]:
    filed = await file(db, people)
    handler = desk_actor(people.handler)
    await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    sent = await desk.dispatch(
        db, filed.case_id, handler, date(2027, 4, 30), "约谈。", today=TODAY, now=NOW
    )
    assert sent.outcome is Outcome.OK
    page = await ledger_queries.page_of_items(db, people.school, 0, 10)
    return filed.case_id, page.items[0]


async def test_return_is_versioned_kept_and_off_the_list(db: Database, people: People) -> None:
    case_id, item = await dispatched(db, people)
    assert item.id is not None
    head = ledger_actor(people.head)
    other = await desk_returns.return_item(
        db, item.id, item.version, ledger_actor(people.other_head), "不是我们", now=NOW
    )
    assert other.outcome is Outcome.REFUSED
    stale = await desk_returns.return_item(db, item.id, item.version + 1, head, "x", now=NOW)
    assert stale.outcome is Outcome.STALE
    done = await desk_returns.return_item(db, item.id, item.version, head, "不属本校", now=NOW)
    assert done.outcome is Outcome.OK and done.owner is not None
    assert done.owner.id == people.handler.id
    again = await desk_returns.return_item(db, item.id, item.version + 1, head, "再退", now=NOW)
    assert again.outcome is Outcome.REFUSED
    assert (await ledger_queries.page_of_items(db, people.school, 0, 10)).total == 0
    card = await ledger_queries.item_card(db, item.id)
    assert card is not None and card.item.status == "returned"  # kept, never deleted
    lines = [r async for batch in exports.ledger_rows(db) for r in batch]
    assert lines == []
    found = await desk_returns.returns_of(db, case_id)
    assert [(r.reason, r.by_name) for r in found] == [("不属本校", "李校长")]
    case = await desk.desk_case(db, case_id)
    assert case is not None and case.facts.status == "accepted"


async def test_two_returns_at_once_return_once(db: Database, people: People) -> None:
    case_id, item = await dispatched(db, people)
    assert item.id is not None
    second = await join(db, "SCH001", Role.UNIT_HEAD, 21, "副校长")
    results = await asyncio.gather(
        desk_returns.return_item(
            db, item.id, item.version, ledger_actor(people.head), "a", now=NOW
        ),
        desk_returns.return_item(db, item.id, item.version, ledger_actor(second), "b", now=NOW),
    )
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.OK) == 1  # the other is stale or refused
    assert len(await desk_returns.returns_of(db, case_id)) == 1


async def test_notes_by_section_and_answers_only_from_the_reporter(
    db: Database, people: People
) -> None:
    filed = await file(db, people)
    handler = desk_actor(people.handler)
    await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    added = await desk_notes.add_note(
        db,
        filed.case_id,
        role=Role.MEMBER,
        member_id=people.author.id,
        body="x",
        file=None,
        today=TODAY,
        now=NOW,
    )
    assert added is None  # not desk staff
    await desk_notes.add_note(
        db,
        filed.case_id,
        role=Role.CASE_OFFICER,
        member_id=people.handler.id,
        body="内部",
        file=None,
        today=TODAY,
        now=NOW,
    )
    staff = Reader(Role.CASE_OFFICER, None, private=True)
    assert [line.body for line in await desk_notes.thread(db, filed.case_id, staff)] == ["内部"]
    asked = await desk_owner.ask(db, filed.case_id, handler, "哪天？", today=TODAY, now=NOW)
    assert asked.outcome is Outcome.OK
    assert people.head.id is not None and people.author.id is not None
    wrong = await desk_owner.answer(db, filed.number, people.head.id, "冒充", today=TODAY, now=NOW)
    assert wrong.outcome is Outcome.GONE
    right = await desk_owner.answer(
        db, filed.number, people.author.id, "周一", today=TODAY, now=NOW
    )
    assert right.outcome is Outcome.OK
    twice = await desk_owner.answer(
        db, filed.number, people.author.id, "再答", today=TODAY, now=NOW
    )
    assert twice.outcome is Outcome.STALE


async def test_a_complaint_note_and_file_go_with_the_purge(db: Database) -> None:
    """Desk rows of a complaint get random ids, dates only, and are purged with it."""
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    photo = FileRef("photo", "staff-photo", "image/jpeg", 10)
    await desk_notes.add_note(
        db,
        filed.case_id,
        role=Role.ADMIN,
        member_id=None,
        body="内部",
        file=photo,
        today=DAY,
        now=NOW,
    )
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.messages == () and view.evidence == ()
    async with db.session() as session:
        note = (await session.exec(select(CaseMessage))).one()
        kept = (await session.exec(select(Evidence))).one()
    assert note.id is not None and note.id < 0 and note.sent_at is None
    assert kept.id is not None and kept.id < 0
    await accepted(db, filed.case_id)
    await complaint_staff.reply(db, filed.pseudonym, "答复", member_id=None, now=NOW, today=DAY)
    await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    later = DAY + timedelta(days=400)
    await complaint_staff.purge(db, before=later, today=later, dry_run=False)
    async with db.session() as session:
        assert (await session.exec(select(Evidence))).all() == []
        assert (await session.exec(select(CaseMessage))).all() == []


async def test_status_change_and_file_to_the_reporter(db: Database, people: People) -> None:
    filed = await file(db, people)
    handler = desk_actor(people.handler)
    await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    photo = FileRef("photo", "reply-photo", "image/jpeg", 10)
    sent = await desk_owner.send_file(
        db, filed.case_id, handler, photo, "照片", today=TODAY, now=NOW
    )
    assert sent.change is not None and sent.change.to_status == "answered"
    bare = await desk_owner.set_status(
        db, filed.case_id, handler, CaseStatus.REJECTED, None, today=TODAY, now=NOW
    )
    assert bare.outcome is Outcome.REFUSED  # answered: only back to in progress
    back = await desk_owner.set_status(
        db, filed.case_id, handler, CaseStatus.IN_PROGRESS, None, today=TODAY, now=NOW
    )
    assert back.change is not None and back.change.to_status == "in_progress"
    no = await desk_owner.set_status(
        db, filed.case_id, handler, CaseStatus.REJECTED, "不属实", today=TODAY, now=NOW
    )
    assert no.change is not None and no.change.to_status == "rejected"
    case = await desk.desk_case(db, filed.case_id)
    async with db.session() as session:
        files = (await session.exec(select(Evidence))).all()
    assert case is not None and case.facts.status == "rejected"
    assert [(f.case_id, f.telegram_file_id) for f in files] == [(None, "reply-photo")]
    view = await reports.view_for(
        db, filed.case_id, ReportViewer(Role.MEMBER, None, people.author.id)
    )
    assert view is not None and view.evidence == ()  # the reporter's own evidence only
