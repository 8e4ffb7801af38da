"""Retention: the daily purge job and `python -m bot hotline purge [--dry-run]` / `hold`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import cli
from bot.jobs import hotline as hotline_jobs
from bot.ops import logs
from domain.cases.lifecycle import CaseStatus
from domain.hotline import receipts
from domain.hotline.crypto import kek_from_secret
from handlers.context import SERVICES_KEY
from storage import migrate
from storage.cases import complaint_staff, complaints
from storage.cases.sealing import Keyring
from storage.db import Database
from tests.e2e.hotline_support import Hotline, hotline_bot
from tests.owners import accepted
from tests.storage.test_complaints import POLICY, new
from tests.test_cli import write_config


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def test_the_daily_job_purges_closed_complaints_after_retention(hl: Hotline) -> None:
    parent = hl.complainant()
    receipt = await hl.file(parent)
    card = await hl.sim.next_message(hl.staff)
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]
    case_id = await complaint_staff.case_id_of(hl.h.db, pseudonym)
    assert case_id is not None
    await accepted(hl.h.db, case_id)  # closing needs someone responsible
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = hl.sim.bot_messages(hl.staff)[-1]
    await hl.sim.send_text(hl.handler, "已处理。", chat=hl.staff, reply_to=prompt)
    await hl.sim.next_message(hl.staff)
    assert "已办结" in await hl.close_from_card()
    jobs = hl.h.app.job_queue.get_jobs_by_name(hotline_jobs.JOB_NAME) if hl.h.app.job_queue else ()
    assert len(jobs) == 1
    services = hl.h.app.bot_data[SERVICES_KEY]
    hl.h.clock.advance(timedelta(days=365))
    assert (await hotline_jobs.purge_once(services)).purged == 0  # not yet
    hl.h.clock.advance(timedelta(days=1))
    assert (await hotline_jobs.purge_once(services, dry_run=True)).purged == 1
    assert (await hotline_jobs.purge_once(services)).purged == 1
    assert await complaint_staff.case_id_of(hl.h.db, pseudonym) is None
    assert "没有与此回执码对应的投诉" in await hl.h.ask(parent, "/status", receipt)


def _keyring(url: str) -> Keyring:
    """The keyring the CLI finds beside the database (`b.db` → `b.keyring.db`)."""
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    store = Database(f"sqlite+aiosqlite:///{path.with_name(path.stem + '.keyring.db')}")
    return Keyring(store, (kek_from_secret("an old data key " + "o" * 32),))


async def _old_closed_complaints(url: str) -> list[str]:
    db = Database(url)
    db.keyring = _keyring(url)
    try:
        await migrate.upgrade(db)
        await db.keyring.prepare()
        day = date(2024, 1, 5)
        now = datetime(2024, 1, 5, 2, tzinfo=UTC)
        made = []
        for text in ("旧投诉一", "旧投诉二"):
            filed = await complaints.file_complaint(
                db, new(text), receipt=receipts.new_receipt(), policy=POLICY, today=day
            )
            await accepted(db, filed.case_id)
            await complaint_staff.reply(
                db, filed.pseudonym, "答复", member_id=None, now=now, today=day
            )
            await complaint_staff.finish(
                db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=now, today=day
            )
            made.append(filed.pseudonym)
        return made
    finally:
        await db.keyring.store.dispose()
        await db.dispose()


async def _count(url: str) -> tuple[int, int]:
    """The complaints left, and the data keys left in the keyring."""
    db = Database(url)
    keyring = _keyring(url)
    try:
        return len(await complaints.for_staff(db)), len(await keyring.case_ids())
    finally:
        await keyring.store.dispose()
        await db.dispose()


def test_cli_purge_dry_run_hold_and_purge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # main() sets up logging on the captured stderr, which pytest closes afterwards.
    monkeypatch.setattr(logs, "configure", lambda *args, **kwargs: None)
    config = write_config(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    first, second = asyncio.run(_old_closed_complaints(url))
    assert cli.main(["hotline", "purge", "--dry-run", "--config", str(config)]) == 0
    assert "would purge 2" in capsys.readouterr().out
    assert cli.main(["hotline", "hold", second.lower(), "--config", str(config)]) == 0
    assert "legal hold placed" in capsys.readouterr().out
    assert cli.main(["hotline", "hold", "C-ZZZZ", "--config", str(config)]) == 1
    assert cli.main(["hotline", "hold", "nonsense", "--config", str(config)]) == 2
    capsys.readouterr()
    assert cli.main(["hotline", "purge", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "purged 1" in out and "1 kept on legal hold" in out
    assert asyncio.run(_count(url)) == (1, 1)  # the purged complaint's key is shredded
    assert first != second
