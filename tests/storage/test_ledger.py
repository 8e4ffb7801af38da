"""The ledger's units of work on every backend: numbering, optimistic versions, moves with
their audit events, deadline history, sign-off versions, pages and the unsigned units."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from domain.cases.outcome import Outcome
from domain.ledger.rules import LedgerStatus
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from storage import audit
from storage.db import Database
from storage.ledger import items as ledger
from storage.ledger import queries as ledger_queries
from storage.ledger.items import NewEvidence
from storage.membership import invites, units

NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)
TODAY = date(2027, 3, 10)
S = LedgerStatus


async def setup(db: Database) -> tuple[int, int, int]:
    """Two schools and a bureau; returns (school 1 id, school 2 id, a member of school 1)."""
    await units.import_units(
        db,
        [
            (2, UnitRow("EDU", "局", UnitKind.BUREAU, None)),
            (3, UnitRow("S1", "一中", UnitKind.SCHOOL, "EDU")),
            (4, UnitRow("S2", "二小", UnitKind.SCHOOL, "EDU")),
        ],
        now=NOW,
    )
    made = await invites.create_invite(
        db,
        unit_code="S1",
        role=Role.UNIT_HEAD,
        max_uses=1,
        ttl=timedelta(days=3),
        now=NOW,
        created_by="cli",
    )
    joined = await invites.redeem(
        db, token=made.token, telegram_user_id=42, display_name="校长", language=None, now=NOW
    )
    s1, s2 = await units.by_code(db, "S1"), await units.by_code(db, "S2")
    assert s1 and s2 and s1.id and s2.id and joined.member and joined.member.id
    return s1.id, s2.id, joined.member.id


async def add(db: Database, unit_id: int, text: str = "问题", **extra: object) -> int:
    item = await ledger.add_item(
        db,
        unit_id=unit_id,
        category_key="slow",
        description=text,
        measure="措施",
        deadline=date(2027, 5, 1),
        responsible_member_id=None,
        responsible_name="王主任",
        actor_member_id=None,
        now=NOW,
        today=TODAY,
        **extra,  # type: ignore[arg-type]
    )
    assert item.id is not None
    return item.id


async def test_seq_is_per_unit_and_survives_concurrent_adds(db: Database) -> None:
    s1, s2, _head = await setup(db)
    await asyncio.gather(*(add(db, s1, f"问题{i}") for i in range(8)))
    await add(db, s2)
    page = await ledger_queries.page_of_items(db, s1, 0, 100)
    assert sorted(i.seq for i in page.items) == list(range(1, 9))
    other = await ledger_queries.page_of_items(db, s2, 0, 100)
    assert [i.seq for i in other.items] == [1]


async def test_moves_check_the_version_and_are_audited(db: Database) -> None:
    s1, _s2, head = await setup(db)
    item_id = await add(db, s1, evidence=[NewEvidence("photo", "file-1")])

    async def move(version: int, target: S, note: str | None = None) -> Outcome:
        change = await ledger.move_status(
            db,
            item_id=item_id,
            expected_version=version,
            target=target,
            actor_member_id=head,
            note=note,
            now=NOW,
            today=TODAY,
        )
        return change.result

    assert await move(1, S.IN_PROGRESS) is Outcome.OK
    assert await move(1, S.IN_PROGRESS) is Outcome.STALE  # the same button again
    assert await move(2, S.VERIFIED) is Outcome.INVALID  # not a valid move
    assert await move(2, S.RECTIFIED, "已整改") is Outcome.OK
    assert await move(3, S.IN_PROGRESS, "退回理由") is Outcome.OK
    assert await move(4, S.RECTIFIED, "再次整改") is Outcome.OK
    assert await move(5, S.VERIFIED) is Outcome.OK
    assert (
        await ledger.move_status(
            db,
            item_id=999,
            expected_version=1,
            target=S.VERIFIED,
            actor_member_id=head,
            note=None,
            now=NOW,
            today=TODAY,
        )
    ).result is Outcome.GONE
    card = await ledger_queries.item_card(db, item_id)
    assert card is not None
    assert card.item.status == S.VERIFIED and card.item.version == 6
    assert card.item.rectified_by_member_id == head and card.item.verified_at == NOW
    assert card.evidence_count == 1
    assert [p.kind for p in card.progress] == ["rectified", "rejected", "rectified"]
    events = await audit.events_for(db, "ledger_item", item_id)
    assert [(e.from_value, e.to_value) for e in events if e.action == "ledger.status"] == [
        ("open", "in_progress"),
        ("in_progress", "rectified"),
        ("rectified", "in_progress"),
        ("in_progress", "rectified"),
        ("rectified", "verified"),
    ]
    assert all(e.actor_member_id == head for e in events if e.action == "ledger.status")
    refused = await ledger.add_progress(
        db, item_id=item_id, note="晚了", actor_member_id=head, now=NOW, today=TODAY
    )
    assert refused.result is Outcome.FINAL  # verified items take no more notes


async def test_deadline_changes_keep_the_history(db: Database) -> None:
    s1, _s2, head = await setup(db)
    item_id = await add(db, s1)
    change = await ledger.change_deadline(
        db,
        item_id=item_id,
        expected_version=1,
        new_deadline=date(2027, 6, 1),
        reason="等审计",
        actor_member_id=head,
        now=NOW,
    )
    assert change.result is Outcome.OK
    stale = await ledger.change_deadline(
        db,
        item_id=item_id,
        expected_version=1,
        new_deadline=date(2027, 7, 1),
        reason="again",
        actor_member_id=head,
        now=NOW,
    )
    assert stale.result is Outcome.STALE
    card = await ledger_queries.item_card(db, item_id)
    assert card is not None and card.item.deadline == date(2027, 6, 1)
    [moved] = card.deadline_changes
    assert (moved.old_deadline, moved.new_deadline, moved.reason) == (
        date(2027, 5, 1),
        date(2027, 6, 1),
        "等审计",
    )
    events = await audit.events_for(db, "ledger_item", item_id)
    assert ("2027-05-01", "2027-06-01") in [(e.from_value, e.to_value) for e in events]


async def test_measure_and_responsible_edits(db: Database) -> None:
    s1, s2, head = await setup(db)
    item_id = await add(db, s1)
    done = await ledger.set_measure(
        db, item_id=item_id, expected_version=1, measure="新措施", actor_member_id=head, now=NOW
    )
    assert done.result is Outcome.OK and done.item and done.item.measure == "新措施"
    done = await ledger.set_responsible(
        db,
        item_id=item_id,
        expected_version=2,
        member_id=head,
        name=None,
        actor_member_id=head,
        now=NOW,
    )
    assert done.result is Outcome.OK
    mine = await ledger_queries.items_for_responsible(db, head)
    assert [i.id for i in mine] == [item_id]
    card = await ledger_queries.item_card(db, item_id)
    assert card is not None and card.responsible == "校长"
    assert await ledger_queries.member_in_unit(db, head, s1) is not None
    assert await ledger_queries.member_in_unit(db, head, s2) is None


async def test_sign_off_versions_and_later_additions(db: Database) -> None:
    s1, s2, head = await setup(db)
    await add(db, s1)
    await add(db, s1)
    assert [u.code for u in await ledger_queries.unsigned_units(db)] == ["S1", "S2"]
    first = await ledger.sign_off(db, unit_id=s1, seen_version=0, member_id=head, now=NOW)
    assert first is not None and (first.version, first.item_count) == (1, 2)
    assert await ledger.sign_off(db, unit_id=s1, seen_version=0, member_id=head, now=NOW) is None
    later = await add(db, s1, "新增")
    card = await ledger_queries.item_card(db, later)
    assert card is not None and card.item.added_after_signoff
    second = await ledger.sign_off(
        db, unit_id=s1, seen_version=1, member_id=head, now=NOW + timedelta(days=1)
    )
    assert second is not None and (second.version, second.item_count) == (2, 3)
    assert [u.code for u in await ledger_queries.unsigned_units(db)] == ["S2"]
    before = NOW - timedelta(days=1)
    assert [u.code for u in await ledger_queries.unsigned_units(db, by=before)] == ["S1", "S2"]
    events = await audit.events_for(db, "unit", s1)
    assert [e.to_value for e in events if e.action == "ledger.signoff"] == ["1:2", "2:3"]
    summaries, total = await ledger_queries.unit_summaries(db, 0, 10)
    assert total == 2
    assert [(s.unit.code, s.total, s.signed_version) for s in summaries] == [
        ("S1", 3, 2),
        ("S2", 0, 0),
    ]
    assert s2


async def test_pages_clamp_and_cover_every_item(db: Database) -> None:
    s1, _s2, _head = await setup(db)
    for i in range(23):
        await add(db, s1, f"问题{i}")
    seen = []
    for offset in range(0, 30, 10):
        page = await ledger_queries.page_of_items(db, s1, offset, 10)
        seen += [i.seq for i in page.items]
    assert seen == list(range(1, 24))
    beyond = await ledger_queries.page_of_items(db, s1, 500, 10)
    assert beyond.offset == 20 and [i.seq for i in beyond.items] == [21, 22, 23]
