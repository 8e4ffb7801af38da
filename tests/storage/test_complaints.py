"""Complaints in storage, on SQLite and PostgreSQL: filing with the receipt's hash, finding
by receipt, duplicates, messages and moves, the push link, rating, legal hold and purge."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.hotline import receipts
from domain.hotline.receipts import HashParams
from domain.hotline.rules import HotlinePolicy
from storage.cases import complaint_staff, complaints, loop
from storage.cases.complaints import DuplicateComplaint, EvidenceFile, NewComplaint
from storage.db import Database
from storage.models import Case, ComplaintReceipt, ComplaintTombstone, Evidence
from tests.owners import accepted

POLICY = HotlinePolicy(
    pepper=b"s" * 32,
    hash_params=HashParams(time_cost=1, memory_kib=256, parallelism=1),
    max_per_day=3,
    retention_days=365,
    max_evidence_files=5,
    max_file_bytes=20 * 1024 * 1024,
)
DAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)


def new(text: str = "食堂多收费", files: int = 0) -> NewComplaint:
    return NewComplaint(
        category_key="other",
        unit_id=None,
        description=text,
        evidence=tuple(EvidenceFile("photo", f"file-{i}", "image/jpeg", 10) for i in range(files)),
    )


async def test_file_and_find_by_receipt(db: Database) -> None:
    receipt = receipts.new_receipt()
    filed = await complaints.file_complaint(
        db, new(files=2), receipt=receipt, policy=POLICY, today=DAY
    )
    assert await complaints.find_by_receipt(db, POLICY, receipt.lower()) == filed.case_id
    assert await complaints.find_by_receipt(db, POLICY, receipts.new_receipt()) is None
    assert await complaints.find_by_receipt(db, POLICY, "garbage") is None
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.status == CaseStatus.RECEIVED
    assert view.opened_on == DAY and len(view.evidence) == 2 and view.pseudonym == filed.pseudonym
    async with db.session() as session:
        row = (await session.exec(select(ComplaintReceipt))).one()
    assert receipt not in row.receipt_hash and receipts.normalise(receipt) not in row.receipt_hash


async def test_same_text_twice_a_day_from_one_sender_is_a_duplicate(db: Database) -> None:
    def again(text: str, sender: str | None, day: date = DAY) -> Awaitable[complaints.Filed]:
        return complaints.file_complaint(
            db, new(text), receipt=receipts.new_receipt(), policy=POLICY, today=day, sender=sender
        )

    await again("同一件事", "sender-a")
    with pytest.raises(DuplicateComplaint):
        await again("同一件事 ", "sender-a")
    await again("同一件事", "sender-b")  # another person's same words are filed
    await again("同一件事", None)  # no sender known (e.g. registered by staff): no check
    await again("同一件事", "sender-a", DAY + timedelta(days=1))
    assert len(await complaints.for_staff(db)) == 4


async def test_reply_answers_and_information_reopens(db: Database) -> None:
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    await accepted(db, filed.case_id)
    result = await complaint_staff.reply(
        db, filed.pseudonym, "在查", member_id=None, now=NOW, today=DAY
    )
    assert result.outcome is Outcome.OK
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.status == CaseStatus.ANSWERED
    assert await complaints.add_information(db, filed.case_id, "补充", today=DAY) == (
        filed.pseudonym,
        True,
    )
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.status == CaseStatus.IN_PROGRESS
    closing = await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    assert closing.outcome is Outcome.INVALID  # not answered again yet


async def test_push_link_is_erased_when_the_complaint_closes(db: Database) -> None:
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    assert await complaints.set_push(db, filed.case_id, b"sealed")
    await accepted(db, filed.case_id)
    replied = await complaint_staff.reply(
        db, filed.pseudonym, "答复", member_id=None, now=NOW, today=DAY
    )
    assert replied.sealed_push == b"sealed"
    closed = await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    assert closed.outcome is Outcome.OK and closed.sealed_push == b"sealed"
    view = await complaints.view(db, filed.case_id)
    assert view is not None and not view.push
    assert not await complaints.set_push(db, filed.case_id, b"again")
    again = await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    assert again.outcome is Outcome.FINAL


async def rate(db: Database, case_id: int, rating: str, reason: str | None) -> Outcome:
    rated = await loop.rate(db, case_id, rating, reason, author_member_id=None, today=DAY, now=NOW)
    return rated.outcome


async def test_rating_only_once_and_only_when_closed(db: Database) -> None:
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    assert await rate(db, filed.case_id, "satisfied", None) is Outcome.REFUSED
    await accepted(db, filed.case_id)
    await complaint_staff.reply(db, filed.pseudonym, "答复", member_id=None, now=NOW, today=DAY)
    await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    assert await rate(db, filed.case_id, "satisfied", "好") is Outcome.OK
    assert await rate(db, filed.case_id, "dissatisfied", "x") is Outcome.REFUSED


async def test_closing_needs_someone_responsible(db: Database) -> None:
    """谁受理谁负责: a complaint answered from the staff chat before anyone accepted it is not
    closed until someone does."""
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    await complaint_staff.reply(db, filed.pseudonym, "答复", member_id=None, now=NOW, today=DAY)
    closing = await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    assert closing.outcome is Outcome.REFUSED
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.status == CaseStatus.ANSWERED


async def test_rejection_keeps_its_reason(db: Database) -> None:
    filed = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    result = await complaint_staff.finish(
        db,
        filed.pseudonym,
        CaseStatus.REJECTED,
        member_id=None,
        now=NOW,
        today=DAY,
        reason="不属于受理范围",
    )
    assert result.outcome is Outcome.OK
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.rejection_reason == "不属于受理范围"
    assert await complaints.add_information(db, filed.case_id, "x", today=DAY) is None


async def test_purge_respects_retention_and_legal_hold(db: Database) -> None:
    made = []
    for text in ("甲", "乙", "丙"):
        filed = await complaints.file_complaint(
            db, new(text, files=1), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
        )
        await accepted(db, filed.case_id)
        await complaint_staff.reply(db, filed.pseudonym, "答复", member_id=None, now=NOW, today=DAY)
        made.append(filed)
    for filed in made[:2]:
        await complaint_staff.finish(
            db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
        )
    assert await complaint_staff.set_hold(
        db, made[1].pseudonym, on=True, member_id=None, today=DAY, now=NOW
    )
    later = DAY + timedelta(days=400)
    cutoff = later - timedelta(days=365)
    dry = await complaint_staff.purge(db, before=cutoff, today=later, dry_run=True)
    assert (dry.purged, dry.held) == (1, 1)
    assert await complaints.view(db, made[0].case_id) is not None
    done = await complaint_staff.purge(db, before=cutoff, today=later, dry_run=False)
    assert (done.purged, done.held) == (1, 1)
    assert await complaints.view(db, made[0].case_id) is None
    assert await complaints.view(db, made[1].case_id) is not None  # on hold
    assert await complaints.view(db, made[2].case_id) is not None  # still open
    async with db.session() as session:
        stones = (await session.exec(select(ComplaintTombstone))).all()
        evidence = (await session.exec(select(Evidence))).all()
    assert len(stones) == 1 and stones[0].status == "closed" and stones[0].messages == 1
    assert len(evidence) == 2
    again = await complaint_staff.purge(db, before=cutoff, today=later, dry_run=False)
    assert again.purged == 0


async def test_staff_list_is_by_day_then_pseudonym(db: Database) -> None:
    for i in range(5):
        await complaints.file_complaint(
            db, new(f"第{i}件"), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
        )
    await complaints.file_complaint(
        db,
        new("前一天"),
        receipt=receipts.new_receipt(),
        policy=POLICY,
        today=DAY - timedelta(days=1),
    )
    listed = await complaints.for_staff(db)
    assert listed[0].description == "前一天"
    same_day = [v.pseudonym for v in listed[1:]]
    assert same_day == sorted(same_day)


async def test_row_ids_do_not_reveal_the_order_of_filing(db: Database) -> None:
    """Cases, messages and evidence get random ids: a complaint's id between two timed
    reports' ids would date it."""
    filed = [
        await complaints.file_complaint(
            db,
            new(f"第 {i} 件事", files=1),
            receipt=receipts.new_receipt(),
            policy=POLICY,
            today=DAY,
        )
        for i in range(8)
    ]
    ids = [f.case_id for f in filed]
    assert all(i < 0 for i in ids), "complaints stay out of the sequence other cases use"
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)  # 2 in 8! by chance
    async with db.session() as session:
        evidence_ids = [e.id or 0 for e in (await session.exec(select(Evidence))).all()]
    assert all(i < 0 for i in evidence_ids)
    # a reply and an added note keep their order within the day, whatever their ids
    case_id = ids[0]
    await complaint_staff.reply(
        db, filed[0].pseudonym, "请补充时间", member_id=None, now=NOW, today=DAY
    )
    await complaints.add_information(db, case_id, "上周三中午", today=DAY)
    view = await complaints.view(db, case_id)
    assert view is not None
    assert [m.body for m in view.messages] == ["请补充时间", "上周三中午"]
    async with db.session() as session:
        case = await session.get(Case, case_id)
    assert case is not None and case.acknowledged_on == DAY  # the first staff reply
