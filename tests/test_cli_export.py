"""`python -m bot export` as an operator uses it: the ledger as xlsx with a sheet per unit,
one unit's ledger as CSV, the case register, progress on stderr, an unknown unit refused."""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlmodel import select

from bot.cli import main
from bot.cli.export import Progress
from storage.db import Database
from storage.files.store import LocalStore
from storage.membership import units
from storage.models import Case, Evidence
from tests.stats_seed import seed
from tests.test_cli import write_config


async def _seed(url: str) -> None:
    db = Database(url)
    try:
        s1, s2 = await units.by_code(db, "SCH001"), await units.by_code(db, "SCH002")
        assert s1 and s2 and s1.id and s2.id
        await seed(db, s1.id, s2.id)
    finally:
        await db.dispose()


def seeded_config(tmp_path: Path) -> Path:
    """The example config on a database with two schools (imported as an operator would)
    and the statistics seed's cases and items."""
    config = write_config(tmp_path)
    csv = tmp_path / "units.csv"
    csv.write_text(
        "code,name,parent,kind\nSCH001,城关第一中学,,school\nSCH002,城关第二小学,,school\n",
        encoding="utf-8",
    )
    assert main(["units", "import", str(csv), "--config", str(config)]) == 0
    asyncio.run(_seed(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"))
    return config


def test_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = seeded_config(tmp_path)
    capsys.readouterr()

    out = tmp_path / "ledger.xlsx"
    args = ["export", "ledger", "--sheet-per-unit", "--out", str(out), "--config", str(config)]
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "ledger.xlsx (4 rows" in printed.out
    assert "\r" not in printed.err and "rows written" not in printed.err  # not a terminal
    book = load_workbook(out)
    # A sheet per unit, then the "124" duty sheet, as the chat's /export makes it.
    assert book.sheetnames == ["SCH001 城关第一中学", "SCH002 城关第二小学", "124住校值守"]
    assert not (tmp_path / "ledger.xlsx.part").exists()

    one = tmp_path / "sch002.csv"
    args = ["export", "ledger", "--format", "csv", "--unit", "SCH002", "--out", str(one)]
    assert main([*args, "--config", str(config)]) == 0
    text = one.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and text.decode("utf-8-sig").count("\n") == 2

    cases = tmp_path / "cases.xlsx"
    assert main(["export", "cases", "--out", str(cases), "--config", str(config)]) == 0
    assert load_workbook(cases).worksheets[0].max_row == 5  # title, header, 3 cases

    # The audit log, filtered: the units' import wrote one event per unit.
    log = tmp_path / "audit.xlsx"
    args = ["export", "audit", "--unit", "SCH002", "--out", str(log), "--config", str(config)]
    assert main(args) == 0
    rows = list(load_workbook(log)["操作日志"].values)
    assert [(r[3], r[4], r[6]) for r in rows[2:]] == [("命令行", "新增单位", "SCH002")]
    old = ["--from", "2000-01-01", "--to", "2000-01-31", "--out", str(log)]
    assert main(["export", "audit", *old, "--config", str(config)]) == 0
    assert load_workbook(log).active.max_row == 2  # title and header: nothing then
    assert (
        main(["export", "audit", "--case", "NOPE", "--out", str(log), "--config", str(config)]) == 0
    )
    assert "(0 rows" in capsys.readouterr().out

    args = ["export", "ledger", "--unit", "NOPE", "--out", str(tmp_path / "x.xlsx")]
    assert main([*args, "--config", str(config)]) == 1
    assert "no unit with code 'NOPE'" in capsys.readouterr().err


class _Stream(io.StringIO):
    def __init__(self, *, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_is_shown_only_on_a_terminal() -> None:
    terminal, pipe = _Stream(tty=True), _Stream(tty=False)
    for stream in (terminal, pipe):
        progress = Progress(stream)
        progress(10)
        progress.done(12)
    assert terminal.getvalue() == "\r10 rows written\r12 rows written\n"
    assert pipe.getvalue() == ""


PDF = b"%PDF-1.4 a scanned receipt book"


async def _stored_evidence(tmp_path: Path) -> None:
    """The report's two files: one copied into the bureau's store (beside the database, the
    example config's default), one whose download is still owed."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    try:
        name = await LocalStore(tmp_path / "b.files").put(PDF)
        async with db.session() as session:
            report = (await session.exec(select(Case).where(Case.number == "R-0001"))).one()
            for stored_as in (name, None):
                session.add(
                    Evidence(
                        case_id=report.id,
                        kind="document",
                        telegram_file_id=f"file-{stored_as}",
                        mime_type="application/pdf",
                        added_on=date(2027, 3, 7),
                        stored_as=stored_as,
                    )
                )
            await session.commit()
    finally:
        await db.dispose()


def test_export_files_writes_the_evidence_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = seeded_config(tmp_path)
    asyncio.run(_stored_evidence(tmp_path))
    capsys.readouterr()

    out = tmp_path / "evidence.zip"
    assert main(["export", "files", "--out", str(out), "--config", str(config)]) == 0
    assert "evidence.zip (1 files" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["R-0001/1.pdf"]  # the owed copy is not there yet
        assert archive.read("R-0001/1.pdf") == PDF
    assert not (tmp_path / "evidence.zip.part").exists()
