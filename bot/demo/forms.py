"""Demo scene of forms: a unit head fills in the monthly progress report (进展报送) from
/forms, one question at a time with a summary; the administrator sees who has not answered
(未填报名单) and chases them through the reminder outbox; a parent answers the satisfaction
survey from the school's link, anonymously.

It runs the reminder engine with the forms' rule source exactly as the bot does
(bot/jobs/forms.py), then `sweep_once` once the chase is asked."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.app import settings_from
from bot.demo.stage import example_config, reminder_engine
from bot.jobs.forms import FormSource
from domain.membership.roles import Role
from storage.membership import invites, units

if TYPE_CHECKING:
    from bot.demo.stage import Stage


async def scene_forms(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    assert stage.staff is not None
    head, admin = sim.private_chat(stage.head), sim.private_chat(stage.admin)
    other = sim.add_user("赵股长", language_code="zh-hans")
    made = await invites.create_invite(
        stage.db,
        unit_code="RSG",
        role=Role.UNIT_HEAD,
        max_uses=1,
        ttl=timedelta(days=14),
        now=stage.clock.now(),
        created_by="cli",
    )
    await sim.send_command(other, "/start", made.token)
    await sim.next_message(sim.private_chat(other))
    for chat in (head, admin):
        await sim.drain(chat)

    stage.narrate(
        t.gettext(
            "Forms: the head fills in the monthly progress report, one question at a time, "
            "and checks the summary before submitting."
        )
    )
    await sim.send_command(stage.head, "/forms")
    menu = await sim.next_message(head)
    await sim.press_button(stage.head, menu.buttons[0][0])
    await sim.next_message(head)
    await sim.send_text(stage.head, "3")
    choice = await sim.next_message(head)
    await sim.press_button(stage.head, choice.buttons[0][1])  # not on schedule: one more question
    await sim.next_message(head)
    await sim.send_text(stage.head, "食堂改造等待招标，下月完成")
    optional = await sim.next_message(head)
    await sim.press_button(stage.head, optional.buttons[-1][0])  # skip the file
    summary = await sim.next_message(head)
    await sim.press_button(stage.head, summary.buttons[0][0])
    await sim.next_message(head)

    stage.narrate(
        t.gettext("The administrator sees who has not answered (未填报名单) and chases them.")
    )
    config = example_config(
        base_url=sim.base_url,
        base_file_url=sim.base_file_url,
        storage_url=stage.db.url,
        language=t.language,
        admins=[],
    )
    settings = settings_from(config)
    async with reminder_engine(stage, stage.staff.id) as engine:
        engine.sources.append(
            FormSource(
                db=stage.db,
                forms=settings.forms,
                campaign=settings.campaign,
                policy=engine.policy,
                calendar=engine.calendar,
                staff=True,
            )
        )
        await sim.send_command(stage.admin, "/forms")
        staff_menu = await sim.next_message(admin)
        monthly = next(row[0] for row in staff_menu.buttons if row[0].startswith("📋"))
        await sim.press_button(stage.admin, monthly)
        page = await sim.next_message(admin)
        await sim.press_button(stage.admin, page.buttons[0][0])  # the chase
        await engine.sweep_once()
        await sim.next_message(sim.private_chat(other))

    stage.narrate(
        t.gettext(
            "A parent opens the school's survey link (printed on a notice) and answers anonymously."
        )
    )
    parent = sim.add_user("家长", language_code="zh-hans")
    chat = sim.private_chat(parent)
    school = await units.by_code(stage.db, "SCH001")
    assert school is not None
    await sim.send_command(parent, "/start", f"form-parent_satisfaction-{school.id}")
    await sim.next_message(chat)
    await sim.next_message(chat)
    await sim.press_button(parent, "5")
    fees = await sim.next_message(chat)
    await sim.press_button(parent, fees.buttons[0][0])
    await sim.next_message(chat)
    await sim.send_text(parent, "老师们很负责，谢谢！")
    check = await sim.next_message(chat)
    await sim.press_button(parent, check.buttons[0][0])
    await sim.next_message(chat)
    stage.narrate(t.gettext("The same parent tries the link again: the survey counts once."))
    await sim.send_command(parent, "/start", f"form-parent_satisfaction-{school.id}")
    await sim.next_message(chat)
