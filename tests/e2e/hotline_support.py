"""Shared by the hotline's end-to-end tests: the bot with a staff chat, cheap receipt hashing
and a case officer in that chat, and a helper that files a complaint as a person would."""

from __future__ import annotations

import contextlib
import copy
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.clock import TravelClock
from bot.config.hotline import HotlineConfig
from bot.demo import example_config
from bot.runtime import running
from domain.membership.roles import Role
from simulator import BotApiSimulator, SimChat, SimUser
from storage.db import Database
from storage.membership import units
from tests.e2e.conftest import ADMIN_ID, START, TOKEN, UNITS, Harness
from tests.template_db import migrated_sqlite

CHEAP_HASH = {"hash_time_cost": 1, "hash_memory_kib": 256, "hash_parallelism": 1}
RECEIPT_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
# A complainant whose every identifier is distinctive, so a leak cannot hide in noise.
COMPLAINANT = {
    "first_name": "Xiaoqiang",
    "last_name": "Zhuangmingyu",
    "username": "parent_whistle_8841",
    "user_id": 7390152846,
}


@dataclass
class Hotline:
    h: Harness
    staff: SimChat
    handler: SimUser

    @property
    def sim(self) -> BotApiSimulator:
        return self.h.sim

    def complainant(self) -> SimUser:
        c = COMPLAINANT
        if int(c["user_id"]) in self.sim.state.chats:  # known from a run before a restart
            return self.sim.user(int(c["user_id"]))
        return self.sim.add_user(
            str(c["first_name"]),
            str(c["last_name"]),
            str(c["username"]),
            "zh-hans",
            user_id=int(c["user_id"]),
        )

    async def press(self, user: SimUser, label: str, chat: SimChat | SimUser | None = None) -> str:
        """Press a button and return the next message text in that chat."""
        target = chat if chat is not None else user
        await self.sim.press_button(user, label, chat=chat)
        return (await self.sim.next_message(target)).text

    async def say(self, user: SimUser, text: str, chat: SimChat | SimUser | None = None) -> str:
        target = chat if chat is not None else user
        await self.sim.send_text(user, text, chat=chat)
        return (await self.sim.next_message(target)).text

    async def file(
        self,
        user: SimUser,
        text: str = "城关第一中学食堂今年多次收取学生额外伙食费，没有收据。",
        *,
        unit: str | None = "一中",
        photo: bytes | None = None,
        push: bool = False,
    ) -> str:
        """Walk through /complain and return the receipt."""
        await self.h.ask(user, "/complain")
        await self.press(user, "继续")
        await self.sim.press_button(user, self.first_category_label(user))
        await self.sim.wait_edit(self.sim.private_chat(user))
        await self.sim.next_message(user)  # unit question
        if unit is None:
            await self.sim.press_button(user, "不知道")
        else:
            await self.say(user, unit)
            await self.sim.press_button(user, "城关第一中学")
        await self.sim.next_message(user)  # what happened?
        await self.say(user, text)  # evidence prompt
        if photo is not None:
            await self.sim.send_photo(user, photo)
            await self.sim.next_message(user)
        await self.press(user, "完成")  # push question
        await self.press(user, "通知我" if push else "不需要通知")  # summary
        answer = await self.press(user, "提交")
        found = RECEIPT_RE.search(answer)
        assert found is not None, answer
        return found.group(0)

    async def close_from_card(self, finding: str = "无法核实") -> str:
        """The card's Close, then a finding after which nobody is held accountable; the text
        the closing message is edited to."""
        findings_text = await self.press(self.handler, "办结", chat=self.staff)
        assert "核查结论" in findings_text, findings_text
        findings = self.sim.bot_messages(self.staff)[-1]
        await self.sim.press_button(self.handler, finding, chat=self.staff)
        return (await self.sim.wait_edit(findings)).text

    async def to_evidence(self, user: SimUser, text: str) -> str:
        """Walk /complain (first category, unit not known) to the evidence prompt; its text."""
        await self.h.ask(user, "/complain")
        await self.press(user, "继续")
        await self.sim.press_button(user, self.first_category_label(user))
        await self.sim.next_message(user)
        await self.sim.press_button(user, "不知道")
        await self.sim.next_message(user)
        return await self.say(user, text)

    def first_category_label(self, user: SimUser) -> str:
        msg = self.sim.bot_messages(user)[-1]
        return msg.buttons[0][0] if msg.buttons else ""


@asynccontextmanager
async def hotline_bot(
    tmp_path: Path,
    *,
    db: Database | None = None,
    text_max_chars: int | None = None,
    staff_supergroup: bool = True,
    sim: BotApiSimulator | None = None,  # one the test keeps across restarts (same database)
    **hotline: object,
) -> AsyncIterator[Hotline]:
    async with contextlib.AsyncExitStack() as stack:
        sim = sim or await stack.enter_async_context(
            BotApiSimulator(token=TOKEN, bot_username="rectify_test_bot", bot_name="整改助手")
        )
        staff = sim.add_group("投诉受理工作群", supergroup=staff_supergroup)
        base = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="zh_CN",
            admins=[ADMIN_ID],
            token=TOKEN,
        )
        config = base.model_copy(
            update={
                "access": base.access.model_copy(update={"staff_chat": staff.id}),
                "hotline": HotlineConfig.model_validate({**CHEAP_HASH, **hotline}),
            }
        )
        if text_max_chars is not None:  # [limits] text_max_chars, e.g. at its maximum
            limits = config.limits.model_copy(update={"text_max_chars": text_max_chars})
            config = config.model_copy(update={"limits": limits})
        database = db or Database(config.storage.url)
        clock = TravelClock(START)
        try:
            async with running(config, clock=clock, db=database, poll_timeout=1) as app:
                await units.import_units(database, list(enumerate(UNITS, start=2)), now=clock.now())
                h = Harness(sim=sim, app=app, db=database, clock=clock, config=config)
                if 660001 in sim.state.chats:  # registered in a run before a restart
                    handler = sim.user(660001)
                else:
                    handler = sim.add_user("刘干事", user_id=660001)
                    await h.register(handler, Role.CASE_OFFICER)
                yield Hotline(h=h, staff=staff, handler=handler)
        finally:
            if db is None:
                await database.dispose()
        assert sim.violations == []


async def forge_press(sim: BotApiSimulator, user: SimUser, chat: SimChat, data: str) -> str:
    """Press a button whose callback data the user made up, on the bot's last message."""
    st = sim.state
    msg = st.bot_messages(chat.id)[-1]
    query_id = str(secrets.randbits(62))
    st.callback_queries[query_id] = False
    st.callback_chats[query_id] = chat.id
    st.updates.push(
        "callback_query",
        {
            "id": query_id,
            "from": st.user(user.id).to_dict(),
            "message": copy.deepcopy(msg.raw),
            "chat_instance": chat.chat_instance,
            "data": data,
        },
    )
    return query_id


async def answer_of(sim: BotApiSimulator, query_id: str) -> str | None:
    """The notice the bot answered a button press with."""
    answers = sim.callback_answers
    answered = await sim.state.signal.wait_for(lambda: any(a.id == query_id for a in answers), 5.0)
    assert answered, "the press was not answered"
    return next(a.text for a in answers if a.id == query_id)
