"""After the commit, the bot tells the truth for every filing, not only reports and complaints:
a ledger item added, a list signed off, an extension asked for, an inspection finding, a leave
request. Each one's confirmation is refused once by a 502 for the person's chat (the
simulator's fault injection); the filing is stored once, the confirmation is sent again and
shown, nobody sees the apology, and a conversation is over (/cancel has nothing to cancel)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from domain.membership.roles import Role
from simulator import SimUser
from storage.ledger import queries as ledger_queries
from storage.membership import units
from storage.models import Absence, Case, CheckIn, FormAnswer, LedgerExtension, LedgerItem
from tests.e2e.conftest import ADMIN_ID, START, Harness
from tests.e2e.ledger_steps import people, press, reply, seed_items
from tests.e2e.reminder_support import World, world
from tests.e2e.test_desk_return import dispatched_case, open_item
from tests.hostile.bench import APOLOGY_ZH
from tests.hostile.table import row

TITLE = "Fault suite: after the commit, every filing"
HEADERS = ("filing", "refused send", "outcome")
NOTHING_TO_CANCEL = "当前没有可以取消的操作。"
MONDAY_NINE = datetime(2027, 4, 12, 1, 0, tzinfo=UTC)


@asynccontextmanager
async def bot(tmp_path: Path, start: datetime = START) -> AsyncIterator[tuple[World, Harness]]:
    async with world(tmp_path, start=start) as w:
        yield w, Harness(sim=w.sim, app=w.app, db=w.db, clock=w.clock, config=w.config)


async def count(h: Harness, model: object) -> int:
    async with h.db.session() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()  # type: ignore[arg-type]


def texts(h: Harness, user: SimUser) -> list[str]:
    """Every text the person was shown, edits' earlier versions included."""
    return [t for m in h.sim.bot_messages(user) for t in (*m.history, m.text)]


async def truthful(h: Harness, user: SimUser, shown: str, *, conversation: bool) -> None:
    await h.sim.wait_confirmed(settle=0.3)
    seen = texts(h, user)
    assert not any(APOLOGY_ZH in t for t in seen), seen[-3:]
    assert any(shown in t for t in seen), seen[-3:]
    if conversation:
        await h.sim.drain(user)
        assert await h.ask(user, "/cancel") == NOTHING_TO_CANCEL


async def test_a_ledger_item_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path) as (_w, h):
        head, _teacher, _handler = await people(h)
        await h.sim.send_command(head, "/ledger")
        await h.sim.next_message(head)
        await press(h, head, "➕ 新增问题")
        categories = await h.sim.next_message(head)
        await press(h, head, categories.buttons[0][0])
        await h.sim.next_message(head)
        await reply(h, head, "食堂账目不公开")
        await reply(h, head, "每月公示")
        await reply(h, head, "5/1")
        await press(h, head, "未使用 Telegram 的人员")
        await h.sim.wait_edit(head)
        await reply(h, head, "王主任")
        h.sim.faults.fail_next("editMessageText", status=502, chat=head.id)
        await press(h, head, "完成")
        await truthful(h, head, "已保存为第 1 项。", conversation=True)
        assert await count(h, LedgerItem) == 1
        row(
            request,
            TITLE,
            HEADERS,
            (
                "ledger item added",
                "editMessageText 502 ×1",
                "stored 1; shown on the retry; 0 apologies",
            ),
        )


async def test_a_sign_off_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path) as (_w, h):
        head, _teacher, _handler = await people(h)
        await seed_items(h, "SCH001", 2)
        await h.ask(head, "/ledger")
        await press(h, head, "✍ 签字确认")
        await h.sim.wait_edit(head)
        h.sim.faults.fail_next("editMessageText", status=502, chat=head.id)
        await press(h, head, "确认签字")
        await truthful(h, head, "已签字确认：第 1 版。", conversation=False)
        unit = await units.by_code(h.db, "SCH001")
        assert unit is not None and unit.id is not None
        latest = await ledger_queries.latest_signoff(h.db, unit.id)
        assert latest is not None and latest.version == 1
        row(
            request,
            TITLE,
            HEADERS,
            (
                "list signed off",
                "editMessageText 502 ×1",
                "stored v1; shown on the retry; 0 apologies",
            ),
        )


async def test_an_extension_request_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path) as (_w, h):
        _teacher, _handler, head, _case = await dispatched_case(h)
        await open_item(h, head)
        await h.sim.press_button(head, "⏳ 申请延期")
        await h.sim.next_message(head)
        await h.sim.send_text(head, "2027-05-20")
        await h.sim.next_message(head)
        h.sim.faults.fail_next("sendMessage", status=502, chat=head.id)
        await h.sim.send_text(head, "需要采购设备，供货周期较长。")
        await truthful(h, head, "延期申请已提交", conversation=True)
        assert await count(h, LedgerExtension) == 1
        row(
            request,
            TITLE,
            HEADERS,
            ("extension asked", "sendMessage 502 ×1", "stored 1; shown on the retry; 0 apologies"),
        )


