"""Demo scenes of the reminder engine: the clock travels through the campaign and the sweep
runs at each stop, exactly as the recurring job would run it (`sweep_once`). The school group
hears that phase 2 began; a unit head who has not signed off gets the April 5 ladder; an item
goes overdue, is chased, lands in the head's weekly list (one digest a day), goes to the
district head (who chases the school) and is escalated to the staff chat (通报).

The demo's config has no staff chat, so these scenes run the same engine with one: the real
rules, outbox and sender, through python-telegram-bot against the simulator.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.demo.stage import reminder_engine
from bot.jobs.brief import BriefSource
from domain.brief import BriefPolicy
from domain.membership.roles import Role
from storage.membership import invites

if TYPE_CHECKING:
    from bot.demo.stage import Stage

STAFF_GROUP = "局作风办工作群"


def _at_nine(month: int, day: int) -> datetime:
    return datetime(2027, month, day, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


async def _travel(stage: Stage, when: datetime) -> None:
    if when > stage.clock.now():
        stage.clock.set(when)


async def scene_phase_notice(stage: Stage) -> None:
    t = stage.t
    stage.narrate(
        t.gettext(
            "The reminder sweep runs (every minute in real life): the school's group hears "
            "that phase 2 began and what it asks."
        )
    )
    async with reminder_engine(stage, None) as engine:
        await engine.sweep_once()
    await stage.sim.next_message(stage.group)


async def scene_reminders(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    staff = sim.add_group(STAFF_GROUP, supergroup=True)
    made = await invites.create_invite(
        stage.db,
        unit_code="D01",
        role=Role.UNIT_HEAD,
        max_uses=1,
        ttl=timedelta(days=14),
        now=stage.clock.now(),
        created_by="cli",
    )
    district_head = sim.add_user("陈主任", language_code="zh-hans")
    await sim.send_command(district_head, "/start", made.token)
    await sim.next_message(district_head)
    async with reminder_engine(stage, staff.id) as engine:
        stage.narrate(
            t.gettext(
                "March 29, 09:00: seven days before the problem list is due (April 5). The "
                "district head has not signed off and is reminded; the school head signed off "
                "and is not."
            )
        )
        await _travel(stage, _at_nine(3, 29))
        await engine.sweep_once()
        await sim.next_message(district_head)
        stage.narrate(t.gettext("April 5, 09:00: the deadline day."))
        await _travel(stage, _at_nine(4, 5))
        await engine.sweep_once()
        await sim.next_message(district_head)

        stage.narrate(
            t.gettext(
                "The duty-roster problem was due on April 15 and is still open. The next "
                "morning the head is chased."
            )
        )
        await _travel(stage, _at_nine(4, 16))
        await engine.sweep_once()
        stage.narrate(
            t.gettext(
                "Monday April 19: the chase and the weekly overdue list arrive as one digest "
                "(at most one reminder message a day)."
            )
        )
        # the weekly brief joins here (it would have come on the Mondays before too)
        engine.sources.append(
            BriefSource(
                db=stage.db,
                brief=BriefPolicy(timezone=engine.policy.timezone),
                campaign=engine.campaign,
                policy=engine.policy,
                calendar=engine.calendar,
            )
        )
        await sim.drain(staff)  # what the staff chat heard before
        stage.narrate(
            t.gettext(
                "The same Monday morning the staff chat gets the weekly brief: ledger progress "
                "per unit in a picture (units behind first, every unit shown), new and overdue "
                "cases and the week's trend. No reporter or complainant is named."
            )
        )
        await _travel(stage, _at_nine(4, 19))
        await engine.sweep_once()
        brief = await sim.next_message(staff, timeout=60)  # the picture is drawn in a thread
        assert brief.photo is not None, "the weekly brief did not arrive"
        stage.narrate(
            t.gettext(
                "April 20: three working days overdue. The school's district head hears of it "
                "first (报学区), before the bureau."
            )
        )
        await _travel(stage, _at_nine(4, 20))
        await engine.sweep_once()
        await sim.next_message(district_head)
        stage.narrate(t.gettext("The district head chases (催办) the school from its ledger page."))
        await sim.send_command(district_head, "/ledger", "SCH001")
        await sim.next_message(district_head)
        await sim.drain(sim.private_chat(stage.head))  # the head's own chase of the day
        await sim.press_button(district_head, t.gettext("⏰ Chase the school"))
        await sim.next_message(stage.head)  # the bot's own sender delivers the chase
        stage.narrate(
            t.gettext(
                "April 22: five working days overdue. The staff chat gets the escalation "
                "(通报) naming the unit."
            )
        )
        await _travel(stage, _at_nine(4, 22))
        await engine.sweep_once()
        await sim.next_message(staff)
