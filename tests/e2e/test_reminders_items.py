"""Ledger items going overdue (chased every 2 days, escalated to the staff chat after five
working days, listed in the head's weekly digest), a complaint's acknowledgement clock, and
the phase 2 start notice in the unit group — through the real bot and the simulator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from domain.membership.roles import Role
from storage.reminders import outbox as reminders
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.reminder_support import world


def nine(month: int, day: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, 1, minute, tzinfo=UTC)  # 09:00 in Shanghai


async def test_item_due_overdue_chased_escalated_then_quiet(tmp_path: Path) -> None:
    async with world(tmp_path, start=nine(4, 8)) as w:
        teacher, head = w.sim.add_user("张老师"), w.sim.add_user("李校长")
        teacher_id = await w.register(teacher, Role.MEMBER)
        await w.register(head, Role.UNIT_HEAD)
        item_id = await w.add_item("SCH001", date(2027, 4, 9), responsible=teacher_id)

        w.clock.set(nine(4, 9))
        await w.engine.sweep_once()
        due_today = await w.sim.next_message(teacher)
        assert "今天到期" in due_today.text and "食堂账目未公开" in due_today.text
        assert due_today.inline_keyboard[0][0]["callback_data"] == f"ledger:v1:o:{item_id}"
        assert "今天到期" in (await w.sim.next_message(head)).text
        # the reminder's button opens the item's card in the ledger
        await w.sim.press_button(teacher, due_today.buttons[0][0], chat=teacher)
        card = await w.sim.wait_edit(teacher)
        assert "第 1 项 · 城关第一中学" in card.text and "食堂账目未公开" in card.text

        w.clock.set(nine(4, 10))
        await w.engine.sweep_once()
        chased = await w.sim.next_message(teacher)
        assert "逾期 1 天" in chased.text and "2027年4月9日" in chased.text
        await w.sim.next_message(head)

        w.clock.set(nine(4, 11))  # every 2 days: nothing on the 11th
        await w.engine.sweep_once()
        w.clock.set(nine(4, 12))  # Monday: chase, and the head's weekly list, in one digest
        await w.engine.sweep_once()
        assert "逾期 3 天" in (await w.sim.next_message(teacher)).text
        digest = await w.sim.next_message(head)
        # the weekly list names the item, so the item's own chase is not a second line
        assert "本周逾期" in digest.text and digest.text.count("食堂账目未公开") == 1
        assert len(w.sim.bot_messages(head)) == 1 + 3

        w.clock.set(datetime(2027, 4, 16, 0, 59, tzinfo=UTC))  # 08:59: the missed chase only
        await w.engine.sweep_once()
        assert "逾期 7 天" in (await w.sim.next_message(teacher)).text  # as late as it is today
        assert w.sim.bot_messages(w.staff) == []
        w.clock.set(nine(4, 16))  # five working days after Friday April 9
        await w.engine.sweep_once()
        escalation = await w.sim.next_message(w.staff)
        assert "通报" in escalation.text and "城关第一中学" in escalation.text
        assert "逾期 7 天" in escalation.text
        assert escalation.inline_keyboard[0][0]["callback_data"] == f"ledger:v1:o:{item_id}"

        await w.set_item(item_id, status="rectified")
        w.clock.set(nine(4, 20))
        await w.engine.sweep_once()
        # The 09:00 chase of the 16th waited for the next day's digest (one a day), and the
        # item was rectified meanwhile: it is cancelled, not sent.
        assert len(w.sim.bot_messages(teacher)) == 1 + 4
        assert len(w.sim.bot_messages(w.staff)) == 1
        rows = await reminders.rows(w.db, recipient=f"member:{teacher_id}")
        assert [r.state for r in rows][-1] == "cancelled"
        assert {r.state for r in rows[:-1]} == {"sent"}


async def test_a_complaint_acknowledgement_clock_warns_then_escalates(tmp_path: Path) -> None:
    async with world(tmp_path, start=nine(5, 1)) as w:
        handler = w.sim.add_user("赵干事")
        handler_id = await w.register(handler, Role.CASE_OFFICER, "EDU")
        await w.add_case("complaint", date(2027, 5, 1), owner=handler_id, number="TS-2027-0001")
        w.clock.set(nine(5, 4))
        await w.engine.sweep_once()
        assert len(w.sim.bot_messages(handler)) == 1
        w.clock.set(nine(5, 5))
        await w.engine.sweep_once()
        warning = await w.sim.next_message(handler)
        assert "TS-2027-0001" in warning.text and "50%" in warning.text
        assert "2027年5月8日" in warning.text
        w.clock.set(nine(5, 8))
        await w.engine.sweep_once()
        assert "100%" in (await w.sim.next_message(handler)).text
        w.clock.set(nine(5, 9))
        await w.engine.sweep_once()
        escalation = await w.sim.next_message(w.staff)
        assert "TS-2027-0001" in escalation.text and "未在2027年5月8日前签收" in escalation.text


async def test_phase_two_start_notice_in_the_unit_group_and_staff_chat(tmp_path: Path) -> None:
    async with world(tmp_path, start=datetime(2027, 3, 1, 1, 0, tzinfo=UTC)) as w:
        admin = w.sim.add_user("局管理员", user_id=ADMIN_ID)
        group = w.sim.add_group("城关一中工作群", supergroup=True)
        await w.sim.send_command(admin, "/bindgroup", "SCH001", chat=group)
        await w.sim.next_message(group)
        w.clock.set(datetime(2027, 3, 3, 1, 0, tzinfo=UTC))
        await w.engine.sweep_once()
        first, second = await w.sim.next_message(group), await w.sim.next_message(group)
        texts = sorted([first.text, second.text])
        assert "“学习动员”阶段还有 2 天结束" in texts[0]  # counted on the day it is sent
        assert "“自查自纠”阶段将于 3 天后（2027年3月6日）开始" in texts[1]
        w.clock.set(datetime(2027, 3, 6, 1, 0, tzinfo=UTC))
        await w.engine.sweep_once()
        notice = await w.sim.next_message(group)
        assert "自查自纠" in notice.text and "今天" in notice.text
        assert "问题清单" in notice.text  # what the phase asks, from the config
        staff_texts = [m.text for m in w.sim.bot_messages(w.staff)]
        assert any("自查自纠" in text and "今天" in text for text in staff_texts)


async def test_overdue_command_and_the_pause_switch(tmp_path: Path) -> None:
    async with world(tmp_path, start=nine(4, 20)) as w:
        admin = w.sim.add_user("局管理员", user_id=ADMIN_ID)
        head, teacher = w.sim.add_user("李校长"), w.sim.add_user("张老师")
        await w.register(head, Role.UNIT_HEAD)
        await w.register(teacher, Role.MEMBER)
        for n in range(12):
            await w.add_item("SCH001", date(2027, 4, 1), description=f"问题{n}")
        await w.add_item("SCH002", date(2027, 4, 2), description="<b>别校</b>问题")
        await w.sim.send_command(admin, "/overdue")
        page = await w.sim.next_message(admin)
        assert "共 13 项" in page.text and "第 1/2 页" in page.text
        assert "城关第一中学" in page.text
        await w.sim.press_button(admin, "下一页 ▶")
        page = await w.sim.wait_edit(admin)
        assert "<b>别校</b>问题" in page.text  # shown literally
        await w.sim.send_command(head, "/overdue")
        own = await w.sim.next_message(head)
        assert "共 12 项" in own.text and "别校" not in own.text
        await w.sim.send_command(teacher, "/overdue")
        assert "只有" in (await w.sim.next_message(teacher)).text

        await w.sim.send_command(head, "/overdue", "pause SCH001")
        assert "只有管理员" in (await w.sim.next_message(head)).text
        await w.sim.send_command(admin, "/overdue", "pause SCH001")
        assert "已暂停" in (await w.sim.next_message(admin)).text
        w.clock.set(nine(4, 21))
        await w.engine.sweep_once()
        assert len(w.sim.bot_messages(head)) == 3  # welcome, the list, the refusal
        await w.sim.send_command(admin, "/overdue", "resume SCH001")
        assert "已恢复" in (await w.sim.next_message(admin)).text
        await w.engine.sweep_once()
        assert "逾期" in (await w.sim.next_message(head)).text
