"""Onboarding and offboarding from the console: units as offices write them, bulk invites from a
members CSV (500 working links, a printable sheet), role, move and deactivation, audited."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from domain.membership.roles import Role
from storage.db import Database
from storage.membership import invites, members, people, units
from storage.models import AuditEvent, Invite
from tests.test_cli import write_config

UNREACHABLE = "http://127.0.0.1:9/bot"  # the menu update fails fast and is reported


def chinese_units(path: Path, encoding: str = "gb18030") -> Path:
    path.write_text(
        "单位代码,单位名称,上级单位,类型\n"
        "EDU,县教文广新体局,,局机关\n"
        "D01,城关学区,EDU,学区\n"
        "SCH001,城关第一中学,D01,学校\n"
        "SCH002,城关第二小学,D01,小学\n"
        "S01,人事股,EDU,股室\n",
        encoding=encoding,
    )
    return path


def db_of(tmp_path: Path) -> Database:
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")


async def _units(tmp_path: Path) -> dict[str, str]:
    db = db_of(tmp_path)
    try:
        return {u.code: u.kind for u in await units.all_units(db)}
    finally:
        await db.dispose()


def test_units_import_takes_chinese_headers_and_kinds_and_dry_run_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    path = chinese_units(tmp_path / "单位.csv")
    assert main(["units", "import", str(path), "--config", str(config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "5 added" in out and "nothing was changed" in out
    assert asyncio.run(_units(tmp_path)) == {}
    assert main(["units", "import", str(path), "--config", str(config)]) == 0
    assert asyncio.run(_units(tmp_path)) == {
        "EDU": "bureau",
        "D01": "district",
        "SCH001": "school",
        "SCH002": "school",
        "S01": "section",
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("单位代码,单位名称,类型\nSCH009,九小,城堡\n,无代码,学校\n", encoding="utf-8-sig")
    assert main(["units", "import", str(bad), "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "line 2: kind: '城堡'" in out and "line 3: code: missing" in out


def members_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "单位", "角色", "工号"])
        for n in range(rows):
            unit = "SCH001" if n % 2 else "SCH002"
            writer.writerow([f"教师{n:03d}", unit, "单位负责人" if n == 0 else "成员", f"T{n:04d}"])
    return path


async def _redeem_all(tmp_path: Path, links: list[str]) -> int:
    db = db_of(tmp_path)
    now = datetime.now(UTC)
    try:
        joined = 0
        for n, link in enumerate(links):
            token = link.split("start=", 1)[1]
            got = await invites.redeem(
                db,
                token=token,
                telegram_user_id=10_000 + n,
                display_name=f"p{n}",
                language=None,
                now=now,
            )
            joined += got.member is not None and not got.already_member
        return joined
    finally:
        await db.dispose()


@pytest.mark.timeout(180)  # 500 invites made and 500 joins through the bot
def test_bulk_invites_make_500_working_links_and_a_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert (
        main(["units", "import", str(chinese_units(tmp_path / "u.csv")), "--config", str(config)])
        == 0
    )
    people_csv = members_csv(tmp_path / "members.csv", 500)
    out_dir = tmp_path / "out"
    args = ["members", "import", str(people_csv), "--config", str(config), "--out", str(out_dir)]
    assert main([*args, "--dry-run"]) == 0
    assert "500 row(s) valid" in capsys.readouterr().out and not out_dir.exists()
    assert main(args) == 0
    assert "500 invite(s) made" in capsys.readouterr().out
    with (out_dir / "invites.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500 and rows[0]["name"] == "教师000" and rows[0]["staff_number"] == "T0000"
    assert len({r["link"] for r in rows}) == 500
    assert (out_dir / "invites.pdf").read_bytes().startswith(b"%PDF")
    assert asyncio.run(_redeem_all(tmp_path, [r["link"] for r in rows])) == 500


async def _invite_count(tmp_path: Path) -> int:
    db = db_of(tmp_path)
    try:
        async with db.session() as session:
            return len((await session.exec(select(Invite))).all())
    finally:
        await db.dispose()


def test_a_members_csv_with_bad_rows_names_them_and_makes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    main(["units", "import", str(chinese_units(tmp_path / "u.csv")), "--config", str(config)])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,unit,role\n张三,SCH001,member\n,SCH001,member\n李四,NOPE,member\n王五,SCH001,boss\n",
        encoding="utf-8",
    )
    assert (
        main(["members", "import", str(bad), "--config", str(config), "--out", str(tmp_path)]) == 1
    )
    out = capsys.readouterr().out
    assert "line 3: name: missing" in out
    assert "line 4: unit: unknown unit code 'NOPE'" in out
    assert "line 5: role: 'boss'" in out
    assert asyncio.run(_invite_count(tmp_path)) == 0


async def _join(tmp_path: Path, unit: str, role: Role, user_id: int) -> int:
    db = db_of(tmp_path)
    now = datetime.now(UTC)
    try:
        from datetime import timedelta

        made = await invites.create_invite(
            db,
            unit_code=unit,
            role=role,
            max_uses=1,
            ttl=timedelta(days=1),
            now=now,
            created_by="cli",
        )
        got = await invites.redeem(
            db,
            token=made.token,
            telegram_user_id=user_id,
            display_name="陈校长",
            language=None,
            now=now,
        )
        assert got.member is not None and got.member.id is not None
        return got.member.id
    finally:
        await db.dispose()


async def _state(tmp_path: Path, member_id: int) -> tuple[str, str, bool, list[str]]:
    db = db_of(tmp_path)
    try:
        found = await people.person(db, member_id)
        assert found is not None
        async with db.session() as session:
            actions = (
                await session.exec(select(AuditEvent.action).where(AuditEvent.actor_kind == "cli"))
            ).all()
        return found.unit.code, found.member.role, found.member.active, list(actions)
    finally:
        await db.dispose()


def test_role_move_and_deactivation_from_the_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, base_url=UNREACHABLE)
    main(["units", "import", str(chinese_units(tmp_path / "u.csv")), "--config", str(config)])
    mid = asyncio.run(_join(tmp_path, "SCH001", Role.MEMBER, 4242))
    base = ["--config", str(config)]
    assert main(["members", "role", str(mid), "unit_head", *base]) == 0
    assert main(["members", "move", str(mid), "SCH002", *base]) == 0
    assert main(["members", "list", "--unit", "D01", *base]) == 0
    assert "陈校长" in capsys.readouterr().out
    assert main(["members", "deactivate", str(mid), *base]) == 2  # no terminal, no --yes
    assert "last unit head" in capsys.readouterr().err
    assert main(["members", "deactivate", str(mid), "--yes", *base]) == 0
    assert main(["members", "role", str(mid), "member", *base]) == 1  # no longer active
    unit, role, active, actions = asyncio.run(_state(tmp_path, mid))
    assert (unit, role, active) == ("SCH002", "unit_head", False)
    assert {"member.role", "member.moved", "member.deactivated"} <= set(actions)
    db = db_of(tmp_path)
    try:
        assert asyncio.run(members.by_telegram_id(db, 4242)) is None
    finally:
        asyncio.run(db.dispose())


def test_each_import_says_in_its_help_what_a_bad_row_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command, says in (
        (["members", "import", "--help"], "makes no invite at all"),
        (["units", "import", "--help"], "the valid rows are imported"),
    ):
        with pytest.raises(SystemExit) as done:
            main(command)
        assert done.value.code == 0
        assert says in " ".join(capsys.readouterr().out.split())
