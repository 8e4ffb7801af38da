"""Demo scene of the "124" boarding duty: the administrator marks the school as a boarding
school and three of its leaders as school-level cadres; one declares leave, which the head
approves; on the next duty Monday evening the sweep calls the cadres, one checks in; the next
morning the head and the staff chat hear who was missing.

It runs the reminder engine with the duty's rules exactly as the bot does (the demo's engine
helper, plus bot/jobs/checkin.py's rule source), then `sweep_once` at each stop.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.demo.stage import reminder_engine
from bot.jobs.checkin import DutySource
from domain.duties.checkin import DutyPolicy, at, is_duty_day
from domain.membership.roles import Role
from storage.membership import invites

if TYPE_CHECKING:
    from bot.demo.stage import Stage
    from simulator import SimUser

CADRES = ("王副校长", "赵副校长", "钱书记")


async def _join(stage: Stage, name: str) -> SimUser:
    user = stage.sim.add_user(name, language_code="zh-hans")
    made = await invites.create_invite(
        stage.db,
        unit_code="SCH001",
        role=Role.MEMBER,
        max_uses=1,
        ttl=timedelta(days=14),
        now=stage.clock.now(),
        created_by="cli",
    )
    await stage.sim.send_command(user, "/start", made.token)
    await stage.sim.next_message(stage.sim.private_chat(user))
    return user


def _set(stage: Stage, when: datetime) -> None:
    if when > stage.clock.now():
        stage.clock.set(when)


async def scene_checkin(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    assert stage.staff is not None
    async with reminder_engine(stage, stage.staff.id) as engine:
        policy = DutyPolicy(timezone=engine.policy.timezone)
        engine.sources.append(
            DutySource(db=stage.db, policy=policy, calendar=engine.calendar, staff=True)
        )
        stage.narrate(
            t.gettext(
                "“124” duty: the administrator marks the school as a boarding school and three "
                "of its leaders as school-level cadres."
            )
        )
        here, away, missing = [await _join(stage, name) for name in CADRES]
        admin = sim.private_chat(stage.admin)
        for chat in (admin, sim.private_chat(stage.head), stage.staff):
            await sim.drain(chat)  # earlier scenes' messages are not this scene's
        await sim.send_command(stage.admin, "/boarding", "SCH001 36.0611 103.8343 300")
        await sim.next_message(admin)
        await sim.send_command(stage.admin, "/cadre", "SCH001")
        marks = await sim.next_message(admin)
        for name in CADRES:
            await sim.press_button(stage.admin, f"☐ {name}")
            await sim.wait_edit(marks)

        today = stage.clock.now().astimezone(policy.timezone).date()
        monday = today + timedelta(days=7 - today.weekday())
        while not is_duty_day(monday, policy, engine.calendar):
            monday += timedelta(days=7)
        stage.narrate(t.gettext("A cadre declares leave in advance; the head approves it."))
        await sim.send_command(away, "/leave", f"{monday.isoformat()} 赴市教育局参加培训")
        request = await sim.next_message(sim.private_chat(stage.head))
        await sim.next_message(sim.private_chat(away))
        await sim.press_button(stage.head, request.buttons[0][0])
        await sim.wait_edit(request)
        await sim.next_message(sim.private_chat(away))

        stage.narrate(
            t.gettext(
                "Monday 19:05: each cadre on duty is called; one presses 在校 and shares a "
                "location (only its distance is kept)."
            )
        )
        _set(stage, at(monday, time(19, 5), policy))
        await engine.sweep_once()
        call = await sim.next_message(sim.private_chat(here))
        await sim.next_message(sim.private_chat(missing))
        await sim.press_button(here, call.buttons[0][0])
        await sim.next_message(sim.private_chat(here))

        stage.narrate(t.gettext("Tuesday 08:40: the head and the staff chat get the missing list."))
        _set(stage, at(monday + timedelta(days=1), time(8, 40), policy))
        await engine.sweep_once()
        await sim.next_message(sim.private_chat(stage.head))
        await sim.next_message(stage.staff)
