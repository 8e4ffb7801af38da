"""The office's workbooks on every backend: the ledger's requirement, source, evidence count,
sign-off and returned items; the "124" sheet's 在校 / 请假 / 未签到 per duty night; the audit
log by case, unit and days, a complaint's events with their day only."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlmodel import select

from domain.duties.checkin import DutyPolicy
from domain.membership.units import UnitKind, UnitRow
from storage import audit
from storage.audit import AuditFilter
from storage.db import Database
from storage.duties import checkins
from storage.membership import units
from storage.models import (
    Absence,
    BoardingSchool,
    Cadre,
    Case,
    CheckIn,
    Evidence,
    LedgerItem,
    Member,
    SignOff,
)
from storage.stats import exports
from storage.stats.files import Heading, Labels, write_export
from tests.stats_seed import NOW, seed

TZ = ZoneInfo("Asia/Shanghai")
LABELS = Labels(
    category=lambda key: key,
    ledger_status=lambda s: {"returned": "已退单", "verified": "已销号"}.get(s, s),
    case_status=lambda s: s,
    case_kind=lambda k: {"complaint": "投诉", "report": "问题反映", "finding": "督查发现"}[k],
    self_inspection="自查",
    tz=TZ,
)
HEADING = Heading("教文广新体系统干部作风整顿", date(2027, 3, 10))
MONDAY, TUESDAY = date(2027, 3, 1), date(2027, 3, 2)


async def _setup(db: Database) -> tuple[int, int]:
    await units.import_units(
        db,
        [
            (2, UnitRow("EDU", "局", UnitKind.BUREAU, None)),
            (3, UnitRow("S1", "一中", UnitKind.SCHOOL, "EDU")),
            (4, UnitRow("S2", "二小", UnitKind.SCHOOL, "EDU")),
        ],
        now=NOW,
    )
    s1, s2 = await units.by_code(db, "S1"), await units.by_code(db, "S2")
    assert s1 and s2 and s1.id and s2.id
    await seed(db, s1.id, s2.id)
    async with db.session() as session:
        items = {
            i.seq: i
            for i in (
                await session.exec(select(LedgerItem).where(LedgerItem.unit_id == s1.id))
            ).all()
        }
        items[3].requirement = "=立即整改，月底前书面报告"  # typed by the bureau, stays text
        session.add(items[3])
        for n in range(2):
            session.add(
                Evidence(
                    ledger_item_id=items[1].id,
                    kind="photo",
                    telegram_file_id=f"file-{n}",
                    added_on=date(2027, 3, 8),
                )
            )
        session.add(
            LedgerItem(
                unit_id=s1.id,
                seq=4,
                category_key="slow",
                description="不属本单位",
                status="returned",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        for version, at in ((1, datetime(2027, 3, 3, 1, 0, tzinfo=UTC)), (2, NOW)):
            session.add(SignOff(unit_id=s1.id, version=version, item_count=3, at=at))
        await session.commit()
    return s1.id, s2.id


async def _batches(rows: Sequence[Any]) -> AsyncIterator[Sequence[Any]]:
    yield rows


async def _workbook(what: str, batches: AsyncIterator[Any], **options: Any) -> Any:
    out = io.BytesIO()
    await write_export(
        out,
        what=what,  # type: ignore[arg-type]
        fmt="xlsx",
        batches=batches,
        labels=LABELS,
        heading=HEADING,
        **options,
    )
    return load_workbook(io.BytesIO(out.getvalue()))


def _table(sheet: Any) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]


async def test_the_ledger_carries_requirement_source_evidence_and_sign_off(db: Database) -> None:
    await _setup(db)
    book = await _workbook("ledger", exports.ledger_rows(db, returned=True))
    sheet = book["整改台账"]
    assert sheet["A1"].value == "教文广新体系统干部作风整顿 整改台账（截至2027年3月10日）"
    assert sheet.auto_filter.ref == "A2:O7" and sheet.print_title_rows == "$2:$2"
    rows = _table(sheet)
    s1 = [r for r in rows if r["单位"] == "一中"]
    assert [r["序号"] for r in s1] == [1, 2, 3, 4]
    dispatched = s1[2]
    assert dispatched["来源"] == "投诉 C-AB12" and dispatched["整改要求"].startswith("=立即")
    assert sheet.cell(row=5, column=6).data_type == "s"  # never a formula
    assert s1[0]["来源"] == "自查" and s1[0]["佐证材料"] == 2 and s1[1]["佐证材料"] == 0
    # the unit's latest sign-off, in local time (09:00 in Shanghai)
    assert {r["签字版本"] for r in s1} == {"第2版"}
    assert s1[0]["签字时间"] == datetime(2027, 3, 10, 9, 0)
    assert s1[3]["状态"] == "已退单"  # a returned item stays visible, with its status
    s2 = [r for r in rows if r["单位"] == "二小"]
    assert s2[0]["签字版本"] is None and s2[0]["签字时间"] is None
    # without `returned` (the list a unit signs) the returned item is left out
    plain = [r async for batch in exports.ledger_rows(db) for r in batch]
    assert len(plain) == 4


async def _cadre(db: Database, unit_id: int, name: str, user: int) -> int:
    async with db.session() as session:
        member = Member(
            telegram_user_id=user,
            display_name=name,
            unit_id=unit_id,
            role="member",
            joined_at=NOW,
            updated_at=NOW,
        )
        session.add(member)
        await session.flush()
        assert member.id is not None
        session.add(Cadre(member_id=member.id, marked_at=datetime(2027, 2, 28, 2, tzinfo=UTC)))
        await session.commit()
        return member.id


async def test_the_124_sheet_lists_each_duty_night_per_cadre(db: Database) -> None:
    s1, _ = await _setup(db)
    async with db.session() as session:
        session.add(BoardingSchool(unit_id=s1, marked_at=datetime(2027, 2, 28, 2, tzinfo=UTC)))
        await session.commit()
    at_school = await _cadre(db, s1, "甲老师", 901)
    on_leave = await _cadre(db, s1, "乙老师", 902)
    await _cadre(db, s1, "丙老师", 903)
    async with db.session() as session:
        session.add(
            CheckIn(
                member_id=at_school,
                unit_id=s1,
                day=MONDAY,
                checked_at=datetime(2027, 3, 1, 12, 5, tzinfo=UTC),  # 20:05 in Shanghai
                location_shared=True,
                distance_m=40,
            )
        )
        session.add(
            Absence(
                member_id=on_leave,
                unit_id=s1,
                first_day=MONDAY,
                last_day=TUESDAY,
                reason="培训",
                status="approved",
                requested_at=NOW,
            )
        )
        await session.commit()
    extra = await checkins.checkin_sheet(
        db, unit_id=s1, tz=TZ, policy=DutyPolicy(timezone=TZ), last=date(2027, 3, 3)
    )
    book = await _workbook("ledger", _batches([]), extra_sheets=[extra])
    sheet = book["124住校值守"]
    rows = [
        (r["日期"].date(), r["姓名"], r["情况"], r["签到时间"], r["共享位置"])
        for r in _table(sheet)
    ]
    # Monday and Tuesday are duty nights; Wednesday (the 3rd) is not.
    assert rows == [
        (MONDAY, "甲老师", "在校", "20:05", "是"),
        (MONDAY, "乙老师", "请假", None, None),
        (MONDAY, "丙老师", "未签到", None, None),
        (TUESDAY, "乙老师", "请假", None, None),
        (TUESDAY, "丙老师", "未签到", None, None),
        (TUESDAY, "甲老师", "未签到", None, None),
    ]
    assert sheet.page_setup.orientation == "landscape"
    other = await checkins.checkin_sheet(
        db, unit_id=s1 + 1, tz=TZ, policy=DutyPolicy(timezone=TZ), last=date(2027, 3, 3)
    )
    assert other[2] == []  # another unit's export shows none of these cadres


async def _audit_seed(db: Database) -> None:
    async with db.session() as session:
        cases = {c.number: c for c in (await session.exec(select(Case))).all()}
        item = (
            await session.exec(select(LedgerItem).where(LedgerItem.source_case_id.isnot(None)))  # type: ignore[union-attr]
        ).one()
        handler = Member(
            telegram_user_id=700,
            display_name="刘干事",
            unit_id=cases["R-0001"].unit_id or 0,
            role="case_officer",
            joined_at=NOW,
            updated_at=NOW,
        )
        session.add(handler)
        await session.flush()
        events = [
            ("report", cases["R-0001"].id, "case.status", datetime(2027, 3, 7, 3, 0, tzinfo=UTC)),
            ("complaint", "C-AB12", "complaint.hold", datetime(2027, 3, 2, 6, 45, tzinfo=UTC)),
            ("ledger_item", item.id, "ledger.status", datetime(2027, 3, 8, 2, 0, tzinfo=UTC)),
            (
                "unit",
                "S2",
                "unit.updated",
                datetime(2027, 3, 9, 2, 0, tzinfo=UTC),
            ),
        ]
        for subject_type, subject_id, action, at in events:
            audit.record(
                session,
                at=at,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                actor_member_id=handler.id,
                from_value="received",
                to_value="accepted",
            )
        await session.commit()


async def _audit(db: Database, where: AuditFilter) -> list[dict[str, Any]]:
    book = await _workbook("audit", audit.audit_rows(db, where=where, tz=TZ, batch=2))
    return _table(book["操作日志"])


async def test_the_audit_log_by_case_unit_and_days(db: Database) -> None:
    _, s2 = await _setup(db)
    await _audit_seed(db)
    everything = await _audit(db, AuditFilter())
    assert [r["操作"] for r in everything[:3]] == ["unit.added"] * 3  # the units' import
    everything = everything[3:]
    assert [r["操作"] for r in everything] == [
        "case.status",
        "complaint.hold",
        "ledger.status",
        "unit.updated",
    ]
    first = everything[0]
    assert first["时间"] == datetime(2027, 3, 7, 11, 0) and first["操作人"] == "刘干事"
    assert first["身份"] == "工作人员" and first["编号"] == "R-0001" and first["单位"] == "二小"
    assert (first["原值"], first["新值"]) == ("received", "accepted")
    # a complaint's event carries its day only
    assert everything[1]["时间"] == datetime(2027, 3, 2) and everything[1]["编号"] == "C-AB12"
    assert everything[2]["编号"] == "S1 #3" and everything[3]["编号"] == "S2"
    # by case: the complaint and the ledger item dispatched from it
    by_case = await _audit(db, AuditFilter(case_number="C-AB12"))
    assert [r["操作"] for r in by_case] == ["complaint.hold", "ledger.status"]
    assert await _audit(db, AuditFilter(case_number="NOPE")) == []
    by_unit = await _audit(db, AuditFilter(unit_id=s2))
    assert [r["操作"] for r in by_unit] == ["unit.added", "case.status", "unit.updated"]
    by_days = await _audit(db, AuditFilter(first=date(2027, 3, 7), last=date(2027, 3, 8)))
    assert [r["操作"] for r in by_days] == ["case.status", "ledger.status"]
    both = await _audit(db, AuditFilter(unit_id=s2, first=date(2027, 3, 9), last=date(2027, 3, 9)))
    assert [r["操作"] for r in both] == ["unit.updated"]
