"""One running bot for a whole test module: the simulator with a staff chat, a migrated
SQLite (or given) database, the example campaign's units and one registered person per role
and unit. Cases use fresh people or these fixed ones; nobody's state leaks into another
case because each case asks with its own user or reads the database itself.

Also the user-side tricks the simulator's driver has no verb for: stickers, locations,
contacts and voice notes, edited messages, forged button presses, the bot added to a group.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bot.clock import TravelClock
from bot.config import Config
from bot.config.hotline import HotlineConfig
from bot.demo import example_config
from bot.runtime import running
from domain.membership.roles import Role
from handlers.context import BotApplication
from simulator import BotApiSimulator, SimChat, SimUser
from simulator.content import detect_entities
from simulator.models import SimMessage
from storage.db import Database
from storage.membership import units
from tests.e2e.conftest import ADMIN_ID, START, TOKEN, UNITS, Harness
from tests.e2e.hotline_support import CHEAP_HASH
from tests.template_db import migrated_sqlite

APOLOGY_ZH = "抱歉，系统出了点问题，请稍后再试。"
APOLOGY_EN = "Sorry, something went wrong on our side. Please try again in a moment."
_ids = itertools.count(880_001)


@dataclass
class People:
    """One registered person per role (and a second unit for "other unit" cases)."""

    admin: SimUser
    handler: SimUser
    head: SimUser
    member: SimUser
    head2: SimUser
    member2: SimUser


@dataclass
class Bench:
    h: Harness
    staff: SimChat
    people: People
    unit_ids: dict[str, int] = field(default_factory=dict)

    @property
    def sim(self) -> BotApiSimulator:
        return self.h.sim

    @property
    def db(self) -> Database:
        return self.h.db

    @property
    def app(self) -> BotApplication:
        return self.h.app

    # -- people ---------------------------------------------------------------------------

    def stranger(self, name: str = "陌生人", language_code: str | None = None) -> SimUser:
        return self.sim.add_user(name, language_code=language_code, user_id=next(_ids))

    async def person(self, role: Role, unit: str = "SCH001", name: str = "") -> SimUser:
        user = self.stranger(name or f"{role.value}-{unit}")
        await self.h.register(user, role, unit)
        return user

    async def english(self, user: SimUser) -> None:
        """The user picks English with /language."""
        await self.h.ask(user, "/language")
        await self.sim.press_button(user, "English")
        await self.sim.wait_confirmed()
        await self.sim.drain(user)

    # -- talking ----------------------------------------------------------------------------

    async def next(self, chat: SimUser | SimChat) -> str:
        """The text of the bot's next message in `chat`."""
        return (await self.sim.next_message(chat)).text

    async def say(self, user: SimUser, text: str, chat: SimChat | None = None) -> str:
        """The user writes `text`; the bot's next message in that chat."""
        await self.sim.send_text(user, text, chat)
        return await self.next(chat or user)

    async def press(self, user: SimUser, label: str, chat: SimChat | None = None) -> str:
        """Press a button; the bot's next message in that chat."""
        await self.sim.press_button(user, label, chat)
        return await self.next(chat or user)

    async def quiet(self, chat: SimUser | SimChat) -> None:
        """Wait until the bot is idle; mark everything in `chat` read."""
        await self.sim.wait_confirmed()
        await self.sim.drain(chat)

    async def silence(self, chat: SimUser | SimChat) -> None:
        """Assert the bot said nothing more in `chat` once it is idle."""
        await self.sim.wait_confirmed(settle=0.1)
        target = self.sim.chat(chat)
        unread = self.sim.bot_messages(target)[self.sim._read.get(target.id, 0) :]
        assert not unread, [m.text for m in unread]

    async def send(
        self, user: SimUser, content: dict[str, Any], chat: SimChat | None = None
    ) -> dict[str, Any]:
        """Any message content (sticker, location, contact, voice …) as the user."""
        return await self.sim._user_says(user, chat, content)

    async def edit(self, user: SimUser, sent: dict[str, Any], new_text: str) -> None:
        """The user edits a message they sent: Telegram sends an `edited_message` update."""
        st = self.sim.state
        raw = copy.deepcopy(sent)
        raw["text"] = new_text
        raw["edit_date"] = int(raw["date"]) + 5
        raw.pop("entities", None)
        entities = detect_entities(new_text)
        if entities:
            raw["entities"] = entities
        st.updates.push("edited_message", raw)
        await asyncio.sleep(0)

    async def forge(self, user: SimUser, data: str, chat: SimChat | SimUser | None = None) -> str:
        """Press a made-up button on the bot's last message in the chat; the query id."""
        st = self.sim.state
        target = st.chat(chat if chat is not None else user)
        msg = st.bot_messages(target.id)[-1]
        query_id = str(secrets.randbits(62))
        st.callback_queries[query_id] = False
        st.callback_chats[query_id] = target.id
        st.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": st.user(user.id).to_dict(),
                "message": copy.deepcopy(msg.raw),
                "chat_instance": target.chat_instance,
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    async def answer_of(self, query_id: str, timeout: float = 5.0) -> str | None:  # noqa: ASYNC109
        """The notice a press was answered with (fails when it was never answered)."""
        answers = self.sim.callback_answers
        found = await self.sim.state.signal.wait_for(
            lambda: any(a.id == query_id for a in answers), timeout
        )
        assert found, f"button press {query_id} was never answered"
        return next(a.text for a in answers if a.id == query_id)

    def last(self, chat: SimUser | SimChat) -> SimMessage:
        return self.sim.bot_messages(chat)[-1]

    def apologies(self) -> int:
        """Error-handler apologies sent so far, in any chat and language."""
        return sum(
            1
            for chat in list(self.sim.state.messages)
            for m in self.sim.state.bot_messages(chat)
            if m.text in (APOLOGY_ZH, APOLOGY_EN)
        )

    async def count(self, model: Any, *where: Any) -> int:
        async with self.db.session() as session:
            query = select(func.count()).select_from(model)
            for clause in where:
                query = query.where(clause)
            return int((await session.exec(query)).one())


