"""Demo scene of `/report`: a teacher files a named report with a photo, then lists it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.membership.roles import Role

if TYPE_CHECKING:
    from bot.demo.stage import Stage

# A 1×1 JPEG is enough: the bot keeps Telegram's file id, never the bytes.
PHOTO = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0"
    "000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bff"
    "c400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a10823"
    "42b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a5354555657"
    "58595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aa"
    "b2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
    "f9faffda0008010100003f00fbd3ffd9"
)


def _button_starting(buttons: list[list[str]], prefix: str) -> str:
    return next(b for row in buttons for b in row if b.startswith(prefix))


async def scene_report_with_photo(stage: Stage) -> None:
    t, sim = stage.t, stage.sim
    teacher = stage.late_teacher
    chat = sim.private_chat(teacher)
    stage.narrate(t.gettext("A teacher gets a fresh invite and reports a problem, with a photo."))
    await sim.send_command(teacher, "/start", await stage.invite(Role.MEMBER))
    await sim.next_message(chat)
    await sim.send_command(teacher, "/report")
    categories = await sim.next_message(chat)
    await sim.press_button(teacher, _button_starting(categories.buttons, "散 · "))
    units = await sim.next_message(chat)
    await sim.press_button(teacher, units.buttons[0][0])
    await sim.next_message(chat)
    await sim.send_text(
        teacher,
        t.gettext(
            "A <b>teacher</b> in the academic office leaves before 4 pm on most days "
            "and signs out later."
        ),
    )
    await sim.next_message(chat)
    await sim.send_text(teacher, t.gettext("Weekdays since March 1, academic office"))
    await sim.next_message(chat)

    stage.narrate(t.gettext("A file of a refused type is turned down; a photo is accepted."))
    await sim.send_document(teacher, b"PK\x03\x04", "records.zip", "application/zip")
    await sim.next_message(chat)
    await sim.send_photo(teacher, PHOTO, caption=t.gettext("Sign-out sheet, March 3"))
    await sim.next_message(chat)
    await sim.press_button(teacher, t.gettext("Done"))
    await sim.next_message(chat)
    await sim.press_button(teacher, t.gettext("Yes, confidential"))
    await sim.next_message(chat)

    stage.narrate(
        t.gettext("The teacher presses Submit twice; one report is filed, and only then numbered.")
    )
    await sim.press_button(teacher, t.gettext("Submit"))
    await sim.press_button(teacher, t.gettext("Submit"))
    await sim.next_message(chat)
    await sim.wait_confirmed()
    await sim.send_command(teacher, "/mine")
    await sim.next_message(chat)
