"""The inbox's filters in SQL (kind, status, category, unit, assignee, overdue; combined and
counted), a complaint accepted, answered and closed through the desk with the hotline's
anonymity kept, and the staff chat card bookkeeping (claimed once, owed, due)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from domain.cases.outcome import Outcome
from domain.desk.filters import late_rules
from domain.desk.rules import Actor
from domain.hotline import receipts
from domain.membership.roles import Role
from domain.reminders.calendar import WorkCalendar
from domain.reminders.timing import CaseClock
from storage.cases import complaints, reports, sealing
from storage.cases.complaints import NewComplaint
from storage.db import Database
from storage.desk import actions as desk
from storage.desk import cards as desk_cards
from storage.desk import filters as desk_filters
from storage.desk.filters import CaseQuery
from storage.models import Case, CaseMessage, ComplaintPushLink, Member
from tests.storage.test_complaints import POLICY
from tests.storage.test_reports import NOW, TODAY, People, draft, people

__all__ = ["people"]  # the fixture, re-used
CLOCKS = {"report": CaseClock(acknowledge_days=7, answer_days=30), "complaint": CaseClock(7, 90)}


def actor(member: Member) -> Actor:
    return Actor(role=Role(member.role), member_id=member.id, unit_id=member.unit_id)


async def _report(db: Database, people: People, unit: int, day: date, key: str = "loose") -> int:
    assert people.author.id is not None
    filed = await reports.submit_report(
        db,
        author_member_id=people.author.id,
        draft=replace(draft(unit), category_key=key),
        year=2027,
        today=day,
        now=NOW,
    )
    return filed.case_id


async def _total(db: Database, **kwargs: object) -> int:
    page = await desk_filters.list_cases(db, CaseQuery(**kwargs), offset=0, limit=50)  # type: ignore[arg-type]
    assert len(page.items) == page.total
    return page.total


async def test_filters_combine_in_sql(db: Database, people: People) -> None:
    early = TODAY - timedelta(days=20)
    old = await _report(db, people, people.school, early)
    await _report(db, people, people.other_school, TODAY, key="fees")
    mine = await _report(db, people, people.school, TODAY)
    filed = await complaints.file_complaint(
        db,
        NewComplaint("fees", people.school, "乱收费"),
        receipt=receipts.new_receipt(),
        policy=POLICY,
        today=TODAY,
    )
    handler = actor(people.handler)
    assert (await desk.accept(db, mine, handler, today=TODAY, now=NOW)).outcome is Outcome.OK
    assert await _total(db) == 4
    assert await _total(db, kinds=("complaint",)) == 1
    assert await _total(db, kinds=("report",), unit_id=people.school) == 2
    assert await _total(db, category_key="fees") == 2
    assert await _total(db, category_key="fees", kinds=("report",)) == 1
    assert await _total(db, owner=people.handler.id) == 1
    assert await _total(db, unowned=True) == 3
    assert await _total(db, statuses=("accepted",)) == 1
    assert await _total(db, statuses=("closed",)) == 0
    rules = late_rules(CLOCKS, today=TODAY, cal=WorkCalendar())
    assert await _total(db, late=rules) == 1  # opened 20 days ago, never acknowledged
    page = await desk_filters.list_cases(db, CaseQuery(late=rules), offset=0, limit=5)
    assert [line.case_id for line in page.items] == [old]
    later = late_rules(CLOCKS, today=TODAY + timedelta(days=8), cal=WorkCalendar())
    # 8 days on: the complaint and the unaccepted report of today are late; the accepted not.
    assert await _total(db, late=later) == 3
    assert await _total(db, late=later, kinds=("complaint",)) == 1
    assert await _total(db, late=(), kinds=("report",)) == 0  # no clock kept: nothing is late
    choices = await desk_filters.units_with_cases(
        db, CaseQuery(unit_id=people.other_school), limit=5
    )
    assert [(c.unit_id, c.cases) for c in choices] == [(people.school, 3), (people.other_school, 1)]
    assert filed.case_id


async def test_complaint_through_the_desk_keeps_the_hotline_rules(
    db: Database, people: People
) -> None:
    filed = await complaints.file_complaint(
        db,
        NewComplaint("fees", people.school, "乱收费"),
        receipt=receipts.new_receipt(),
        policy=POLICY,
        today=TODAY,
    )
    async with db.session() as session:
        session.add(ComplaintPushLink(case_id=filed.case_id, sealed=b"sealed"))
        await session.commit()
    handler, local = actor(people.handler), actor(people.head)
    refused = await desk.reply(db, filed.case_id, handler, "x", today=TODAY, now=NOW)
    assert refused.outcome is Outcome.REFUSED  # not accepted yet: nobody owns it
    assert (await desk.accept(db, filed.case_id, local, today=TODAY, now=NOW)).refusal
    accepted = await desk.accept(db, filed.case_id, handler, today=TODAY, now=NOW)
    assert accepted.outcome is Outcome.OK and accepted.kind == "complaint"
    assert accepted.change is not None and accepted.change.reporter_telegram_id is None
    replied = await desk.reply(db, filed.case_id, handler, "已核实。", today=TODAY, now=NOW)
    assert replied.outcome is Outcome.OK and replied.sealed_push == b"sealed"
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.status == "answered" and view.messages[-1].body == "已核实。"
    closed = await desk.close(db, filed.case_id, handler, "已退费，办结。", today=TODAY, now=NOW)
    assert closed.outcome is Outcome.OK and closed.sealed_push == b"sealed"
    async with db.session() as session:
        case = await session.get(Case, filed.case_id)
        link = await session.get(ComplaintPushLink, filed.case_id)
        messages = (
            await session.exec(select(CaseMessage).where(CaseMessage.case_id == filed.case_id))
        ).all()
        words = await sealing.opener(session, [filed.case_id])
    assert case is not None and case.status == "closed" and case.closing_summary is not None
    assert words.text(filed.case_id, "closing_summary", case.closing_summary) == "已退费，办结。"
    assert "已退费" not in case.closing_summary  # sealed at rest, like the hotline's own close
    assert link is None  # erased when final, as the hotline does
    assert all(m.sent_at is None for m in messages)  # days only, never instants


async def test_staff_card_is_claimed_once_and_owed_until_posted(
    db: Database, people: People
) -> None:
    case_id = await _report(db, people, people.school, TODAY)
    later = NOW + timedelta(minutes=5)
    assert await desk_cards.without_card(db, ("report",), since=TODAY, limit=5) == (case_id,)
    assert await desk_cards.claim(db, case_id, -100, NOW, lease=timedelta(minutes=2))
    assert not await desk_cards.claim(db, case_id, -100, NOW, lease=timedelta(minutes=2))
    assert await desk_cards.without_card(db, ("report",), since=TODAY, limit=5) == ()
    assert await desk_cards.due(db, NOW, limit=5) == ()  # being posted by its claimer
    assert [c.case_id for c in await desk_cards.due(db, later, limit=5)] == [case_id]
    await desk_cards.owe(db, case_id, later + timedelta(seconds=30), later)
    assert await desk_cards.due(db, later, limit=5) == ()
    await desk_cards.posted(db, case_id, 77, later)
    card = await desk_cards.card_of(db, case_id)
    assert card is not None and card.message_id == 77
    assert await desk_cards.due(db, datetime(2030, 1, 1, tzinfo=UTC), limit=5) == ()


async def test_a_finding_is_listed_and_handled_like_a_report(db: Database, people: People) -> None:
    async with db.session() as session:
        finding = Case(
            kind="finding",
            number="F-2027-0001",
            category_key="loose",
            unit_id=people.school,
            status="received",
            description="夜间值班无人。",
            opened_on=TODAY,
        )
        session.add(finding)
        await session.commit()
        assert finding.id is not None
        case_id = finding.id
    assert await _total(db, kinds=("finding",)) == 1
    handler = actor(people.handler)
    steps = [
        await desk.accept(db, case_id, handler, today=TODAY, now=NOW),
        await desk.reply(db, case_id, handler, "已整改。", today=TODAY, now=NOW),
        await desk.close(db, case_id, handler, "办结。", today=TODAY, now=NOW),
    ]
    assert [s.outcome for s in steps] == [Outcome.OK] * 3
    assert all(s.change is not None and s.change.reporter_telegram_id is None for s in steps)
    found = await desk.desk_case(db, case_id)
    assert found is not None and found.facts.status == "closed" and found.inspector_name is None