def hotline_config(config: Config, staff: int) -> Config:
    return config.model_copy(
        update={
            "access": config.access.model_copy(update={"staff_chat": staff}),
            "hotline": HotlineConfig.model_validate(dict(CHEAP_HASH)),
        }
    )


@asynccontextmanager
async def bench_bot(
    tmp_path: Path, *, db: Database | None = None, check_violations: bool = True
) -> AsyncIterator[Bench]:
    """The bot for a module, with one registered person per role."""
    async with BotApiSimulator(
        token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手"
    ) as sim:
        staff = sim.add_group("投诉受理工作群", supergroup=True)
        base = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        )
        config = hotline_config(base, staff.id)
        database = db or Database(config.storage.url)
        clock = TravelClock(START)
        try:
            async with running(config, clock=clock, db=database, poll_timeout=1) as app:
                await units.import_units(database, list(enumerate(UNITS, start=2)), now=clock.now())
                h = Harness(sim=sim, app=app, db=database, clock=clock, config=config)
                admin = sim.add_user("管理员", user_id=ADMIN_ID)
                await h.ask(admin, "/start")
                made = []
                for role, unit, name, uid in (
                    (Role.CASE_OFFICER, "EDU", "刘干事", 660001),
                    (Role.UNIT_HEAD, "SCH001", "王校长", 660002),
                    (Role.MEMBER, "SCH001", "周老师", 660003),
                    (Role.UNIT_HEAD, "SCH002", "李校长", 660004),
                    (Role.MEMBER, "SCH002", "吴老师", 660005),
                ):
                    user = sim.add_user(name, user_id=uid)
                    await h.register(user, role, unit)
                    made.append(user)
                people = People(admin, *made)
                ids = {}
                for code in ("EDU", "D01", "SCH001", "SCH002"):
                    found = await units.by_code(database, code)
                    assert found is not None and found.id is not None
                    ids[code] = found.id
                yield Bench(h=h, staff=staff, people=people, unit_ids=ids)
        finally:
            if db is None:
                await database.dispose()
        if check_violations:
            assert sim.violations == []
