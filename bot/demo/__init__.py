"""`python -m bot demo`: the real bot against the Bot API simulator, with a temporary SQLite
database and a travelling clock, playing a scripted walk-through of every feature that exists.
It prints the conversation as a chat transcript and never touches the network.

Each feature adds its scene to `SCENES`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import TravelClock
from bot.demo.checkin import scene_checkin
from bot.demo.desk_inbox import scene_inbox
from bot.demo.desk_stats import scene_stats_and_export
from bot.demo.forms import scene_forms
from bot.demo.hotline import scene_hotline
from bot.demo.inspection import scene_inspection
from bot.demo.ledger import scene_ledger
from bot.demo.loop import scene_loop, scene_phone_line
from bot.demo.people import scene_people
from bot.demo.reminders import scene_phase_notice, scene_reminders
from bot.demo.reports import scene_report_with_photo
from bot.demo.stage import DEMO_TOKEN, EXAMPLE_CONFIG, Stage, example_config
from bot.runtime import running
from domain.membership.roles import Role
from domain.membership.units import UnitKind, UnitRow
from handlers.i18n import Catalogs
from simulator import LABELS_EN, LABELS_ZH, BotApiSimulator
from storage.db import Database
from storage.membership import units

# What tests and tools take from the demo: the example campaign's config.
__all__ = ["DEMO_TOKEN", "EXAMPLE_CONFIG", "Stage", "example_config", "run_demo"]

DEMO_BOT = "rectify_demo_bot"
ADMIN_ID = 900001
# 2027-02-20 09:00 in Shanghai: phase 1 (mobilisation) is under way.
DEMO_START = datetime(2027, 2, 20, 1, 0, tzinfo=UTC)
DEMO_UNITS = [
    UnitRow("EDU", "县教文广新体局", UnitKind.BUREAU, None),
    UnitRow("RSG", "人事股", UnitKind.SECTION, "EDU"),
    UnitRow("D01", "城关学区", UnitKind.DISTRICT, "EDU"),
    UnitRow("SCH001", "城关第一中学", UnitKind.SCHOOL, "D01"),
]


async def scene_registration(stage: Stage) -> None:
    t = stage.t
    stage.narrate(t.gettext("The office imports its units and sends a teacher an invite link."))
    token = await stage.invite(Role.MEMBER)
    await stage.sim.send_command(stage.teacher, "/start")
    await stage.sim.next_message(stage.sim.private_chat(stage.teacher))
    await stage.sim.send_command(stage.teacher, "/start", token)
    await stage.sim.next_message(stage.sim.private_chat(stage.teacher))
    await stage.sim.send_command(stage.teacher, "/help")
    await stage.sim.next_message(stage.sim.private_chat(stage.teacher))

    stage.narrate(t.gettext("Someone else tries the same single-use link, then a forged one."))
    chat = stage.sim.private_chat(stage.late_teacher)
    await stage.sim.send_command(stage.late_teacher, "/start", token)
    await stage.sim.next_message(chat)
    await stage.sim.send_command(stage.late_teacher, "/start", "forged-invite-token")
    await stage.sim.next_message(chat)

    stage.narrate(t.gettext("Fifteen days later, an invite that was valid for fourteen days."))
    stale = await stage.invite(Role.MEMBER, days=14)
    stage.clock.advance(timedelta(days=15))
    await stage.sim.send_command(stage.late_teacher, "/start", stale)
    await stage.sim.next_message(chat)


async def scene_language(stage: Stage) -> None:
    t = stage.t
    stage.narrate(t.gettext("The teacher switches language; the choice is remembered."))
    chat = stage.sim.private_chat(stage.teacher)
    other = "English" if t.language == "zh_CN" else "简体中文"
    await stage.sim.send_command(stage.teacher, "/language")
    await stage.sim.next_message(chat)
    await stage.sim.press_button(stage.teacher, other)
    await stage.sim.wait_edit(chat)
    await stage.sim.send_command(stage.teacher, "/help")
    await stage.sim.next_message(chat)


async def scene_unit_head_and_group(stage: Stage) -> None:
    t = stage.t
    stage.narrate(
        t.gettext("The head of the school joins; an administrator binds the school's group.")
    )
    head_chat = stage.sim.private_chat(stage.head)
    await stage.sim.send_command(stage.head, "/start", await stage.invite(Role.UNIT_HEAD))
    await stage.sim.next_message(head_chat)
    await stage.sim.send_command(stage.admin, "/bindgroup", "SCH001", chat=stage.group)
    await stage.sim.next_message(stage.group)

    stage.narrate(
        t.gettext("A report is never collected in a group: the bot offers a private chat.")
    )
    await stage.sim.send_command(stage.teacher, "/report", chat=stage.group)
    await stage.sim.next_message(stage.group)


Scene = Callable[[Stage], Awaitable[None]]
SCENES: tuple[Scene, ...] = (
    scene_registration,
    scene_language,
    scene_unit_head_and_group,
    scene_phase_notice,
    scene_report_with_photo,
    scene_ledger,
    scene_reminders,
    scene_hotline,
    scene_stats_and_export,
    scene_inbox,
    scene_loop,
    scene_phone_line,
    scene_checkin,
    scene_inspection,
    scene_forms,
    scene_people,
)


async def run_demo(*, language: str = "zh_CN", out: TextIO | None = None) -> int:
    """Play every scene and print the transcript; 0 when all went as scripted."""
    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="bot-demo-") as tmp:
        async with BotApiSimulator(
            token=DEMO_TOKEN, bot_username=DEMO_BOT, bot_name="整改助手"
        ) as sim:
            staff = sim.add_group(title="投诉受理工作群", supergroup=True)
            config = example_config(
                base_url=sim.base_url,
                base_file_url=sim.base_file_url,
                storage_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
                language=language,
                admins=[ADMIN_ID],
                staff_chat=staff.id,
            )
            t = Catalogs(default_language=language, timezone=config.campaign.tz).get(language)
            clock = TravelClock(DEMO_START)
            db = Database(config.storage.url)
            try:
                async with running(config, clock=clock, db=db, poll_timeout=1):
                    await units.import_units(
                        db, list(enumerate(DEMO_UNITS, start=2)), now=clock.now()
                    )
                    zh = "zh-hans"
                    stage = Stage(
                        sim=sim,
                        db=db,
                        clock=clock,
                        t=t,
                        admin=sim.add_user("局管理员", user_id=ADMIN_ID, language_code=zh),
                        teacher=sim.add_user("张老师", language_code=zh),
                        head=sim.add_user("李校长", language_code=zh),
                        late_teacher=sim.add_user("王老师", language_code=zh),
                        group=sim.add_group(title="城关一中工作群", supergroup=True),
                        staff=staff,
                    )
                    try:
                        for scene in SCENES:
                            await scene(stage)
                    except BaseException:  # show where the script broke off
                        print(sim.render_transcript(), file=sys.stderr)
                        raise
            finally:
                await db.dispose()
            labels = LABELS_ZH if language == "zh_CN" else LABELS_EN
            print(sim.render_transcript(labels=labels), file=out)
            if sim.violations:
                print("\n".join(sim.violations), file=sys.stderr)
                return 1
    return 0
