"""The demo's stage: the example campaign's config pointed at the simulator, what every scene
may use (`Stage`), and the reminder engine the scenes run sweeps with. The scenes import this;
`bot.demo` (the entry) sets the stage up and plays them.
"""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.app import settings_from
from bot.clock import TravelClock
from bot.config import Config, config_from_dict
from bot.reminders.sweep import ReminderEngine, telegram_send, telegram_send_pictures
from domain.membership.roles import Role
from handlers.i18n import Catalogs, Translator
from simulator import BotApiSimulator, SimChat, SimUser
from storage.db import Database
from storage.membership import invites

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config.example.toml"
DEMO_TOKEN = "424242:DEMO-simulated-token"
# The simulator's flood clock (when a test switches its limits on) and the bot's pacer run
# this many times faster than real time: Telegram's strict limits, kept in a hundredth of the
# time (`[telegram] pace_speed`; 1 against Telegram).
SIM_SPEED = 100.0


def example_config(
    *,
    base_url: str,
    base_file_url: str,
    storage_url: str,
    language: str,
    admins: list[int],
    token: str = DEMO_TOKEN,
    staff_chat: int | None = None,
) -> Config:
    """The example campaign, pointed at the simulator and a throw-away database."""
    data: dict[str, Any] = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["telegram"].update(
        {
            "token": token,
            "base_url": base_url,
            "base_file_url": base_file_url,
            "pace_speed": SIM_SPEED,
        }
    )
    data["storage"] = {"url": storage_url}
    data["campaign"]["language"] = language
    data.setdefault("access", {})["admins"] = admins
    if staff_chat is not None:
        data["access"]["staff_chat"] = staff_chat
    return config_from_dict(data, env={})


@dataclass
class Stage:
    """Everything a scene may use."""

    sim: BotApiSimulator
    db: Database
    clock: TravelClock
    t: Translator
    admin: SimUser
    teacher: SimUser
    head: SimUser
    late_teacher: SimUser
    group: SimChat
    staff: SimChat | None = None  # the staff chat of [access] staff_chat

    async def invite(
        self, role: Role, *, uses: int = 1, days: int = 14, unit_code: str = "SCH001"
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

    def narrate(self, text: str) -> None:
        self.sim.narrate(text)


@asynccontextmanager
async def reminder_engine(stage: Stage, staff_chat: int | None) -> AsyncIterator[ReminderEngine]:
    """The reminder engine of the running demo (its rules, outbox and sender), with
    `staff_chat` as the staff chat: the scenes run sweeps with it at the stops they choose."""
    config = example_config(
        base_url=stage.sim.base_url,
        base_file_url=stage.sim.base_file_url,
        storage_url=stage.db.url,
        language=stage.t.language,
        admins=[],
    )
    settings = settings_from(config)
    bot: Bot = ExtBot(
        DEMO_TOKEN,
        base_url=config.telegram.base_url,
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=config.campaign.tz),
    )
    async with bot:
        yield ReminderEngine(
            db=stage.db,
            clock=stage.clock,
            campaign=settings.campaign,
            policy=settings.reminders,
            calendar=settings.calendar,
            catalogs=Catalogs(default_language=stage.t.language, timezone=config.campaign.tz),
            staff_chat=staff_chat,
            send=telegram_send(bot),
            send_pictures=telegram_send_pictures(bot),
            max_attempts=config.reminders.max_send_attempts,
        )
