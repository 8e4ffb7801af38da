"""The command line as an operator uses it: run, migrate, units import, invite, bad config."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from simulator import BotApiSimulator
from storage import migrate
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "987654:CLI-simulated-token"


def write_config(
    tmp_path: Path,
    *,
    base_url: str = "https://api.telegram.org/bot",
    base_file_url: str = "https://api.telegram.org/file/bot",
    username: str | None = "rectify_cli_bot",
    phases_end: str | None = None,
) -> Path:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('token = "123456:REPLACE-ME"', f'token = "{TOKEN}"')
    text = text.replace('base_url = "https://api.telegram.org/bot"', f'base_url = "{base_url}"')
    text = text.replace(
        'base_file_url = "https://api.telegram.org/file/bot"', f'base_file_url = "{base_file_url}"'
    )
    if username:
        text = text.replace('# username = "rectify_bot"', f'username = "{username}"')
    text = text.replace(
        'url = "sqlite+aiosqlite:///data/bot.db"',
        f'url = "sqlite+aiosqlite:///{tmp_path / "b.db"}"',
    )
    if phases_end:
        text = text.replace("end = 2027-10-31", f"end = {phases_end}")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_units_import_reports_rows_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    csv = tmp_path / "units.csv"
    csv.write_text(
        "code,name,parent,kind\n"
        "SCH001,城关第一中学,D01,school\n"
        "D01,城关学区,,district\n"
        "bad code,坏,,school\n"
        "SCH002,二小,NOPE,school\n"
        "SCH003,三小,D01,castle\n",
        encoding="utf-8-sig",
    )
    assert main(["units", "import", str(csv), "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "2 added, 0 updated, 0 unchanged, 3 rejected" in out
    assert "line 4: code: 'bad code' is not" in out
    assert "line 5: parent: unknown unit code 'NOPE'" in out
    assert "line 6: kind: 'castle' is not one of" in out
    main(["units", "import", str(csv), "--config", str(config)])
    assert "0 added, 0 updated, 2 unchanged, 3 rejected" in capsys.readouterr().out


def test_units_import_reads_gb18030_from_chinese_excel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    csv = tmp_path / "units.csv"
    csv.write_bytes("code,name\nSCH009,城关第九小学\n".encode("gb18030"))
    assert main(["units", "import", str(csv), "--config", str(config)]) == 0
    assert "1 added" in capsys.readouterr().out


def test_invite_prints_a_deep_link_and_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    csv = tmp_path / "units.csv"
    csv.write_text("code,name\nSCH001,一中\n", encoding="utf-8")
    main(["units", "import", str(csv), "--config", str(config)])
    capsys.readouterr()
    assert (
        main(["invite", "SCH001", "--role", "unit_head", "--uses", "3", "--config", str(config)])
        == 0
    )
    out = capsys.readouterr().out
    link = next(line for line in out.splitlines() if line.startswith("https://t.me/"))
    token = link.split("?start=")[1]
    assert link.startswith("https://t.me/rectify_cli_bot?start=")
    assert f"token: {token}" in out and "3 use(s)" in out
    assert 1 <= len(token) <= 64 and all(c.isalnum() or c in "_-" for c in token)
    assert main(["invite", "NOPE", "--config", str(config)]) == 1


def test_migrate_creates_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    assert main(["migrate", "--config", str(config)]) == 0
    assert "(was empty)" in capsys.readouterr().out
    assert main(["migrate", "--config", str(config)]) == 0
    head = migrate.head_revision()
    assert f"database at {head} (was {head})" in capsys.readouterr().out


def test_bad_config_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, phases_end="2027-03-01")
    assert main(["run", "--config", str(config)]) == 2
    assert "campaign.phases[2].end (the 3rd phase): before start" in capsys.readouterr().err


def test_placeholder_token_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(ROOT / "config.example.toml")]) == 2
    assert "telegram.token: still the example's placeholder" in capsys.readouterr().err


async def test_run_polls_the_simulator_and_answers_start(tmp_path: Path) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_cli_bot") as sim:
        config = write_config(tmp_path, base_url=sim.base_url, base_file_url=sim.base_file_url)
        env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
        env["BOT_HOTLINE_PEPPER"] = "cli-test-pepper-" + "x" * 32
        env["BOT_HOTLINE_PEPPER"] = "cli-test-pepper-" + "x" * 32  # `run` requires one
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(config),
            cwd=tmp_path,
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            user = sim.add_user("张老师")
            await sim.send_command(user, "/start")
            reply = await sim.next_message(user, timeout=30)
            assert "干部作风整顿" in reply.text
            assert sim.commands("en", scope="all_private_chats"), "menu set at start-up"
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        log = err.decode()
        assert process.returncode == 0, log
        assert log.count("ready: @rectify_cli_bot polling") == 1
        assert f"migrated from empty to {migrate.head_revision()}" in log
        assert TOKEN not in log and TOKEN.split(":")[1] not in log
        assert sim.violations == []


def test_migrate_seals_complaints_stored_in_clear_when_it_has_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path)
    assert main(["migrate", "--config", str(config)]) == 0  # no pepper: nothing to seal with
    assert "sealed" not in capsys.readouterr().out
    words = "旧版本明文保存的投诉内容。"

    async def plant() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO cases (id, kind, number, category_key, status, description,"
                    " opened_on, version) VALUES (-5, 'complaint', 'C-OLD5', 'other',"
                    " 'received', :w, '2027-03-01', 1)"
                ),
                {"w": words},
            )
        await db.dispose()

    asyncio.run(plant())
    monkeypatch.setenv("BOT_HOTLINE_PEPPER", "migrate-test-pepper-" + "p" * 32)
    assert main(["migrate", "--config", str(config)]) == 0
    assert "1 complaint(s) stored in clear sealed" in capsys.readouterr().out
    assert words.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("b.db*"))
    assert (tmp_path / "b.keyring.db").exists()
