"""The demo's people scene: a unit head's own menu, inviting a teacher from chat, changing a
role, and a deactivation that ends access at once."""

from __future__ import annotations

from bot.demo.stage import Stage


async def scene_people(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    head_chat = sim.private_chat(stage.head)
    await sim.wait_confirmed()  # the previous scene's last edits land before this one starts
    menu = " ".join(f"/{c}" for c in sim.menu_of(stage.head, "zh"))
    stage.narrate(t.gettext("The unit head's own command menu: {commands}", commands=menu))
    stage.narrate(t.gettext("The head invites a new teacher from chat."))
    await sim.drain(head_chat)  # earlier notices the head has not read
    await sim.send_command(stage.head, "/invite")
    link = (await sim.next_message(head_chat)).text.rsplit("\n", 1)[-1]
    newcomer = sim.add_user("赵老师", language_code="zh-hans")
    await sim.send_command(newcomer, "/start", link.split("start=", 1)[1])
    await sim.next_message(sim.private_chat(newcomer))

    stage.narrate(t.gettext("The head lists the school's people and opens a card."))
    await sim.send_command(stage.head, "/members")
    await sim.next_message(head_chat)
    await sim.press_button(stage.head, "赵老师")
    await sim.wait_edit(head_chat)

    stage.narrate(t.gettext("The teacher leaves the school: the head deactivates them."))
    await sim.press_button(stage.head, t.gettext("Deactivate"))
    await sim.wait_edit(head_chat)
    await sim.press_button(stage.head, t.gettext("Yes, deactivate"))
    await sim.wait_edit(head_chat)
    stage.narrate(t.gettext("Their access has ended: /report is refused, /start says why."))
    await sim.send_command(newcomer, "/report")
    await sim.next_message(sim.private_chat(newcomer))
    await sim.send_command(newcomer, "/start")
    await sim.next_message(sim.private_chat(newcomer))
