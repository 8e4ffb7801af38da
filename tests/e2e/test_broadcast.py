"""Broadcast end to end: an admin writes an announcement to the unit heads of schools, sees it
as it will arrive with the count of recipients, confirms; the reminder engine's sender
delivers it (a blocked head counts as failed), a second confirmation sends nothing, progress
is shown on refresh and with /broadcast status; bound unit groups are an audience too."""

from __future__ import annotations

import asyncio
from pathlib import Path

from domain.membership.roles import Role
from storage.membership import groups
from storage.publish import broadcasts
from storage.reminders import outbox
from tests.e2e.hotline_support import answer_of, forge_press
from tests.e2e.publish_support import board

TEXT = "请各校于3月20日前完成<自查>台账的更新。"
DELIVERED = "📣 作风建设办公室通知\n\n" + TEXT


async def test_broadcast_to_school_heads_through_the_sender(tmp_path: Path) -> None:
    async with board(tmp_path, channel=False) as b:
        admin = b.admin
        assert admin is not None
        head1 = await b.member("一中张校长", Role.UNIT_HEAD, "SCH001")
        head2 = await b.member("二小李校长", Role.UNIT_HEAD, "SCH002")
        district = await b.member("学区赵主任", Role.UNIT_HEAD, "D01")
        teacher = await b.member("周老师")
        assert "只有管理员" in await b.ask(teacher, "/broadcast")

        assert "通知发给谁" in await b.ask(admin, "/broadcast")
        await b.press(admin, "全体单位负责人")
        await b.sim.wait_edit(admin)
        await b.press(admin, "学校")
        prompt = await b.sim.next_message(admin)
        await b.sim.send_text(admin, "太短", reply_to=prompt)
        assert "须为 5–3500 字" in (await b.sim.next_message(admin)).text
        await b.sim.send_text(admin, TEXT, reply_to=prompt)
        assert (await b.sim.next_message(admin)).text == DELIVERED  # exactly as it arrives
        confirm = await b.sim.next_message(admin)
        assert "全体单位负责人（仅限学校）" in confirm.text and "目前共 2 个" in confirm.text
        b.sim.block_bot(head2)
        await b.press(admin, "发送给 2 个接收方")
        await b.sim.wait_edit(admin)
        assert (await b.sim.next_message(head1)).text == DELIVERED

        item = (await broadcasts.recent(b.db))[0][0]
        assert item.id is not None
        for _ in range(50):  # the kicked sweep records the blocked head's failure
            progress = await broadcasts.progress(b.db, item.id)
            if progress.done:
                break
            await asyncio.sleep(0.05)
        assert (progress.sent, progress.failed, progress.pending) == (1, 1, 0)
        await b.press(admin, "刷新")
        refreshed = await b.sim.wait_edit(admin)
        assert "已发送 1，失败 1，待发送 0（共 2）" in refreshed.text

        # A second confirmation (a replayed press) queues and sends nothing.
        again = await forge_press(b.sim, admin, b.sim.private_chat(admin), f"bc:v1:send:{item.id}")
        assert "已发送或已取消" in (await answer_of(b.sim, again) or "")
        rows = await outbox.rows(b.db, rule="broadcast")
        assert len(rows) == 2
        assert [m.text for m in b.sim.bot_messages(district)][-1] != DELIVERED
        assert "已发送 1，失败 1" in await b.ask(admin, "/broadcast", "status")


async def test_broadcast_to_bound_groups(tmp_path: Path) -> None:
    async with board(tmp_path, channel=False) as b:
        admin = b.admin
        assert admin is not None
        group = b.sim.add_group("城关一中工作群", supergroup=True)
        await groups.bind(
            b.db,
            chat_id=group.id,
            title="城关一中工作群",
            unit_code="SCH001",
            now=b.clock.now(),
            actor_member_id=None,
        )
        await b.ask(admin, "/broadcast")
        await b.press(admin, "所有已绑定的单位群")
        await b.sim.wait_edit(admin)
        await b.press(admin, "所有单位")
        prompt = await b.sim.next_message(admin)
        await b.sim.send_text(admin, TEXT, reply_to=prompt)
        await b.sim.next_message(admin)
        assert "目前共 1 个" in (await b.sim.next_message(admin)).text
        await b.press(admin, "发送给 1 个接收方")
        assert (await b.sim.next_message(group)).text == DELIVERED
