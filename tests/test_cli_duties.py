"""`python -m bot duties import`: every line checked before anything is written."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.duties import parse
from storage.db import Database
from storage.duties import checkins
from tests.test_cli import write_config


def test_parse_names_each_bad_line() -> None:
    rows, problems = parse(
        "kind,unit_code,telegram_user_id,latitude,longitude,radius_m\n"
        "boarding,SCH001,,36.06,103.83,300\n"
        "cadre,,12345,,,\n"
        "cadre,,,,,\n"
        "boarding,SCH002,,36.06,,\n"
        "castle,SCH003,,,,\n"
    )
    assert [(r.kind, r.telegram_user_id, r.radius_m) for r in rows] == [
        ("boarding", None, 300),
        ("cadre", 12345, None),
    ]
    assert [p.split(":")[0] for p in problems] == ["line 4", "line 5", "line 6"]


def test_import_marks_boarding_schools_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    units = tmp_path / "units.csv"
    units.write_text("code,name\nSCH001,一中\n", encoding="utf-8")
    main(["units", "import", str(units), "--config", str(config)])
    duties = tmp_path / "duties.csv"
    header = "kind,unit_code,telegram_user_id,latitude,longitude,radius_m\n"
    duties.write_text(header + "boarding,SCH001,,36.06,103.83,300\ncadre,,424242,,,\n")
    assert main(["duties", "import", str(duties), "--config", str(config)]) == 1
    assert "line 3: nobody with Telegram id 424242" in capsys.readouterr().err
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")

    async def schools() -> list[tuple[str, bool]]:
        try:
            return [(b.code, b.located) for b in await checkins.boarding_schools(db)]
        finally:
            await db.dispose()

    assert asyncio.run(schools()) == []
    duties.write_text(header + "boarding,SCH001,,36.06,103.83,300\n")
    assert main(["duties", "import", str(duties), "--config", str(config)]) == 0
    assert "marked 1 boarding school(s)" in capsys.readouterr().out
    assert asyncio.run(schools()) == [("SCH001", True)]
