"""The papers' reads on every backend: the problem lists (by unit code, 序号 order, returned
items left off, the latest sign-off and who signed it) and the summary's counts (items by
source, cases by channel, published honour and exposure items only)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from storage.db import Database
from storage.ledger.queries import problem_lists
from storage.ledger.signoff import sign_off
from storage.models import CaseIntake, LedgerItem, Publication
from storage.stats.summary import SELF_INSPECTION, summary_facts
from tests.stats_seed import NOW
from tests.storage.test_stats_exports import _setup


async def test_problem_lists_by_unit_with_the_latest_sign_off(db: Database) -> None:
    s1, s2 = await _setup(db)
    assert await sign_off(db, unit_id=s1, seen_version=0, member_id=None, now=NOW)
    assert await sign_off(db, unit_id=s1, seen_version=1, member_id=None, now=NOW)
    async with db.session() as session:
        returned = LedgerItem(
            unit_id=s2,
            seq=2,
            category_key="slow",
            description="退回的问题",
            status="returned",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(returned)
        await session.commit()
    lists = await problem_lists(db, None)
    assert [(p.unit.code, [line.seq for line in p.lines]) for p in lists] == [
        ("S1", [1, 2, 3]),
        ("S2", [1]),
    ]
    first = lists[0]
    assert first.signoff is not None and first.signoff.version == 2
    assert first.lines[0].responsible == "王主任" and first.lines[0].measure == "限期整改"
    assert first.lines[2].responsible is None and first.lines[0].deadline == date(2027, 3, 20)
    assert lists[1].signoff is None
    only = await problem_lists(db, [s2])
    assert [p.unit.code for p in only] == ["S2"] and only[0].lines[0].description == "问题1"
    assert await problem_lists(db, [-1]) == []


async def test_summary_counts_sources_channels_and_published_items(db: Database) -> None:
    s1, s2 = await _setup(db)
    async with db.session() as session:
        case_id = (
            await session.exec(select(LedgerItem.source_case_id).where(LedgerItem.seq == 3))
        ).one()
        assert case_id is not None
        session.add(CaseIntake(case_id=case_id, channel="phone", received_on=date(2027, 3, 1)))
        for kind, state in (
            ("honour", "published"),
            ("exposure", "published"),
            ("honour", "draft"),
        ):
            session.add(
                Publication(
                    kind=kind,
                    unit_id=s1,
                    title=f"{kind}-{state}",
                    summary="……",
                    state=state,
                    created_by=1,
                    created_at=NOW,
                    updated_at=NOW,
                    published_at=datetime(2027, 3, 9, tzinfo=UTC) if state == "published" else None,
                )
            )
        await session.commit()
    every = await summary_facts(db, unit_ids=None)
    assert every.item_sources == {SELF_INSPECTION: 3, "complaint": 1}
    assert every.channels == {"chat": 2, "phone": 1}
    assert [(p.kind, p.title, p.unit_name) for p in every.published] == [
        ("honour", "honour-published", "一中"),
        ("exposure", "exposure-published", "一中"),
    ]
    two = await summary_facts(db, unit_ids=[s2])
    assert two.item_sources == {SELF_INSPECTION: 1} and two.channels == {"chat": 1}
    assert two.published == ()
