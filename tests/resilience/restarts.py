"""A bot that can be stopped and started again on the same database, in this process: what the
restart and redelivery tests share."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from bot.clock import TravelClock
from bot.config import Config
from bot.demo import example_config
from bot.runtime import running
from simulator import BotApiSimulator
from storage.cases import reports
from storage.db import Database
from storage.membership import units
from storage.models import Case
from tests.e2e.conftest import ADMIN_ID, START, TOKEN, UNITS, Harness
from tests.template_db import migrated_sqlite


@dataclass
class Restartable:
    sim: BotApiSimulator
    db: Database
    clock: TravelClock
    config: Config

    @asynccontextmanager
    async def bot(self) -> AsyncIterator[Harness]:
        """One life of the bot: start, yield, stop (cleanly: fetched updates are confirmed)."""
        async with running(self.config, clock=self.clock, db=self.db, poll_timeout=1) as app:
            yield Harness(sim=self.sim, app=app, db=self.db, clock=self.clock, config=self.config)

    def redeliver(self, update_id: int) -> None:
        """Queue an update again, as Telegram does when its confirmation was lost in a crash."""
        queue = self.sim.state.updates
        original = next(u for u in queue.history if u["update_id"] == update_id)
        queue.pending = sorted(
            [*queue.pending, copy.deepcopy(original)], key=lambda u: int(u["update_id"])
        )
        queue.signal.notify()


@asynccontextmanager
async def restartable(tmp_path: Path) -> AsyncIterator[Restartable]:
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        config = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        )
        db = Database(config.storage.url)
        clock = TravelClock(START)
        world = Restartable(sim=sim, db=db, clock=clock, config=config)
        try:
            async with world.bot():
                await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
            yield world
        finally:
            await db.dispose()
        assert sim.violations == []


async def report_texts(db: Database) -> list[str]:
    """The descriptions of every named report in the database, in filing order."""
    async with db.session() as session:
        rows = await session.exec(
            select(Case.description).where(Case.kind == reports.KIND).order_by(col(Case.id))
        )
        return [str(d) for d in rows.all()]
