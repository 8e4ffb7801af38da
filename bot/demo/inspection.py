"""Demo scene of unannounced inspections (明察暗访): the administrator opens a round and puts a
bureau member on the inspection team; the inspector records a finding at the school with
/inspect; a case officer accepts it in /inbox and dispatches it to the school's ledger with a
deadline; /round counts the round's findings per unit."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from domain.membership.roles import Role
from storage.membership import invites

if TYPE_CHECKING:
    from bot.demo.stage import Stage
    from simulator import SimUser


async def _join(stage: Stage, name: str, unit: str, role: Role) -> SimUser:
    user = stage.sim.add_user(name, language_code="zh-hans")
    made = await invites.create_invite(
        stage.db,
        unit_code=unit,
        role=role,
        max_uses=1,
        ttl=timedelta(days=14),
        now=stage.clock.now(),
        created_by="cli",
    )
    await stage.sim.send_command(user, "/start", made.token)
    await stage.sim.next_message(stage.sim.private_chat(user))
    return user


def _labelled(buttons: list[list[str]], text: str) -> str:
    return next(b for row in buttons for b in row if text in b)


async def scene_inspection(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    admin = sim.private_chat(stage.admin)
    await sim.drain(admin)  # earlier scenes' messages are not this scene's
    stage.narrate(
        t.gettext(
            "Unannounced inspections: the administrator opens a round and names an inspector."
        )
    )
    inspector = await _join(stage, "督查组 孙干事", "EDU", Role.MEMBER)
    handler = await _join(stage, "人事股 周干事", "RSG", Role.CASE_OFFICER)
    await sim.send_command(stage.admin, "/round", "new 春季明察暗访")
    await sim.next_message(admin)
    await sim.send_command(stage.admin, "/inspector", "EDU")
    team = await sim.next_message(admin)
    await sim.press_button(stage.admin, "☐ 督查组 孙干事")
    await sim.wait_edit(team)

    stage.narrate(t.gettext("At the school the inspector records what they see, on the spot."))
    chat = sim.private_chat(inspector)
    await sim.send_command(inspector, "/inspect")
    await sim.next_message(chat)
    await sim.send_text(inspector, "SCH001")
    found = await sim.next_message(chat)
    await sim.press_button(inspector, found.buttons[0][0])
    await sim.next_message(chat)
    await sim.press_button(inspector, t.gettext("Stock trading or gaming at work"))
    await sim.next_message(chat)
    await sim.send_text(inspector, "上午第三节课，一名值班教师在办公室用手机炒股。")
    photos = await sim.next_message(chat)
    await sim.press_button(inspector, photos.buttons[0][0])
    await sim.next_message(chat)
    await sim.press_button(inspector, t.gettext("Now"))
    await sim.next_message(chat)
    await sim.press_button(inspector, t.gettext("Submit"))
    await sim.next_message(chat)

    stage.narrate(
        t.gettext("A case handler accepts the finding and dispatches it to the school's ledger.")
    )
    desk = sim.private_chat(handler)
    await sim.send_command(handler, "/inbox")
    listing = await sim.next_message(desk)
    await sim.press_button(handler, _labelled(listing.buttons, "F-"))
    await sim.next_message(desk)
    await sim.press_button(handler, t.gettext("Accept (I am responsible)"))
    await sim.wait_edit(desk)
    await sim.press_button(handler, t.gettext("Dispatch to the unit"))
    prompt = await sim.next_message(desk)
    deadline = stage.clock.now() + timedelta(days=14)
    await sim.send_text(handler, deadline.strftime("%Y-%m-%d"), reply_to=prompt)
    second = await sim.next_message(desk)
    await sim.send_text(handler, "约谈当事教师，全校通报，建立手机管理制度。", reply_to=second)
    await sim.next_message(desk)

    stage.narrate(t.gettext("The round's findings, counted per unit."))
    await sim.send_command(stage.admin, "/round")
    await sim.next_message(admin)
