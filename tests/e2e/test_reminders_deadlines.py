"""The April 5 problem-list ladder (7, 3, 1, 0 days) to unit heads who have not signed off,
at 09:00 Shanghai time to the minute, once per slot however often the sweep runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain.membership.roles import Role
from tests.e2e.reminder_support import world

START = datetime(2027, 3, 20, 1, 0, tzinfo=UTC)


def at_nine(month: int, day: int) -> datetime:
    return datetime(2027, month, day, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


async def test_april_5_ladder_reaches_only_heads_who_have_not_signed_off(tmp_path: Path) -> None:
    async with world(tmp_path, start=START, forms=False) as w:  # only the ledger's reminders
        late_head = w.sim.add_user("李校长", language_code="zh-hans")
        done_head = w.sim.add_user("王校长", language_code="zh-hans")
        await w.register(late_head, Role.UNIT_HEAD, "SCH001")
        done_id = await w.register(done_head, Role.UNIT_HEAD, "SCH002")
        await w.sign_off("SCH002", done_id)

        w.clock.set(datetime(2027, 3, 29, 0, 59, tzinfo=UTC))  # 08:59 local: not yet
        await w.engine.sweep_once()
        assert len(w.sim.bot_messages(late_head)) == 1  # only the welcome

        texts: list[str] = []
        for month, day in ((3, 29), (4, 2), (4, 4), (4, 5)):
            w.clock.set(at_nine(month, day))
            await w.engine.sweep_once()
            await w.engine.sweep_once()  # a second sweep at the same minute adds nothing
            texts.append((await w.sim.next_message(late_head)).text)
        assert "还有 7 天" in texts[0] and "2027年4月5日" in texts[0]
        assert "还有 3 天" in texts[1]
        assert "还有 1 天" in texts[2]
        assert "今天截止" in texts[3]
        assert all("/ledger" in text for text in texts)
        assert len(w.sim.bot_messages(late_head)) == 1 + 4
        assert len(w.sim.bot_messages(done_head)) == 1  # only the welcome

        w.clock.set(at_nine(4, 6))
        await w.engine.sweep_once()
        assert len(w.sim.bot_messages(late_head)) == 1 + 4


async def test_the_sweep_is_one_recurring_job_that_tolerates_lateness(tmp_path: Path) -> None:
    async with world(tmp_path, start=START) as w:
        assert w.app.job_queue is not None
        (job,) = w.app.job_queue.get_jobs_by_name("reminder-sweep")
        assert job.job.misfire_grace_time == 3600
        assert job.job.coalesce is True
        assert job.job.max_instances == 1
        assert job.job.trigger.interval.total_seconds() == 60
