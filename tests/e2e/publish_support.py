"""The bot with a publication channel configured (`[publication] channel`), for the honour
roll / exposure board and broadcast tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.clock import TravelClock
from bot.config.publication import PublicationConfig
from bot.demo import example_config
from bot.reminders import engine_of
from bot.reminders.sender import Pacer
from bot.runtime import running
from domain.membership.roles import Role
from simulator import BotApiSimulator, SimChat, SimUser
from storage.db import Database
from storage.membership import units
from storage.models import Case, LedgerItem
from tests.e2e.conftest import ADMIN_ID, START, TOKEN, UNITS, Harness
from tests.template_db import migrated_sqlite


@dataclass
class Board(Harness):
    channel: SimChat | None = None
    admin: SimUser | None = None

    async def closed_case(self, number: str = "R-2027-0007", unit: str = "SCH001") -> int:
        found = await units.by_code(self.db, unit)
        assert found is not None
        async with self.db.session() as session:
            case = Case(
                kind="report",
                number=number,
                category_key="other",
                unit_id=found.id,
                status="closed",
                description="有教师在校外有偿补课。",
                opened_on=date(2027, 3, 1),
                closed_on=date(2027, 3, 8),
            )
            session.add(case)
            await session.commit()
        assert case.id is not None
        return case.id

    async def ledger_item(self, unit: str, *, verified: bool) -> None:
        """An item put on the unit's list in the first phase; verified in time or overdue."""
        found = await units.by_code(self.db, unit)
        assert found is not None and found.id is not None
        made = datetime(2027, 2, 20, 2, 0, tzinfo=UTC)
        async with self.db.session() as session:
            session.add(
                LedgerItem(
                    unit_id=found.id,
                    seq=1,
                    category_key="other",
                    description="食堂账目未公开",
                    deadline=date(2027, 3, 1),
                    status="verified" if verified else "open",
                    verified_at=made + timedelta(days=5) if verified else None,
                    created_at=made,
                    updated_at=made,
                )
            )
            await session.commit()

    async def press(self, user: SimUser, label: str) -> None:
        await self.sim.press_button(user, label)

    async def member(self, name: str, role: Role = Role.MEMBER, unit: str = "SCH001") -> SimUser:
        user = self.sim.add_user(name)
        await self.register(user, role, unit)
        return user


@asynccontextmanager
async def board(tmp_path: Path, *, channel: bool = True) -> AsyncIterator[Board]:
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        chat = sim.add_channel("教育系统作风建设公示") if channel else None
        config = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        )
        config = config.model_copy(
            update={"publication": PublicationConfig(channel=chat.id if chat else None)}
        )
        db = Database(config.storage.url)
        clock = TravelClock(START)
        admin = sim.add_user("局办公室王主任", user_id=ADMIN_ID)
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
                engine_of(app).sender.pacer = Pacer(private_interval=0.0, group_interval=0.0)
                yield Board(
                    sim=sim, app=app, db=db, clock=clock, config=config, channel=chat, admin=admin
                )
        finally:
            await db.dispose()
        assert sim.violations == []
