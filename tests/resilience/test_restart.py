"""Conversations survive a restart (the report and the ledger form continue where they
stopped), the anonymous complaint's draft does not (and its writer is told), and an update
delivered again after a lost confirmation is not handled twice."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from domain.membership.roles import Role
from storage.db import Database
from storage.models import ConversationDraft, ConversationState
from storage.ops import persistence, processed_updates
from tests.e2e.ledger_steps import press, reply
from tests.e2e.report_helpers import file_report_until_summary, press_for_notice, submit
from tests.resilience.restarts import report_texts, restartable


async def _rows(db: Database) -> tuple[list[ConversationState], list[ConversationDraft]]:
    async with db.session() as session:
        states = list((await session.exec(select(ConversationState))).all())
        drafts = list((await session.exec(select(ConversationDraft))).all())
    return states, drafts


async def test_half_filled_report_and_ledger_forms_continue_after_a_restart(
    tmp_path: Path,
) -> None:
    async with restartable(tmp_path) as world:
        sim = world.sim
        teacher, head = sim.add_user("陈老师"), sim.add_user("李校长")
        async with world.bot() as h:
            await h.register(teacher)
            await h.register(head, Role.UNIT_HEAD)
            # The teacher stops after the description, the head after the problem's text.
            await h.ask(teacher, "/report")
            await sim.press_button(teacher, "散 · 纪律意识不牢固")
            await sim.next_message(teacher)
            await sim.press_button(teacher, "城关第一中学")
            await sim.next_message(teacher)
            await sim.send_text(teacher, "食堂卫生差，重启前写的。")
            assert "时间" in (await sim.next_message(teacher)).text
            await sim.send_command(head, "/ledger")
            await sim.next_message(head)
            await press(h, head, "➕ 新增问题")
            categories = await sim.next_message(head)
            await press(h, head, categories.buttons[0][0])
            await sim.next_message(head)
            assert "整改措施" in (await reply(h, head, "作业量过大")).text
        states, drafts = await _rows(world.db)
        assert sorted(s.name for s in states) == ["ledger", "report"]
        assert {d.user_id for d in drafts} == {teacher.id, head.id}

        async with world.bot() as h:
            # Same steps, same drafts: the report's remaining answers, then Submit.
            await sim.press_button(teacher, "跳过")
            await sim.next_message(teacher)
            await sim.press_button(teacher, "跳过")
            await sim.next_message(teacher)
            await sim.press_button(teacher, "否，可以署名")
            card = await sim.next_message(teacher)
            assert "食堂卫生差，重启前写的。" in card.text
            assert "已提交" in await submit(h, teacher)
            assert await report_texts(world.db) == ["食堂卫生差，重启前写的。"]
            # The ledger form asks for the deadline next and keeps the description.
            assert "整改时限" in (await reply(h, head, "约谈提醒，建立台账")).text
            assert (await reply(h, head, "5/1")).text == "责任人是谁？"
            await press(h, head, "未使用 Telegram 的人员")
            await sim.wait_edit(head)
            assert "佐证材料" in (await reply(h, head, "王主任")).text
            await press(h, head, "完成")
            await sim.wait_edit(head)
            item_card = await sim.next_message(head)
            assert "作业量过大" in item_card.text and "约谈提醒" in item_card.text
            await sim.wait_confirmed()
        # Ended conversations leave nothing behind.
        assert await _rows(world.db) == ([], [])


async def test_a_complaint_draft_is_not_kept_and_its_writer_is_told(tmp_path: Path) -> None:
    async with restartable(tmp_path) as world:
        sim = world.sim
        person = sim.add_user("匿名家长", user_id=7390152846)
        async with world.bot() as h:
            await h.ask(person, "/complain")
            await sim.press_button(person, "继续")
            await sim.wait_edit(sim.private_chat(person))
            assert (await sim.next_message(person)).buttons  # the category question
            await sim.wait_confirmed()
            assert await persistence.rows_mentioning(world.db, person.id) == 0
        async with world.bot() as h:
            category = sim.bot_messages(person)[-1].buttons[0][0]
            answer = await press_for_notice(h, person, category) or ""
            assert "投诉草稿没有保留" in answer, answer
            await sim.send_text(person, "学校乱收费")
            notice = (await sim.next_message(person)).text
            assert "草稿没有保留" in notice and "/complain" in notice, notice
            await sim.wait_confirmed()
        assert await persistence.rows_mentioning(world.db, person.id) == 0
        states, drafts = await _rows(world.db)
        assert states == [] and drafts == []


async def test_a_redelivered_submit_files_no_second_report(tmp_path: Path) -> None:
    async with restartable(tmp_path) as world:
        sim = world.sim
        teacher = sim.add_user("王老师")
        async with world.bot() as h:
            await h.register(teacher)
            await file_report_until_summary(h, teacher, description="重复提交测试")
            assert "已" in await submit(h, teacher)
            await sim.wait_confirmed()
            press_id = max(u["update_id"] for u in sim.updates if "callback_query" in u)
        sent = len(sim.bot_messages(teacher))
        answers = len(sim.callback_answers)
        # Telegram never got the confirmation (the process died): it delivers the press again.
        world.redeliver(press_id)
        async with world.bot() as h:
            await sim.wait_confirmed()
            assert await processed_updates.seen(world.db, press_id)
            assert "/report" in await h.ask(teacher, "/help")
        assert await report_texts(world.db) == ["重复提交测试"]
        assert len(sim.bot_messages(teacher)) == sent + 1  # only the /help answer
        assert len(sim.callback_answers) == answers


async def test_the_first_start_on_a_migrated_database_is_not_a_restart(tmp_path: Path) -> None:
    """A database that was only migrated (the CLI's `migrate`, a deployment step, or the test
    template) has handled no update: its first start tells nobody about a lost draft; the start
    after updates were handled does."""
    async with restartable(tmp_path) as world:
        sim = world.sim
        person = sim.add_user("路人", user_id=7390152847)
        async with world.bot():
            assert not await processed_updates.any_handled(world.db)
            await sim.send_text(person, "你好")
            first = (await sim.next_message(person)).text
            assert "重启" not in first, first
            await sim.wait_confirmed()
        assert await processed_updates.any_handled(world.db)
        async with world.bot():
            await sim.send_text(person, "你好")
            again = (await sim.next_message(person)).text
            assert "机器人刚刚重启" in again, again
