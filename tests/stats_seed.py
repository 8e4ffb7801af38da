"""A small, known data set for the statistics and export tests: two schools' ledger items
(verified on time, verified late, open from a case, in progress) and three cases (a closed,
rated complaint; an answered report acknowledged late; a fresh complaint)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from storage.db import Database
from storage.models import Case, ComplaintRating, ComplaintReceipt, LedgerItem, LedgerProgress

NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, phase 2
TODAY = date(2027, 3, 10)
RECEIPT_HASH = "$argon2id$v=19$secret-hash-never-exported"
LOOKUP_KEY = "lookup-key-never-exported"


@dataclass(frozen=True)
class Seeded:
    closed_complaint: str
    fresh_complaint: str
    report: str


async def seed(db: Database, school_1: int, school_2: int) -> Seeded:
    async with db.session() as session:
        closed = Case(
            kind="complaint",
            number="C-AB12",
            category_key="slow",
            unit_id=school_1,
            status="closed",
            description="窗口办事拖拉 <b>三天</b>",
            opened_on=date(2027, 3, 1),
            acknowledged_on=date(2027, 3, 2),
            answered_on=date(2027, 3, 5),
            closed_on=date(2027, 3, 6),
            closing_summary="已约谈并整改",
        )
        report = Case(
            kind="report",
            number="R-0001",
            category_key="lazy",
            unit_id=school_2,
            status="answered",
            description="值班脱岗",
            opened_on=date(2027, 3, 7),
            opened_at=datetime(2027, 3, 7, 2, 0, tzinfo=UTC),
            acknowledged_on=date(2027, 3, 9),
            answered_on=date(2027, 3, 9),
        )
        fresh = Case(
            kind="complaint",
            number="C-CD34",
            category_key="slow",
            unit_id=school_1,
            status="received",
            description="食堂收费不公开",
            opened_on=date(2027, 3, 9),
        )
        session.add_all([closed, report, fresh])
        await session.flush()
        assert closed.id is not None and fresh.id is not None
        session.add(
            ComplaintRating(case_id=closed.id, rating="satisfied", rated_on=date(2027, 3, 7))
        )
        session.add(
            ComplaintReceipt(case_id=fresh.id, lookup_key=LOOKUP_KEY, receipt_hash=RECEIPT_HASH)
        )

        def item(unit: int, seq: int, **values: object) -> LedgerItem:
            fields: dict[str, object] = {
                "unit_id": unit,
                "seq": seq,
                "category_key": "slow",
                "description": f"问题{seq}",
                "measure": "限期整改",
                "responsible_name": "王主任",
                "status": "open",
                "created_at": datetime(2027, 3, 6, 2, 0, tzinfo=UTC),
                "updated_at": NOW,
            }
            fields.update(values)
            return LedgerItem.model_validate(fields)

        on_time = item(
            school_1,
            1,
            status="verified",
            deadline=date(2027, 3, 20),
            verified_at=datetime(2027, 3, 9, 23, 30, tzinfo=UTC),
        )
        late = item(
            school_1,
            2,
            status="verified",
            category_key="lazy",
            deadline=date(2027, 3, 5),
            # still the 5th in UTC, already the 6th in Shanghai: late
            verified_at=datetime(2027, 3, 5, 17, 0, tzinfo=UTC),
        )
        from_case = item(
            school_1, 3, deadline=date(2027, 4, 1), source_case_id=closed.id, responsible_name=None
        )
        other = item(school_2, 1, status="in_progress", deadline=None)
        session.add_all([on_time, late, from_case, other])
        await session.flush()
        assert on_time.id is not None
        session.add_all(
            [
                LedgerProgress(
                    item_id=on_time.id,
                    kind="note",
                    note="第一次检查",
                    at=datetime(2027, 3, 7, 2, 0, tzinfo=UTC),
                ),
                LedgerProgress(
                    item_id=on_time.id,
                    kind="rectified",
                    note="已完成整改",
                    at=datetime(2027, 3, 8, 2, 0, tzinfo=UTC),
                ),
            ]
        )
        await session.commit()
    return Seeded(closed_complaint="C-AB12", fresh_complaint="C-CD34", report="R-0001")
