"""Failover: two `python -m bot run` processes on one PostgreSQL database. The first is
active, the second waits; a member is half-way through /report when the active one is killed
with SIGKILL; the standby takes over within `[ha] takeover_seconds` and the member's next
message continues the same form; the report is stored once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config.ha import HaConfig
from simulator import BotApiSimulator
from storage.db import Database
from tests.conftest import PG_URL
from tests.hostile.table import row
from tests.resilience.processes import (
    BOT_USERNAME,
    TOKEN,
    BotProcess,
    invite,
    pg_database,
    write_config,
)

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
READY = r"ready: @\w+ polling"


async def _scalar(url: str, sql: str) -> object:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await db.dispose()


async def _eventually(url: str, sql: str, want: object, within: float = 5.0) -> None:
    """Wait until `sql` reads `want` (what a process writes after its answer went out)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await _scalar(url, sql) == want:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sql!r} never read {want!r}")


async def _state_is(url: str, state: str) -> None:
    """Wait until the report conversation's persisted state is `state`."""
    await _eventually(url, "SELECT state FROM conversation_states WHERE name = 'report'", state)


async def test_the_standby_takes_over_and_the_form_goes_on(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    limit = HaConfig().takeover_seconds
    async with (
        pg_database() as url,
        BotApiSimulator(token=TOKEN, bot_username=BOT_USERNAME) as sim,
    ):
        config = write_config(
            tmp_path, base_url=sim.base_url, base_file_url=sim.base_file_url, storage_url=url
        )
        active, standby = BotProcess("A", config, tmp_path), BotProcess("B", config, tmp_path)
        try:
            await active.start()
            await active.wait_for(READY, within=30)
            await standby.start()
            await standby.wait_for(r"standby: another process is active", within=30)

            user = sim.add_user("韩老师")
            await sim.send_command(user, "/start", await invite(url))
            assert "城关第一中学" in (await sim.next_message(user, timeout=10)).text
            await sim.send_command(user, "/report")
            categories = await sim.next_message(user, timeout=10)
            await sim.press_button(user, categories.buttons[0][0])
            await sim.next_message(user, timeout=10)
            await sim.press_button(user, "城关第一中学")
            assert "第 3 步" in (await sim.next_message(user, timeout=10)).text
            await _state_is(url, "report:describe")

            killed = time.monotonic()
            active.kill()
            await active.reaped()
            ready = await standby.wait_for(READY, within=limit + 10)
            takeover = ready - killed
            await sim.send_text(user, "故障切换后继续填写的描述。")
            answer = await sim.next_message(user, timeout=10)
            answered = time.monotonic() - killed
            figures = (
                f"standby ready {takeover:.2f} s after kill -9 (limit {limit:.0f} s); "
                f"next message answered {answered:.2f} s after the kill"
            )
            print(f"\nfailover: {figures}")
            row(request, "Failover suite (two processes, PostgreSQL)", ("figures",), (figures,))
            assert takeover <= limit, standby.log
            assert "时间" in answer.text, answer.text  # the step after the description
            assert "standby" in standby.log and "active: holding the leader lock" in standby.log

            for label in ("跳过", "跳过"):
                await sim.press_button(user, label)
                await sim.next_message(user, timeout=10)
            await sim.press_button(user, "否，可以署名")
            card = await sim.next_message(user, timeout=10)
            assert "故障切换后继续填写的描述。" in card.text
            await sim.press_button(user, "提交")
            assert "已提交" in (await sim.next_message(user, timeout=10)).text
            reports = await _scalar(url, "SELECT count(*) FROM cases WHERE kind = 'report'")
            assert reports == 1
            # The form's end is written when the step's update is done, which may be just
            # after the confirmation arrives (the step's calls go out together).
            await _eventually(url, "SELECT count(*) FROM conversation_states", 0)
        finally:
            await active.stop()
            assert await standby.stop() == 0, standby.log
        assert sim.violations == []
