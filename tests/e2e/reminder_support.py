"""Shared set-up for the reminder tests: the real bot with a staff chat, a bound unit group,
and helpers that write ledger items, sign-offs and cases straight through the models (the
ledger and hotline features own the conversations that normally create them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.clock import TravelClock
from bot.config import AccessConfig, Config
from bot.config.forms import FormConfig
from bot.config.stats import BriefConfig
from bot.demo import example_config
from bot.reminders import ReminderEngine, engine_of
from bot.reminders.sender import Pacer
from bot.runtime import running
from domain.membership.roles import Role
from handlers.context import BotApplication
from simulator import BotApiSimulator, SimChat, SimUser
from storage.db import Database
from storage.membership import invites, units
from storage.models import Case, LedgerItem, Member, SignOff, Unit
from tests.e2e.conftest import ADMIN_ID, TOKEN, UNITS
from tests.template_db import migrated_sqlite


@dataclass
class World:
    sim: BotApiSimulator
    app: BotApplication
    db: Database
    clock: TravelClock
    config: Config
    staff: SimChat

    @property
    def engine(self) -> ReminderEngine:
        return engine_of(self.app)

    async def register(self, user: SimUser, role: Role = Role.MEMBER, unit: str = "SCH001") -> int:
        made = await invites.create_invite(
            self.db,
            unit_code=unit,
            role=role,
            max_uses=1,
            ttl=timedelta(days=14),
            now=self.clock.now(),
            created_by="cli",
        )
        await self.sim.send_command(user, "/start", made.token)
        await self.sim.next_message(user)
        async with self.db.session() as session:
            member = (
                await session.exec(select(Member).where(Member.telegram_user_id == user.id))
            ).one()
        assert member.id is not None
        return member.id

    async def unit_id(self, code: str) -> int:
        async with self.db.session() as session:
            unit = (await session.exec(select(Unit).where(Unit.code == code))).one()
        assert unit.id is not None
        return unit.id

    async def add_item(
        self,
        unit: str,
        deadline: date,
        *,
        responsible: int | None = None,
        status: str = "open",
        description: str = "食堂账目未公开",
    ) -> int:
        unit_id = await self.unit_id(unit)
        now = self.clock.now()
        async with self.db.session() as session:
            seq = (
                len(
                    (
                        await session.exec(select(LedgerItem).where(LedgerItem.unit_id == unit_id))
                    ).all()
                )
                + 1
            )
            item = LedgerItem(
                unit_id=unit_id,
                seq=seq,
                category_key="loose",
                description=description,
                measure="公开账目",
                deadline=deadline,
                responsible_member_id=responsible,
                status=status,
                created_at=now,
                updated_at=now,
            )
            session.add(item)
            await session.commit()
        assert item.id is not None
        return item.id

    async def set_item(self, item_id: int, **values: Any) -> None:
        async with self.db.session() as session:
            item = await session.get(LedgerItem, item_id)
            assert item is not None
            for name, value in values.items():
                setattr(item, name, value)
            session.add(item)
            await session.commit()

    async def sign_off(self, unit: str, member_id: int | None) -> None:
        unit_id = await self.unit_id(unit)
        async with self.db.session() as session:
            session.add(
                SignOff(
                    unit_id=unit_id,
                    version=1,
                    item_count=0,
                    member_id=member_id,
                    at=self.clock.now(),
                )
            )
            await session.commit()

    async def add_case(
        self, kind: str, opened_on: date, *, owner: int | None = None, number: str = "TS-0001"
    ) -> int:
        async with self.db.session() as session:
            case = Case(
                kind=kind,
                number=number,
                category_key="other",
                status="received",
                description="家长反映乱收费",
                opened_on=opened_on,
                owner_member_id=owner,
            )
            session.add(case)
            await session.commit()
        assert case.id is not None
        return case.id

    async def travel(self, when: datetime) -> None:
        self.clock.set(when)


@asynccontextmanager
async def world(
    tmp_path: Path,
    *,
    db_name: str = "bot.db",
    start: datetime,
    fast: bool = True,
    sim: BotApiSimulator | None = None,
    staff: SimChat | None = None,
    fresh: bool = True,
    database: Database | None = None,
    forms: bool | tuple[FormConfig, ...] = True,
    brief: bool = False,
) -> AsyncIterator[World]:
    """The bot with a staff chat; `sim`/`staff` given to restart on the same simulator;
    `database` given (e.g. PostgreSQL) is used and left open; `forms=False` drops the example
    config's forms, a tuple of forms replaces them; `brief=True` keeps the weekly brief to the
    staff chat (off by default: the other tests count the staff chat's messages on Mondays)."""
    own_sim = sim is None
    simulator = sim or BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    )
    if own_sim:
        await simulator.__aenter__()
    try:
        staff_chat = staff or simulator.add_group("局作风办工作群", supergroup=True)
        config = example_config(
            base_url=simulator.base_url,
            base_file_url=simulator.base_file_url,
            storage_url=migrated_sqlite(tmp_path / db_name),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        )
        config = config.model_copy(
            update={"access": AccessConfig(admins=(ADMIN_ID,), staff_chat=staff_chat.id)}
        )
        if forms is not True:  # the example's forms have reminders of their own
            config = config.model_copy(update={"forms": () if forms is False else forms})
        if not brief:
            config = config.model_copy(update={"brief": BriefConfig(enabled=False)})
        db = database or Database(config.storage.url)
        clock = TravelClock(start)
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:
                if fresh:
                    await units.import_units(db, list(enumerate(UNITS, start=2)), now=clock.now())
                if fast:
                    engine_of(app).sender.pacer = Pacer(private_interval=0.0, group_interval=0.0)
                yield World(
                    sim=simulator, app=app, db=db, clock=clock, config=config, staff=staff_chat
                )
        finally:
            if database is None:
                await db.dispose()
    finally:
        if own_sim:
            await simulator.__aexit__(None, None, None)
