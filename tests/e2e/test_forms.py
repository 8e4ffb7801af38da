"""Forms through the real bot and the simulator: a unit head's monthly report answered from
its reminder (a typed number, a wrong input, a choice with a condition, a skipped file), the
missing list and a chase; the public's survey from a unit's link answered twice and counted
once with nothing identifying stored; a monitor rating three units; a unit head's draft
surviving a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from simulator import BotApiSimulator
from storage.membership import units
from storage.models import FormAnswer, FormPublicMark, FormRespondent
from tests.e2e.conftest import ADMIN_ID, TOKEN
from tests.e2e.reminder_support import world


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour - 8, minute, tzinfo=UTC)


async def test_a_monthly_report_its_reminders_the_missing_list_and_a_chase(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, start=shanghai(3, 22, 10)) as w:  # Monday, due Thursday 25th
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        head, other = w.sim.add_user("李校长"), w.sim.add_user("王校长")
        await w.register(head, Role.UNIT_HEAD)
        await w.register(other, Role.UNIT_HEAD, unit="SCH002")
        await w.engine.sweep_once()
        reminder = await w.sim.next_message(head)
        assert "月度整改进展报送" in reminder.text and "2027年3月25日" in reminder.text
        await w.sim.next_message(other)

        await w.sim.press_button(head, "去填报")
        first = await w.sim.next_message(head)
        assert "第 1 题，共 3 题" in first.text and "本月完成整改的问题数" in first.text
        await w.sim.send_text(head, "五条")
        assert "这不是数字" in (await w.sim.next_message(head)).text
        await w.sim.next_message(head)  # the question again
        await w.sim.send_text(head, "５")
        choice = await w.sim.next_message(head)
        assert ["是", "否"] in choice.buttons
        await w.sim.press_button(head, "否")
        follow = await w.sim.next_message(head)
        assert "未按计划推进的原因" in follow.text and "第 3 题，共 4 题" in follow.text
        await w.sim.send_text(head, "食堂改造工程延期，下月完成")
        optional = await w.sim.next_message(head)
        assert "（选答）" in optional.text
        await w.sim.press_button(head, "跳过")
        summary = await w.sim.next_message(head)
        assert "5" in summary.text and "否" in summary.text and "（未答）" in summary.text
        await w.sim.press_button(head, "✅ 提交")
        assert "已提交" in (await w.sim.next_message(head)).text

        # The same head again: once per period.
        await w.sim.send_command(head, "/forms")
        listed = await w.sim.next_message(head)
        await w.sim.press_button(head, listed.buttons[0][0])
        assert "已填报过" in (await w.sim.next_message(head)).text

        # Staff: who has not answered, then a chase through the outbox.
        await w.sim.send_command(admin, "/forms")
        menu = await w.sim.next_message(admin)
        await w.sim.press_button(admin, "📋 月度整改进展报送")
        page = await w.sim.next_message(admin)
        assert "已填报：1 / 2" in page.text and "王校长" in page.text and "李校长" not in page.text
        # A member pressing the staff page's button learns nothing.
        assert menu.inline_keyboard
        await w.sim.press_button(admin, "⏰ 催报未填报人员")
        await w.engine.sweep_once()
        chased = await w.sim.next_message(other)
        assert "整顿办提醒您填报" in chased.text

        async with w.db.session() as session:
            saved = (await session.exec(select(FormAnswer))).all()
        assert len(saved) == 1 and saved[0].member_id is not None and not saved[0].late
        assert '"items_done": 5' in saved[0].answers and "delay_reason" in saved[0].answers

        # After the due day: the late notice and the staff chat's missing list, once.
        w.clock.set(shanghai(3, 26, 10))
        await w.engine.sweep_once()
        await w.engine.sweep_once()
        late = await w.sim.next_message(other)
        assert "逾期" in late.text
        listed_units = await w.sim.next_message(w.staff)
        assert "城关第二小学" in listed_units.text and "城关第一中学" not in listed_units.text


async def test_a_public_survey_answered_twice_is_counted_once_and_names_nobody(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, start=shanghai(3, 22, 10)) as w:
        unit = await units.by_code(w.db, "SCH001")
        assert unit is not None and unit.id is not None
        parent = w.sim.add_user("赵家长", username="zhao_parent")
        link = f"form-parent_satisfaction-{unit.id}"

        async def answer_once() -> str:
            await w.sim.send_command(parent, "/start", link)
            intro = await w.sim.next_message(parent)
            if "已填写过" in intro.text:
                return intro.text
            assert "匿名" in intro.text and "城关第一中学" in intro.text
            await w.sim.next_message(parent)
            await w.sim.press_button(parent, "4")
            await w.sim.next_message(parent)
            await w.sim.press_button(parent, "没有")
            await w.sim.next_message(parent)
            await w.sim.send_text(parent, "老师很负责")
            await w.sim.next_message(parent)
            await w.sim.press_button(parent, "✅ 提交")
            return (await w.sim.next_message(parent)).text

        assert "已提交" in await answer_once()
        assert "已填写过" in await answer_once()
        async with w.db.session() as session:
            saved = (await session.exec(select(FormAnswer))).all()
            marks = (await session.exec(select(FormPublicMark))).all()
            respondents = (await session.exec(select(FormRespondent))).all()
        assert len(saved) == 1 and len(marks) == 1 and respondents == []
        answer = saved[0]
        assert answer.id is not None and answer.id < 0
        assert answer.member_id is None and answer.submitted_at is None
        assert str(parent.id) not in marks[0].mark  # a keyed hash (see test_anonymity.py)
        # Nothing of the survey stays in the person's chat data.
        assert not w.app.chat_data.get(parent.id)


async def test_a_monitor_rates_three_units(tmp_path: Path) -> None:
    async with world(tmp_path, start=shanghai(3, 22, 10)) as w:
        await units.import_units(
            w.db,
            [(5, UnitRow("SCH003", "城关第三小学", UnitKind.SCHOOL, "D01"))],
            now=w.clock.now(),
        )
        monitor = w.sim.add_user("孙评议员")
        await w.register(monitor, Role.MONITOR, unit="D01")
        for index, school in enumerate(("城关第一中学", "城关第二小学", "城关第三小学")):
            await w.sim.send_command(monitor, "/forms")
            await w.sim.next_message(monitor)
            await w.sim.press_button(monitor, "✍ 行风评议")
            which = await w.sim.next_message(monitor)
            assert [school] in which.buttons or any(school in row for row in which.buttons)
            await w.sim.press_button(monitor, school)
            await w.sim.next_message(monitor)
            await w.sim.press_button(monitor, str(6 + index))
            await w.sim.next_message(monitor)
            await w.sim.send_text(monitor, "2027-03-20")
            await w.sim.next_message(monitor)
            await w.sim.send_text(monitor, "服务规范")
            await w.sim.next_message(monitor)
            await w.sim.press_button(monitor, "✅ 提交")
            assert "已提交" in (await w.sim.next_message(monitor)).text
        async with w.db.session() as session:
            saved = (await session.exec(select(FormRespondent))).all()
        assert len({r.unit_id for r in saved}) == 3
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        await w.sim.send_command(admin, "/forms")
        await w.sim.next_message(admin)
        await w.sim.press_button(admin, "📋 行风评议")
        page = await w.sim.next_message(admin)
        # Scores on 0-100 from the 1-10 scale: 6 -> 56, 7 -> 67, 8 -> 78.
        assert "城关第一中学：56" in page.text and "城关第三小学：78" in page.text


async def test_a_draft_survives_a_restart(tmp_path: Path) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_test_bot") as sim:
        staff = sim.add_group("局作风办工作群", supergroup=True)
        head = sim.add_user("周校长")
        async with world(tmp_path, start=shanghai(3, 22, 10), sim=sim, staff=staff) as w:
            await w.register(head, Role.UNIT_HEAD)
            await sim.send_command(head, "/forms")
            await sim.next_message(head)
            await sim.press_button(head, "✍ 月度整改进展报送")
            await sim.next_message(head)
            await sim.send_text(head, "3")
            await sim.next_message(head)  # the choice question: then the bot stops
        restart = shanghai(3, 22, 11)
        async with world(tmp_path, start=restart, sim=sim, staff=staff, fresh=False) as again:
            await sim.press_button(head, "是")
            optional = await sim.next_message(head)
            assert "佐证材料" in optional.text
            await sim.send_photo(head, b"photo-bytes")
            summary = await sim.next_message(head)
            assert "3" in summary.text and "照片一张" in summary.text
            await sim.press_button(head, "✏️ 修改回答")
            which = await sim.next_message(head)
            await sim.press_button(head, which.buttons[0][0])
            await sim.next_message(head)
            await sim.send_text(head, "4")
            changed = await sim.next_message(head)  # back to the summary, not the next question
            assert "请核对" in changed.text and "\n  4\n" in changed.text
            await sim.press_button(head, "✅ 提交")
            assert "已提交" in (await sim.next_message(head)).text
            async with again.db.session() as session:
                saved = (await session.exec(select(FormAnswer))).one()
            assert '"items_done": 4' in saved.answers and '"on_track": "yes"' in saved.answers
