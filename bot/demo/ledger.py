"""Demo scene of `/ledger`: the unit head lists three problems, signs the list off and marks
one rectified; a case officer of the personnel section verifies it (销号)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from domain.membership.roles import Role
from simulator import SimUser
from storage.membership import invites

if TYPE_CHECKING:
    from bot.demo.stage import Stage


async def _add(stage: Stage, description: str, measure: str, deadline: str, who: str) -> None:
    """The head adds one problem through the conversation."""
    t, sim, head = stage.t, stage.sim, stage.head
    chat = sim.private_chat(head)
    await sim.drain(chat)
    await sim.press_button(head, t.gettext("➕ Add a problem"))
    categories = await sim.next_message(chat)
    await sim.press_button(head, categories.buttons[3][0])  # 慢 slow execution
    await sim.next_message(chat)
    for text in (description, measure, deadline):
        await sim.send_text(head, text)
        await sim.next_message(chat)
    if who:
        await sim.press_button(head, who)
    else:
        await sim.drain(chat)
        await sim.press_button(head, t.gettext("Someone not on Telegram"))
        await sim.wait_edit(chat)
        await sim.send_text(head, t.gettext("Director Wang (academic office)"))
    await sim.next_message(chat)
    await sim.press_button(head, t.gettext("Done"))
    await sim.next_message(chat)


async def _handler(stage: Stage) -> SimUser:
    made = await invites.create_invite(
        stage.db,
        unit_code="RSG",
        role=Role.CASE_OFFICER,
        max_uses=1,
        ttl=timedelta(days=14),
        now=stage.clock.now(),
        created_by="cli",
    )
    user = stage.sim.add_user("刘干事", language_code="zh-hans")
    await stage.sim.send_command(user, "/start", made.token)
    await stage.sim.next_message(stage.sim.private_chat(user))
    return user


async def scene_ledger(stage: Stage) -> None:
    t, sim, head = stage.t, stage.sim, stage.head
    chat = sim.private_chat(head)
    stage.narrate(
        t.gettext(
            "Self-inspection: the head lists three problems, each with a measure, a deadline "
            "and a person responsible."
        )
    )
    await sim.send_command(head, "/ledger")
    await sim.next_message(chat)
    await _add(
        stage,
        t.gettext("Homework approvals take <b>two weeks</b> in the academic office"),
        t.gettext("Approve within three working days; weekly check by the deputy head"),
        "2027-04-30",
        stage.teacher.first_name,
    )
    await _add(
        stage,
        t.gettext("Duty roster not kept on Friday evenings"),
        t.gettext("Publish the roster; the head checks it every Friday"),
        "4/15",
        "",
    )
    await _add(
        stage,
        t.gettext("Repair requests left unanswered for a month"),
        t.gettext("One register of requests, answered within a week"),
        "5月20日",
        "",
    )
    stage.narrate(t.gettext("The head signs the list off (签字); it gets a version and a time."))
    await sim.send_command(head, "/ledger")
    await sim.next_message(chat)
    await sim.drain(chat)
    await sim.press_button(head, t.gettext("✍ Sign off"))
    await sim.wait_edit(chat)
    await sim.press_button(head, t.gettext("Confirm sign-off"))
    listing = await sim.wait_edit(chat)
    stage.narrate(
        t.gettext("Right after signing, the head gets the list as a PDF to print, sign and stamp.")
    )
    signed = await sim.next_message(chat, timeout=60.0)  # drawing the PDF takes a moment
    assert signed.document is not None, "the problem list did not arrive"

    stage.narrate(
        t.gettext("A week later the first problem is fixed: the head marks it rectified.")
    )
    stage.clock.advance(timedelta(days=7))
    await sim.press_button(head, listing.buttons[0][0])
    await sim.wait_edit(chat)
    await sim.press_button(head, t.gettext("Mark rectified"))
    await sim.next_message(chat)
    await sim.send_text(head, t.gettext("Approvals now take two days; the register is attached."))
    await sim.next_message(chat)
    await sim.press_button(head, t.gettext("Done"))
    await sim.next_message(chat)

    stage.narrate(
        t.gettext("A case handler of the personnel section checks it and verifies it (销号).")
    )
    handler = await _handler(stage)
    handler_chat = sim.private_chat(handler)
    await sim.send_command(handler, "/ledger", "unsigned")
    await sim.next_message(handler_chat)
    await sim.send_command(handler, "/ledger", "SCH001")
    page = await sim.next_message(handler_chat)
    await sim.press_button(handler, page.buttons[0][0])
    await sim.wait_edit(handler_chat)
    await sim.press_button(handler, t.gettext("✅ Verify"))
    await sim.wait_edit(handler_chat)
