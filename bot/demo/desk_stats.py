"""Demo scene of `/stats` and `/export`: the administrator reads the statistics, gets the chart
of ledger completion per unit, and exports the ledger as an Excel file, which the demo saves
under `./demo-output/` (the demo's own temporary directory disappears when it ends)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.demo.stage import Stage

OUTPUT_DIR = Path("demo-output")


def _save(data: bytes, name: str) -> Path:
    """Write the file under ./demo-output/ and return its absolute path."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = (OUTPUT_DIR / name).resolve()
    path.write_bytes(data)
    return path


async def scene_stats_and_export(stage: Stage) -> None:
    t, sim, admin = stage.t, stage.sim, stage.admin
    chat = sim.private_chat(admin)
    stage.narrate(
        t.gettext(
            "The bureau reviews the campaign: counts, ledger completion per unit, case clocks "
            "and the response, resolution and satisfaction rates."
        )
    )
    await sim.drain(chat)
    await sim.send_command(admin, "/stats")
    await sim.next_message(chat)
    await sim.press_button(admin, t.gettext("Completion per unit"))
    chart = await sim.next_message(chat)
    assert chart.photo is not None, "the chart did not arrive"

    stage.narrate(t.gettext("The office wants the ledger in Excel, ready to file."))
    await sim.send_command(admin, "/export")
    await sim.next_message(chat)
    await sim.press_button(admin, t.gettext("Ledger · Excel"))
    sent = await sim.next_message(chat)
    document = sent.document
    assert document is not None, "the file did not arrive"
    data = sim.state.files[str(document["file_id"])].data
    name = str(document.get("file_name") or "ledger.xlsx")
    path = await asyncio.to_thread(_save, data, name)
    stage.narrate(t.gettext("The demo saved the file as {path}", path=str(path)))

    stage.narrate(
        t.gettext(
            "Only an administrator gets the audit log: who did what and when, here for April "
            "(a case number or a unit code narrows it further)."
        )
    )
    await sim.send_command(admin, "/export audit 2027-04-01..2027-04-30")
    sent = await sim.next_message(chat)
    document = sent.document
    assert document is not None, "the audit log did not arrive"
    data = sim.state.files[str(document["file_id"])].data
    name = str(document.get("file_name") or "audit.xlsx")
    path = await asyncio.to_thread(_save, data, name)
    stage.narrate(t.gettext("The demo saved the file as {path}", path=str(path)))