async def test_an_inspection_finding_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path, MONDAY_NINE) as (w, h):
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        inspector = w.sim.add_user("孙督查")
        await w.register(inspector, Role.MEMBER, "EDU")
        await w.sim.send_command(admin, "/round", "new 春季明察暗访")
        await w.sim.next_message(admin)
        await w.sim.send_command(admin, "/inspector", "EDU")
        team = await w.sim.next_message(admin)
        await w.sim.press_button(admin, "☐ 孙督查")
        await w.sim.wait_edit(team)
        await w.sim.send_command(inspector, "/inspect")
        await w.sim.next_message(inspector)
        await w.sim.send_text(inspector, "第二")
        found = await w.sim.next_message(inspector)
        await w.sim.press_button(inspector, found.buttons[0][0])
        categories = await w.sim.next_message(inspector)
        await w.sim.press_button(inspector, categories.buttons[0][0])
        await w.sim.next_message(inspector)
        await w.sim.send_text(inspector, "向学生收取资料费每人50元。")
        done_prompt = await w.sim.next_message(inspector)
        await w.sim.press_button(inspector, done_prompt.buttons[0][0])
        await w.sim.next_message(inspector)
        await w.sim.send_text(inspector, "08:40")
        summary = await w.sim.next_message(inspector)
        w.sim.faults.fail_next("sendMessage", status=502, chat=inspector.id)
        await w.sim.press_button(inspector, summary.buttons[0][0])
        await truthful(h, inspector, "F-2027-0001 已登记", conversation=True)
        assert "F-2027-0001" in (await w.sim.next_message(w.staff)).text  # the card, too
        async with w.db.session() as session:
            kinds = (await session.exec(select(Case.kind))).all()
        assert kinds == ["finding"]
        row(
            request,
            TITLE,
            HEADERS,
            (
                "inspection finding",
                "sendMessage 502 ×1",
                "stored 1; shown on the retry; card posted; 0 apologies",
            ),
        )


async def test_a_leave_request_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path, datetime(2027, 3, 12, 2, 0, tzinfo=UTC)) as (w, h):
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        head, away = w.sim.add_user("李校长"), w.sim.add_user("赵副校长")
        await w.register(head, Role.UNIT_HEAD)
        await w.register(away, Role.MEMBER)
        await w.sim.send_command(admin, "/boarding", "SCH001 36.0611 103.8343 300")
        await w.sim.next_message(admin)
        await w.sim.send_command(admin, "/cadre", "SCH001")
        marks = await w.sim.next_message(admin)
        await w.sim.press_button(admin, "☐ 赵副校长")
        await w.sim.wait_edit(marks)
        w.sim.faults.fail_next("sendMessage", status=502, chat=away.id)
        await w.sim.send_command(away, "/leave", "2027-03-15 赴省城参加培训")
        await truthful(h, away, "的请假申请已提交，等待审批。", conversation=False)
        assert await count(h, Absence) == 1
        assert "赴省城参加培训" in (await w.sim.next_message(head)).text
        row(
            request,
            TITLE,
            HEADERS,
            (
                "leave request",
                "sendMessage 502 ×1",
                "stored 1; shown on the retry; head asked; 0 apologies",
            ),
        )


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour - 8, minute, tzinfo=UTC)


async def test_a_check_in_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path, shanghai(3, 12, 10)) as (w, h):
        admin = w.sim.add_user("管理员", user_id=ADMIN_ID)
        here = w.sim.add_user("王副校长")
        await w.register(here, Role.MEMBER)
        await w.sim.send_command(admin, "/boarding", "SCH001 36.0611 103.8343 300")
        await w.sim.next_message(admin)
        await w.sim.send_command(admin, "/cadre", "SCH001")
        marks = await w.sim.next_message(admin)
        await w.sim.press_button(admin, "☐ 王副校长")
        await w.sim.wait_edit(marks)
        w.clock.set(shanghai(3, 15, 19, 5))
        w.sim.faults.fail_next("sendMessage", status=502, chat=here.id)
        await w.sim.send_command(here, "/checkin")
        await truthful(h, here, "✅ 已签到：", conversation=False)
        assert await count(h, CheckIn) == 1
        row(
            request,
            TITLE,
            HEADERS,
            ("check-in", "sendMessage 502 ×1", "stored 1; shown on the retry; 0 apologies"),
        )


async def test_a_form_whose_confirmation_is_refused(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with bot(tmp_path, shanghai(3, 22, 10)) as (w, h):
        unit = await units.by_code(w.db, "SCH001")
        assert unit is not None and unit.id is not None
        parent = w.sim.add_user("赵家长")
        await w.sim.send_command(parent, "/start", f"form-parent_satisfaction-{unit.id}")
        await w.sim.next_message(parent)
        await w.sim.next_message(parent)
        await w.sim.press_button(parent, "4")
        await w.sim.next_message(parent)
        await w.sim.press_button(parent, "没有")
        await w.sim.next_message(parent)
        await w.sim.send_text(parent, "老师很负责")
        await w.sim.next_message(parent)
        w.sim.faults.fail_next("sendMessage", status=502, chat=parent.id)
        await w.sim.press_button(parent, "✅ 提交")
        await truthful(h, parent, "谢谢，您的回答已提交。", conversation=True)
        assert await count(h, FormAnswer) == 1
        row(
            request,
            TITLE,
            HEADERS,
            ("form answered", "sendMessage 502 ×1", "stored 1; shown on the retry; 0 apologies"),
        )
