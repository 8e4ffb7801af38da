"""Demo scene of the staff desk: a case officer of 人事股 opens /inbox, accepts a teacher's
report (谁受理谁负责), replies to the reporter and closes it: what the report was found to be,
who was held accountable (问责) and a summary."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from domain.cases.accountability import DEFAULT_HANDLINGS
from domain.membership.roles import Role
from storage.membership import invites

if TYPE_CHECKING:
    from bot.demo.stage import Stage


def _button_starting(buttons: list[list[str]], prefix: str) -> str:
    return next(b for row in buttons for b in row if b.startswith(prefix))


async def scene_inbox(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    handler = sim.add_user("人事股 刘干事")
    chat = sim.private_chat(handler)
    made = await invites.create_invite(
        stage.db,
        unit_code="RSG",
        role=Role.CASE_OFFICER,
        max_uses=1,
        ttl=timedelta(days=14),
        now=stage.clock.now(),
        created_by="cli",
    )
    stage.narrate(t.gettext("A case handler of the personnel section opens the inbox."))
    await sim.send_command(handler, "/start", made.token)
    await sim.next_message(chat)
    await sim.send_command(handler, "/inbox")
    listing = await sim.next_message(chat)
    await sim.press_button(handler, _button_starting(listing.buttons, "📄"))
    await sim.next_message(chat)

    stage.narrate(t.gettext("Whoever accepts a case is responsible for it; the reporter is told."))
    await sim.press_button(handler, t.gettext("Accept (I am responsible)"))
    await sim.wait_edit(chat)

    stage.narrate(t.gettext("The handler replies to the reporter, then closes the case."))
    await sim.press_button(handler, t.gettext("Reply to the reporter"))
    prompt = await sim.next_message(chat)
    await sim.send_text(
        handler,
        t.gettext(
            "We checked the sign-out sheets and talked with the teacher; "
            "the school has tightened its attendance checks."
        ),
        reply_to=prompt,
    )
    await sim.next_message(chat)
    await sim.wait_edit(chat)
    stage.narrate(
        t.gettext(
            "Closing records the finding and who was held accountable (问责): staff records, "
            "never shown to the person who reported."
        )
    )
    await sim.press_button(handler, t.gettext("Close with a summary"))
    findings = await sim.next_message(chat)
    await sim.press_button(handler, t.gettext("Partly substantiated"))
    await sim.wait_edit(findings)
    await sim.press_button(handler, DEFAULT_HANDLINGS[1].name_for(t.language))
    prompt = await sim.next_message(chat)
    await sim.send_text(handler, t.gettext("Teacher Zhao (class 3 head teacher)"), reply_to=prompt)
    await sim.next_message(chat)
    await sim.press_button(handler, t.gettext("Done: close the case"))
    prompt = await sim.next_message(chat)
    await sim.send_text(
        handler,
        t.gettext("Verified and rectified; the reporter was answered."),
        reply_to=prompt,
    )
    await sim.next_message(chat)
    await sim.wait_edit(chat)
