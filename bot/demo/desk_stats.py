"""Demo scene of `/stats` and `/export`: the administrator reads the statistics, gets the chart
of ledger completion per unit, and exports the ledger as an Excel file, the problem lists to
sign as a PDF and the year-end summary as a Word file, which the demo saves under
`./demo-output/` (the demo's own temporary directory disappears when it ends)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.demo.stage import Stage

OUTPUT_DIR = Path("demo-output")
PAPER_SECONDS = 60.0  # a PDF or the summary's charts: seconds of CPU on a loaded machine


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
    stage.narrate(
        t.gettext(
            "Unit ratings count only what was due by the rating day: items whose deadlines are "
            "still ahead do not count, a unit with nothing due is not rated yet and never "
            "called slow, and each rating shows its reasons."
        )
    )
    await sim.press_button(admin, t.gettext("Completion per unit"))
    # the first chart imports matplotlib and draws in a thread: seconds on a busy machine
    chart = await sim.next_message(chat, timeout=60)
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
            "Beside the workbook the office files the problem lists, printed, signed and "
            "stamped, and drafts its year-end summary from the bot's figures."
        )
    )
    for label, fallback in (
        (t.gettext("Problem lists · PDF"), "problem-list.pdf"),
        (t.gettext("Year-end summary · Word"), "summary.docx"),
    ):
        await sim.drain(chat)
        await sim.press_button(admin, label)
        paper = await sim.next_message(chat, timeout=PAPER_SECONDS)
        assert paper.document is not None, "the file did not arrive"
        data = sim.state.files[str(paper.document["file_id"])].data
        name = str(paper.document.get("file_name") or fallback)
        path = await asyncio.to_thread(_save, data, name)
        stage.narrate(t.gettext("The demo saved the file as {path}", path=str(path)))
    await sim.drain(chat)
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
