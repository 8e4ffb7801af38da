"""PostgreSQL goes away under the bot and comes back.

In the normal run the outage is a cut of a TCP proxy between this bot and PostgreSQL (the bot
sees what a server restart shows: connections dropped, new ones refused for a while) so that
PostgreSQL tests on other workers go on undisturbed. `test_a_real_postgresql_restart` does the
real thing with `pg_ctlcluster … restart`; it is marked `pg_restart`, left out of the normal
run and run alone by .ci/run after the main suite.

While the database is away, whoever writes gets "briefly out of reach, send it again" in their
language; the active process notices it lost its leader lock, stops reading updates and is
started again by its supervisor, waits as a standby until the database is back, then answers
what was sent meanwhile. A report whose Submit failed is filed once when pressed again.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from simulator import SimUser
from storage.models import ReportAuthor
from tests.faults.support import Supervised, needs_pg, supervised_bot
from tests.hostile.table import row

pytestmark = needs_pg
DB_AWAY_ZH = "数据库暂时无法连接"
DB_AWAY_EN = "The database is briefly out of reach"
TITLE = "Fault suite: figures"
HEADERS = ("scenario", "figures")


async def to_summary(s: Supervised, user: SimUser) -> None:
    sim = s.sim
    await sim.send_command(user, "/report")
    await sim.next_message(user)
    for press in ("奢 · 生活作风不节俭", "城关第一中学"):
        await sim.press_button(user, press)
        await sim.next_message(user)
    await sim.send_text(user, "公款吃喝，数据库断开前填写。")
    await sim.next_message(user)
    for press in ("跳过", "跳过", "否，可以署名"):
        await sim.press_button(user, press)
        await sim.next_message(user)


async def filed_by(s: Supervised, user: SimUser) -> int:
    from sqlmodel import func, select

    from storage.membership import members

    found = await members.by_telegram_id(s.db, user.id)
    assert found is not None
    async with s.db.session() as session:
        query = select(func.count()).select_from(ReportAuthor)
        query = query.where(ReportAuthor.member_id == found.member.id)
        return int((await session.exec(query)).one())


async def english_member(s: Supervised) -> SimUser:
    user = s.sim.add_user("Teacher", "Smith", language_code="en")
    await s.register(user)
    await s.sim.send_command(user, "/language")
    await s.sim.next_message(user)
    await s.sim.press_button(user, "English")
    await s.sim.wait_edit(user)
    return user


async def test_a_database_outage_is_told_survived_and_loses_nothing(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with supervised_bot(tmp_path, monkeypatch) as s:
        sim, proxy = s.sim, s.proxy
        assert proxy is not None
        member = sim.add_user("周老师")
        await s.register(member)
        english = await english_member(s)
        stranger = sim.add_user("路人")
        await to_summary(s, member)

        await s.after_a_check()  # the next lock check is `check_seconds` away
        cut_at = time.monotonic()
        await proxy.cut()
        await sim.press_button(member, "提交")
        await sim.send_command(english, "/mine")
        await sim.send_command(stranger, "/start")
        told = [(await sim.next_message(u)).text for u in (member, english, stranger)]
        assert DB_AWAY_ZH in told[0] and DB_AWAY_EN in told[1] and DB_AWAY_ZH in told[2]

        await asyncio.wait_for(s.lost.wait(), 10)  # the lock check failed: fenced
        noticed = time.monotonic() - cut_at
        await sim.send_command(member, "/help")  # written while nobody reads updates
        await asyncio.sleep(0.5)
        assert DB_AWAY_ZH in sim.bot_messages(member)[-1].text  # nothing read meanwhile
        await proxy.restore()
        restored_at = time.monotonic()
        await s.serving_again(after=1)
        late = (await sim.next_message(member, timeout=10)).text  # the /help sent meanwhile
        assert "您正在填写问题反映" in late  # answered, by the report form restored from the DB
        answered_after = time.monotonic() - restored_at

        await sim.press_button(member, "提交")  # the draft survived the restart
        assert "已提交" in (await sim.next_message(member)).text
        await sim.send_command(english, "/mine")
        assert "report" in (await sim.next_message(english)).text.lower()
        await sim.wait_confirmed()
        assert await filed_by(s, member) == 1
        told_count = sum(1 for m in sim.bot_messages(member) if DB_AWAY_ZH in m.text)
        assert told_count == 1  # one answer per update, not one per failing handler group
        row(
            request,
            TITLE,
            HEADERS,
            (
                "PostgreSQL cut by proxy",
                f"told 3/3 (zh, en, zh) to retry; fenced after {noticed:.1f}s; restarts "
                f"{s.restarts}; held message answered {answered_after:.1f}s after restore; "
                f"draft kept, filed once",
            ),
        )


def _cluster() -> list[str]:
    if shutil.which("pg_ctlcluster") is None or not os.path.isdir("/etc/postgresql"):
        pytest.fail("pg_ctlcluster is needed for the real restart test")
    versions = sorted(os.listdir("/etc/postgresql"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"]


@pytest.mark.pg_restart
@pytest.mark.timeout(120)
async def test_a_real_postgresql_restart(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = _cluster()
    async with supervised_bot(tmp_path, monkeypatch, through_proxy=False) as s:
        sim = s.sim
        member = sim.add_user("周老师")
        await s.register(member)
        await to_summary(s, member)
        await s.after_a_check()
        started = time.monotonic()
        restart = await asyncio.create_subprocess_exec(
            *command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        await asyncio.sleep(0.3)  # the server is going down: the press meets the restart
        await sim.press_button(member, "提交")
        first = (await sim.next_message(member, timeout=15)).text
        assert DB_AWAY_ZH in first or "已提交" in first, first  # never the generic apology
        _, err = await restart.communicate()
        assert restart.returncode == 0, err.decode()
        restarted_in = time.monotonic() - started
        await s.serving_again(after=1, timeout=60)
        if DB_AWAY_ZH in first:  # told to send again: the second press files it
            await sim.press_button(member, "提交")
            assert "已提交" in (await sim.next_message(member, timeout=10)).text
        else:  # the press got through before the server went down
            assert "已提交" in first
        await sim.send_command(member, "/help")
        assert "可以使用的命令" in (await sim.next_message(member, timeout=10)).text
        assert await filed_by(s, member) == 1
        row(
            request,
            TITLE,
            HEADERS,
            (
                "real pg_ctlcluster restart",
                f"first answer: {'retry' if DB_AWAY_ZH in first else 'filed'}; server back in "
                f"{restarted_in:.1f}s; bot restarts {s.restarts}; reports filed 1",
            ),
        )
