"""End-to-end fixtures: the real bot (`bot.runtime.running`) polling the Bot API simulator,
with a migrated SQLite database and a travelling clock. Any call the real Telegram would refuse
fails the test at teardown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import TravelClock
from bot.config import Config
from bot.demo import example_config
from bot.runtime import running
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from handlers.context import BotApplication
from simulator import BotApiSimulator, SimUser
from storage.db import Database
from storage.membership import invites, units
from tests.template_db import migrated_sqlite

ADMIN_ID = 777001
TOKEN = "555111:E2E-simulated"
START = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)  # phase 2, 09:00 in Shanghai
UNITS = [
    UnitRow("EDU", "县教文广新体局", UnitKind.BUREAU, None),
    UnitRow("D01", "城关学区", UnitKind.DISTRICT, "EDU"),
    UnitRow("SCH001", "城关第一中学", UnitKind.SCHOOL, "D01"),
    UnitRow("SCH002", "城关第二小学", UnitKind.SCHOOL, "D01"),
]


@pytest.fixture(autouse=True)
def spec_record(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BotApiSimulator]]:
    """The spec record over the whole e2e suite: every simulator a test starts, whatever
    harness it uses, is read at the end, and any call of a method or with a parameter the Bot
    API does not define fails the test (even where the test forgot to look at violations)."""
    started: list[BotApiSimulator] = []
    original = BotApiSimulator.start

    async def start(self: BotApiSimulator) -> None:
        started.append(self)
        await original(self)

    monkeypatch.setattr(BotApiSimulator, "start", start)
    yield started
    assert [problem for sim in started for problem in sim.off_spec] == []


@dataclass
class Harness:
    sim: BotApiSimulator
    app: BotApplication
    db: Database
    clock: TravelClock
    config: Config

    async def invite(
        self, unit_code: str = "SCH001", role: Role = Role.MEMBER, *, uses: int = 1, days: int = 14
    ) -> str:
        made = await invites.create_invite(
            self.db,
            unit_code=unit_code,
            role=role,
            max_uses=uses,
            ttl=timedelta(days=days),
            now=self.clock.now(),
            created_by="cli",
        )
        return made.token

    async def ask(self, user: SimUser, command: str, args: str = "", chat: object = None) -> str:
        """Send a command and return the text of the bot's next message in that chat."""
        target = chat if chat is not None else user
        await self.sim.send_command(user, command, args, chat=target)
        return (await self.sim.next_message(target)).text

    async def register(
        self, user: SimUser, role: Role = Role.MEMBER, unit_code: str = "SCH001"
    ) -> None:
        await self.ask(user, "/start", await self.invite(unit_code, role))


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
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
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
                yield Harness(sim=sim, app=app, db=db, clock=clock, config=config)
        finally:
            await db.dispose()
        assert sim.violations == []
