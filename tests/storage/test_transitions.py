"""The one case transition: the version it is given, the caller's rule, the lifecycle's final and
invalid moves, a caller's rows rolled back with the move, and no audit row for a complainant."""

from __future__ import annotations

from typing import Never

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.cases.lifecycle import CaseAction, CaseStatus
from domain.cases.outcome import Outcome
from domain.desk.rules import Refusal
from domain.hotline import receipts
from storage import audit
from storage.cases import complaint_staff, complaints
from storage.cases.transitions import Stale, Step, move_case
from storage.db import Database
from storage.models import AuditEvent, Case, CaseMessage
from tests.storage.test_complaints import DAY, POLICY, new
from tests.storage.test_reports import NOW, People, file, people

__all__ = ["people"]  # the fixture, re-used

REPORT: Step[Never, None] = Step(("report",), "test.move")


async def status_of(db: Database, case_id: int) -> tuple[str, int]:
    async with db.session() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return case.status, case.version


async def test_the_version_given_must_be_the_case_s(db: Database, people: People) -> None:
    filed = await file(db, people)
    actor = people.handler.id
    stale = await move_case(db, filed.case_id, CaseAction.ACCEPT, actor, REPORT, version=2, now=NOW)
    assert stale.outcome is Outcome.STALE and await status_of(db, filed.case_id) == ("received", 1)
    moved = await move_case(db, filed.case_id, CaseAction.ACCEPT, actor, REPORT, version=1, now=NOW)
    assert (moved.outcome, moved.before, moved.after) == (Outcome.OK, "received", "accepted")
    assert await status_of(db, filed.case_id) == ("accepted", 2)
    events = await audit.events_for(db, "case", filed.case_id)
    assert [(e.action, e.actor_member_id, e.to_value) for e in events][-1] == (
        "test.move",
        actor,
        "accepted",
    )
    other_kind = await move_case(
        db, filed.case_id, CaseAction.REPLY, actor, Step(("finding",), "x"), now=NOW
    )
    assert other_kind.outcome is Outcome.GONE
    assert (await move_case(db, 999_999, CaseAction.ACCEPT, actor, REPORT, now=NOW)).outcome is (
        Outcome.GONE
    )


async def test_rule_lifecycle_and_rows_decide_before_the_commit(
    db: Database, people: People
) -> None:
    filed = await file(db, people)

    async def no(_session: AsyncSession, _case: Case) -> Refusal | None:
        return Refusal.NOT_STAFF

    refused = await move_case(
        db, filed.case_id, CaseAction.ACCEPT, None, Step(("report",), "x", check=no), now=NOW
    )
    assert (refused.outcome, refused.refusal) == (Outcome.REFUSED, Refusal.NOT_STAFF)
    invalid = await move_case(db, filed.case_id, CaseAction.CLOSE, None, REPORT, now=NOW)
    assert invalid.outcome is Outcome.INVALID

    async def changed(session: AsyncSession, case: Case) -> None:
        session.add(
            CaseMessage(case_id=case.id, seq=1, direction="internal", body="x", sent_on=DAY)
        )
        raise Stale

    rolled = await move_case(
        db, filed.case_id, CaseAction.ACCEPT, None, Step(("report",), "x", rows=changed), now=NOW
    )
    assert rolled.outcome is Outcome.STALE
    assert await status_of(db, filed.case_id) == ("received", 1)
    async with db.session() as session:
        assert not (await session.exec(select(CaseMessage))).all()
    assert [e.action for e in await audit.events_for(db, "case", filed.case_id)] == ["report.filed"]


async def test_a_complainant_s_move_is_not_audited_and_a_final_one_moves_no_more(
    db: Database,
) -> None:
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    await complaint_staff.reply(db, filed.pseudonym, "答复", member_id=None, now=NOW, today=DAY)
    async with db.session() as session:
        before = len((await session.exec(select(AuditEvent))).all())
    assert await complaints.add_information(db, filed.case_id, "补充", today=DAY) == (
        filed.pseudonym,
        True,
    )
    async with db.session() as session:
        assert len((await session.exec(select(AuditEvent))).all()) == before
    events = await audit.events_for(db, "complaint", filed.pseudonym)
    assert [(e.action, e.actor_kind, e.to_value) for e in events] == [
        ("complaint.reply", "admin", CaseStatus.ANSWERED.value)
    ]
    rejected = await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.REJECTED, member_id=None, now=NOW, today=DAY, reason="r"
    )
    assert rejected.outcome is Outcome.OK
    assert await complaints.add_information(db, filed.case_id, "再补充", today=DAY) is None
    again = await complaint_staff.reply(
        db, filed.pseudonym, "x", member_id=None, now=NOW, today=DAY
    )
    assert again.outcome is Outcome.FINAL
