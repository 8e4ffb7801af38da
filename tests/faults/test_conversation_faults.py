"""A /report through Bot API faults: a 5xx on the bot's reply, a reply that times out on the
bot's side, a 429 storm, and the member blocking the bot halfway. The bot keeps running, the
member is told to try again, and after recovery the same draft is filed exactly once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from domain.membership.roles import Role
from storage.models import ReportAuthor
from tests.faults.support import set_read_timeout
from tests.hostile.bench import APOLOGY_ZH, bench_bot
from tests.hostile.seed import member_id
from tests.hostile.table import row

TITLE = "Fault suite: figures"
HEADERS = ("scenario", "figures")


async def test_a_report_through_api_faults_is_filed_once(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with bench_bot(tmp_path) as b:
        sim = b.sim
        user = await b.person(Role.MEMBER, "SCH001", "周老师")
        started = time.monotonic()
        await b.h.ask(user, "/report")
        await sim.press_button(user, "奢 · 生活作风不节俭")
        await sim.next_message(user)
        await sim.press_button(user, "城关第一中学")
        await sim.next_message(user)

        # 5xx on the answer to the description: an apology; the member sends it again.
        sim.faults.fail_next("sendMessage", status=502)
        assert await b.say(user, "公款吃喝。") == APOLOGY_ZH
        assert "时间和地点" in await b.say(user, "公款吃喝。")

        # The answer times out on the bot's side but Telegram shows it: the member sees the
        # next question and an apology, and sending the answer again goes on.
        set_read_timeout(b.app.bot, 1.0)  # test-only: 1 s reads
        sim.faults.delay_next("sendMessage", 1.5)
        await sim.send_text(user, "三月八日，学校食堂")
        shown = [(await sim.next_message(user)).text for _ in range(2)]
        assert APOLOGY_ZH in shown
        set_read_timeout(b.app.bot, 5.0)
        timed_out_answer = await b.say(user, "三月八日，学校食堂")
        assert "第 4 步" in timed_out_answer or "证据" in timed_out_answer, timed_out_answer

        # A 429 storm: the next question is refused (its buttons were already closed); after
        # the storm any message brings the step's buttons back.
        sim.set_flood_control(True, private_per_second=0.2, private_burst=1)
        assert "只能上传照片或文件" in await b.say(user, "照片稍后补")  # uses the one free send
        await sim.press_button(user, "跳过")
        assert await sim.state.signal.wait_for(  # the next question, then the apology
            lambda: sum(c.status == 429 for c in sim.errors) >= 2, 5.0
        )
        await sim.wait_confirmed()
        storm_429 = sum(c.status == 429 for c in sim.errors)
        sim.set_flood_control(False)
        await sim.drain(user)
        assert "只能上传照片或文件" in await b.say(user, "好了吗？")
        assert "第 5 步" in await b.press(user, "跳过")

        # The member blocks the bot while it answers, then writes again: the form goes on.
        sim.faults.delay_next("sendMessage", 0.3)
        await sim.press_button(user, "否，可以署名")
        sim.block_bot(user)
        assert await sim.state.signal.wait_for(  # the answer, then the apology
            lambda: sum(c.status == 403 for c in sim.errors) >= 2, 5.0
        )
        await sim.wait_confirmed()
        forbidden = [c for c in sim.errors if c.status == 403]
        assert "请使用上方的按钮" in await b.say(user, "还在吗？")  # writing unblocks
        card = await b.press(user, "否，可以署名")
        assert "提交" in str(b.last(user).buttons), card
        filed = await b.press(user, "提交")
        assert "已提交" in filed
        await sim.wait_confirmed()
        mine = await member_id(b, user)
        assert await b.count(ReportAuthor, ReportAuthor.member_id == mine) == 1
        row(
            request,
            TITLE,
            HEADERS,
            (
                "/report through 5xx, timeout, 429, 403",
                f"apologies {b.apologies()}; 429s {storm_429}; 403s {len(forbidden)}; "
                f"reports filed 1; "
                f"{time.monotonic() - started:.1f}s",
            ),
        )
