"""Unannounced inspections through the real bot and the simulator: an admin opens a round and
puts a member on the inspection team; the inspector records a finding with /inspect (unit
search, category, description, photo, time); it is a "finding" case on the staff desk, which
accepts it and dispatches it to the unit's ledger with a deadline; /round counts it per unit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from domain.membership.roles import Role
from storage.models import Case, Evidence, InspectionFinding, LedgerItem
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.reminder_support import world

ACCEPT = "受理（由我负责）"
MONDAY_NINE = datetime(2027, 4, 12, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


async def test_a_finding_becomes_a_ledger_item(tmp_path: Path) -> None:
    async with world(tmp_path, start=MONDAY_NINE) as w:
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        inspector, handler, head = (
            w.sim.add_user("孙督查"),
            w.sim.add_user("人事股刘干事"),
            w.sim.add_user("郑校长"),
        )
        await w.register(inspector, Role.MEMBER, "EDU")
        await w.register(handler, Role.CASE_OFFICER, "EDU")
        await w.register(head, Role.UNIT_HEAD, "SCH002")

        await w.sim.send_command(inspector, "/inspect")
        assert "督查组" in (await w.sim.next_message(inspector)).text
        await w.sim.send_command(admin, "/round", "new 春季明察暗访")
        assert "春季明察暗访" in (await w.sim.next_message(admin)).text
        await w.sim.send_command(admin, "/inspector", "EDU")
        team = await w.sim.next_message(admin)
        await w.sim.press_button(admin, "☐ 孙督查")
        await w.sim.wait_edit(team)
        assert ["☑ 孙督查"] in team.buttons

        await w.sim.send_command(inspector, "/inspect")
        await w.sim.next_message(inspector)  # which unit?
        await w.sim.send_text(inspector, "第二")
        found = await w.sim.next_message(inspector)
        await w.sim.press_button(inspector, found.buttons[0][0])
        categories = await w.sim.next_message(inspector)
        fees = next(
            b["text"]
            for row in categories.inline_keyboard
            for b in row
            if b["callback_data"].endswith(":insp_illegal_fees")
        )
        await w.sim.press_button(inspector, fees)
        await w.sim.next_message(inspector)
        await w.sim.send_text(inspector, "向学生收取资料费每人50元。")
        done_prompt = await w.sim.next_message(inspector)
        await w.sim.send_photo(inspector, b"photo-bytes")
        await w.sim.next_message(inspector)
        await w.sim.press_button(inspector, done_prompt.buttons[0][0])
        when = await w.sim.next_message(inspector)
        await w.sim.send_text(inspector, "08:40")
        summary = await w.sim.next_message(inspector)
        assert "城关第二小学" in summary.text and "08:40" in summary.text
        await w.sim.press_button(inspector, summary.buttons[0][0])
        filed = await w.sim.next_message(inspector)
        assert "F-2027-0001" in filed.text
        assert "F-2027-0001" in (await w.sim.next_message(w.staff)).text
        assert when.buttons

        async with w.db.session() as session:
            case = (await session.exec(select(Case).where(Case.number == "F-2027-0001"))).one()
            link = await session.get(InspectionFinding, case.id)
            photos = (await session.exec(select(Evidence).where(Evidence.case_id == case.id))).all()
        assert case.kind == "finding" and case.status == "received"
        assert case.category_key == "insp_illegal_fees" and "资料费" in case.description
        assert link is not None and len(photos) == 1

        # The staff desk: accept and dispatch it to the unit, like a report.
        await w.sim.send_command(handler, "/inbox")
        listing = await w.sim.next_message(handler)
        label = next(b for row in listing.buttons for b in row if "F-2027-0001" in b)
        await w.sim.press_button(handler, label)
        await w.sim.next_message(handler)
        await w.sim.press_button(handler, ACCEPT)
        await w.sim.wait_edit(handler)
        await w.sim.press_button(handler, "交办给责任单位")
        prompt = await w.sim.next_message(handler)
        await w.sim.send_text(handler, "4月30日", reply_to=prompt)
        second = await w.sim.next_message(handler)
        await w.sim.send_text(handler, "退还违规收取的费用。", reply_to=second)
        await w.sim.next_message(handler)
        assert "F-2027-0001" in (await w.sim.next_message(head)).text
        async with w.db.session() as session:
            item = (
                await session.exec(select(LedgerItem).where(LedgerItem.source_case_id == case.id))
            ).one()
        assert item.deadline is not None and item.deadline.isoformat() == "2027-04-30"
        assert item.requirement == "退还违规收取的费用。"

        await w.sim.send_command(admin, "/round")
        counts = (await w.sim.next_message(admin)).text
        assert "春季明察暗访" in counts and "城关第二小学：1" in counts
