"""The audit log as the office reads it, on every backend: the file (xlsx and CSV) names each
action and subject in Chinese, never by its code, a status set by hand with both statuses in
words; a complaint's rows are the staff's only, the complainant's own acts leave none."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook  # type: ignore[import-untyped]

from domain.audit import AuditAction, AuditSubject
from domain.campaign import Campaign
from domain.cases.lifecycle import CaseStatus
from domain.hotline import receipts
from domain.membership.roles import Role
from handlers.i18n import Catalogs
from handlers.stats.export import FILE_LANGUAGE, file_labels
from storage import audit
from storage.audit import AuditFilter
from storage.cases import complaint_staff, complaints, reports
from storage.db import Database
from storage.stats.files import Format, Heading, write_export
from tests.storage.test_complaints import DAY, POLICY, new
from tests.storage.test_reports import NOW, TODAY, People, file, people

__all__ = ["people"]  # the fixture, re-used

TZ = ZoneInfo("Asia/Shanghai")
CODES = {*AuditAction, *AuditSubject}


async def _export(db: Database, fmt: Format, where: AuditFilter) -> list[dict[str, Any]]:
    t = Catalogs(default_language="zh_CN", timezone=TZ).get(FILE_LANGUAGE)
    out = io.BytesIO()
    await write_export(
        out,
        what="audit",
        fmt=fmt,
        batches=audit.audit_rows(db, where=where, tz=TZ),
        labels=file_labels(t, Campaign("整顿", (), (), ())),
        heading=Heading("整顿", DAY),
    )
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    sheet = load_workbook(io.BytesIO(out.getvalue()))["操作日志"]
    table = list(sheet.iter_rows(values_only=True))
    return [dict(zip(table[1], row, strict=True)) for row in table[2:]]


async def test_the_file_reads_in_chinese_and_keeps_the_complainant_out(
    db: Database, people: People
) -> None:
    handler = people.handler.id
    filed = await file(db, people)
    await reports.set_status(
        db,
        case_id=filed.case_id,
        to=CaseStatus.ACCEPTED,
        actor_member_id=handler,
        actor_role=Role.CASE_OFFICER,
        today=TODAY,
        now=NOW,
    )
    complaint = await complaints.file_complaint(
        db, new(), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    later = NOW + timedelta(hours=1)
    await complaint_staff.reply(
        db, complaint.pseudonym, "已核实", member_id=handler, now=later, today=DAY
    )
    # The complainant adds information (the answer reopens): no audit row, no line in the file.
    assert await complaints.add_information(db, complaint.case_id, "还有一次", today=DAY)
    await complaint_staff.set_hold(
        db, complaint.pseudonym, on=True, member_id=handler, today=DAY, now=later
    )

    for fmt in ("xlsx", "csv"):
        rows = await _export(db, fmt, AuditFilter())  # type: ignore[arg-type]
        assert rows
        for row in rows:  # no code left in the columns the office reads
            assert row["操作"] not in CODES and row["对象"] not in CODES, (fmt, row)
        by_action = {row["操作"]: row for row in rows}
        assert {"新增单位", "生成邀请", "通过邀请加入", "提交实名反映"} <= set(by_action)
        changed = by_action["实名反映状态变更：已收到 → 已受理"]
        assert changed["对象"] == "案件" and changed["编号"] == filed.number
        assert (changed["原值"], changed["新值"]) == ("已收到", "已受理")
        assert by_action["提交实名反映"]["新值"] == "已收到"
        assert by_action["新增单位"]["对象"] == "单位"

        mine = await _export(db, fmt, AuditFilter(case_number=complaint.pseudonym))  # type: ignore[arg-type]
        assert [(r["操作"], r["对象"], r["操作人"]) for r in mine] == [
            ("答复投诉", "投诉", "人事股"),
            ("投诉冻结留存（暂停到期清除）", "投诉", "人事股"),
        ]
        assert (mine[0]["原值"], mine[0]["新值"]) == ("已收到", "已答复")
