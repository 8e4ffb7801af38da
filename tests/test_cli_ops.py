"""An operator's first day, through `python -m bot` in a subprocess: the full --help, log
levels and JSON logs, an unreachable Bot API and an unreachable database (closed ports),
config errors an operator can act on."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from bot.cli import _parser
from simulator import BotApiSimulator
from tests.test_cli import ROOT, TOKEN, write_config

PEPPER = "ops-test-pepper-" + "x" * 32


def closed_port() -> int:
    """A local port nothing listens on (bound once, then released): connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if "PROXY" not in k.upper() and k not in ("LOG_LEVEL", "BOT_TOKEN", "BOT_CONFIG")
    }
    env["BOT_HOTLINE_PEPPER"] = PEPPER  # `run` requires one
    return {**env, **extra}


def edit(path: Path, *replacements: tuple[str, str], append: str = "") -> Path:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text + append, encoding="utf-8")
    return path


def bot(*args: str, cwd: Path, timeout: float = 60, **env: str) -> tuple[int, str, str, float]:
    """Run `python -m bot ARGS` to its end: exit code, stdout, stderr, seconds taken."""
    import subprocess

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


async def read_until(stream: asyncio.StreamReader, pattern: str, within: float) -> list[str]:
    """Lines from `stream` up to and including the first matching `pattern`."""
    lines: list[str] = []
    async with asyncio.timeout(within):
        while True:
            raw = await stream.readline()
            if not raw:
                raise AssertionError(f"ended before {pattern!r}: {lines}")
            lines.append(raw.decode().rstrip("\n"))
            if re.search(pattern, lines[-1]):
                return lines


async def running(config: Path, cwd: Path) -> asyncio.subprocess.Process:
    """`python -m bot run` started in the background, its stderr piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "run", "--config", str(config)),
        cwd=cwd,
        env=environment(),
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    return err.decode()


# -- the command line itself ---------------------------------------------------------------


def test_top_level_help_names_every_command(tmp_path: Path) -> None:
    code, out, _, _ = bot("--help", cwd=tmp_path)
    assert code == 0
    for command in (
        "run",
        "migrate",
        "demo",
        "units",
        "invite",
        "hotline",
        "export",
        "backup",
        "restore",
        "duties",
        "i18n",
    ):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command
    assert "--log-level" in out


def test_every_command_takes_log_level() -> None:
    parser = _parser()
    leaves: list[str] = []

    def walk(p: object, path: str) -> None:
        actions = getattr(p, "_actions", [])
        subs = [
            a for a in actions if getattr(a, "choices", None) and hasattr(a, "_name_parser_map")
        ]
        if not subs:
            leaves.append(path)
            assert any("--log-level" in a.option_strings for a in actions), path
        for action in subs:
            for name, child in action.choices.items():
                walk(child, f"{path} {name}".strip())

    walk(parser, "")
    assert {"run", "demo", "i18n", "units import", "hotline purge", "duties import"} <= set(leaves)


def test_log_level_flag_env_and_config(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    edit(config, ('level = "INFO"', 'level = "WARNING"'), ('format = "text"', 'format = "json"'))
    # [logging] level = WARNING: the migration's INFO line is not written, as JSON or otherwise.
    code, _, err, _ = bot("migrate", "--config", str(config), cwd=tmp_path)
    assert code == 0 and "migrated" not in err
    # env LOG_LEVEL beats the file; the flag beats both. Every line is one JSON object.
    code, _, err, _ = bot("migrate", "--config", str(config), cwd=tmp_path, LOG_LEVEL="debug")
    assert code == 0
    records = [json.loads(line) for line in err.splitlines()]
    assert any(r["level"] == "DEBUG" and "config read from" in r["message"] for r in records)
    code, _, err, _ = bot(
        "migrate", "--config", str(config), "--log-level", "ERROR", cwd=tmp_path, LOG_LEVEL="DEBUG"
    )
    assert code == 0 and err == ""
    code, _, err, _ = bot("migrate", "--config", str(config), cwd=tmp_path, LOG_LEVEL="LOUD")
    assert code == 2 and "env LOG_LEVEL: must be one of DEBUG, INFO" in err


def test_a_config_error_counts_as_people_count(tmp_path: Path) -> None:
    config = write_config(tmp_path, phases_end="2027-03-01")
    code, _, err, _ = bot("run", "--config", str(config), cwd=tmp_path)
    assert code == 2
    assert "campaign.phases[2].end (the 3rd phase): before start" in err


def test_chinese_quotation_marks_get_a_hint(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    edit(config, ('name = "教文广新体系统干部作风整顿"', "name = “教文广新体系统干部作风整顿”"))
    code, _, err, _ = bot("migrate", "--config", str(config), cwd=tmp_path)
    assert code == 2
    assert "Invalid value" in err and "Chinese quotation marks “" in err
    assert 'TOML needs straight quotes, "like this"' in err
    assert "Traceback" not in err


# -- Telegram unreachable ------------------------------------------------------------------


def test_run_once_names_the_url_and_proxy_when_telegram_is_unreachable(tmp_path: Path) -> None:
    port = closed_port()
    config = write_config(
        tmp_path,
        base_url=f"http://127.0.0.1:{port}/bot",
        base_file_url=f"http://127.0.0.1:{port}/file/bot",
    )
    code, out, err, took = bot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert code == 1, err
    assert "config: ok" in out and "database: ok (sqlite at" in out
    line = next(line for line in out.splitlines() if line.startswith("telegram:"))
    assert f"Telegram unreachable: http://127.0.0.1:{port}/bot<token>/getMe" in line
    assert "proxy: none (no [telegram] proxy, no HTTPS_PROXY or ALL_PROXY" in line
    assert "Traceback" not in out + err and TOKEN.split(":")[1] not in out + err
    assert took < 30

    # Through a proxy that is not there: the line names the proxy the operator set.
    proxy = closed_port()
    edit(config, ('# proxy = "http://127.0.0.1:7890"', f'proxy = "http://u:pw@127.0.0.1:{proxy}"'))
    code, out, _, _ = bot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert code == 1
    assert f"proxy: [telegram] proxy = http://u:***@127.0.0.1:{proxy}" in out
    assert "pw" not in out


async def test_run_once_reports_a_reachable_bot(tmp_path: Path) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_cli_bot") as sim:
        config = write_config(tmp_path, base_url=sim.base_url, base_file_url=sim.base_file_url)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", "run", "--once", "--config", str(config)),
            cwd=tmp_path,
            env=environment(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert "telegram: ok, @rectify_cli_bot at http://127.0.0.1:" in out.decode()
    assert [c.method for c in sim.calls] == ["getMe"]  # a check changes nothing
    assert sim.off_spec == []


async def test_a_refused_token_ends_the_start_at_once(tmp_path: Path) -> None:
    async with BotApiSimulator(token="111:another-bot", bot_username="other_bot") as sim:
        config = write_config(tmp_path, base_url=sim.base_url, base_file_url=sim.base_file_url)
        process = await running(config, tmp_path)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = err.decode()
    assert process.returncode == 2, log
    assert f"error: Telegram refused the token at {sim.base_url}<token>/getMe" in log
    assert "Traceback" not in log and TOKEN.split(":")[1] not in log


async def test_run_retries_with_back_off_while_telegram_is_unreachable(tmp_path: Path) -> None:
    port = closed_port()
    config = write_config(
        tmp_path,
        base_url=f"http://127.0.0.1:{port}/bot",
        base_file_url=f"http://127.0.0.1:{port}/file/bot",
    )
    process = await running(config, tmp_path)
    assert process.stderr is not None
    try:
        first = await read_until(process.stderr, "Telegram unreachable", within=30)
        again = await read_until(process.stderr, "still unreachable", within=10)
    finally:
        rest = await stop(process)
    assert process.returncode == 0, rest
    line = first[-1]
    assert f"http://127.0.0.1:{port}/bot<token>/getMe" in line and "proxy: none" in line
    assert "trying again in 2 s" in line
    assert "trying again in 4 s" in again[-1]
    log = "\n".join([*first, *again, rest])
    assert "Traceback" not in log and TOKEN.split(":")[1] not in log


# -- the database unreachable --------------------------------------------------------------


def _postgres_config(tmp_path: Path, port: int, *, wait: str, ha: bool = False) -> Path:
    config = write_config(tmp_path)
    return edit(
        config,
        (
            f'url = "sqlite+aiosqlite:///{tmp_path / "b.db"}"',
            f'url = "postgresql+asyncpg://bot:secret-pw@127.0.0.1:{port}/rectify"',
        ),
        ("connect_wait_seconds = 60", f"connect_wait_seconds = {wait}"),
        ("enabled = false", f"enabled = {'true' if ha else 'false'}"),
        ("retry_seconds = 2 ", "retry_seconds = 0.2 "),
    )


def test_run_fails_after_the_bounded_wait_naming_the_host(tmp_path: Path) -> None:
    port = closed_port()
    config = _postgres_config(tmp_path, port, wait="2")
    code, _, err, took = bot("run", "--config", str(config), cwd=tmp_path)
    assert code == 1, err
    assert (
        f"error: database at 127.0.0.1:{port}/rectify unreachable for 2 s "
        "([storage] connect_wait_seconds)"
    ) in err
    assert err.count("unreachable") == 2  # the first failure, then the verdict
    assert "Traceback" not in err and "secret-pw" not in err
    assert took < 30

    # The other commands say the same in one line.
    code, _, err, _ = bot("migrate", "--config", str(config), cwd=tmp_path)
    assert code == 1 and f"error: database at 127.0.0.1:{port}/rectify unreachable" in err
    assert "Traceback" not in err

    code, out, _, _ = bot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert code == 1 and f"database: database at 127.0.0.1:{port}/rectify unreachable" in out


async def test_a_standby_says_so_once_a_minute_not_every_try(tmp_path: Path) -> None:
    port = closed_port()
    config = _postgres_config(tmp_path, port, wait="1", ha=True)
    process = await running(config, tmp_path)
    assert process.stderr is not None
    try:
        seen = await read_until(process.stderr, "standby: database", within=30)
        await asyncio.sleep(3)  # ~15 more tries at 0.2 s, past connect_wait_seconds = 1
    finally:
        rest = await stop(process)
    assert process.returncode == 0, rest  # a stop ends a standby's wait
    log = "\n".join([*seen, rest])
    assert log.count("standby: database") == 1, log
    assert f"database at 127.0.0.1:{port}/rectify unreachable" in seen[-1]
    assert "saying so once a minute" in seen[-1]
    assert "Traceback" not in log


def test_the_example_config_loads_with_the_new_sections() -> None:
    from bot.config import load_config

    config = load_config(ROOT / "config.example.toml", env={})
    assert (config.logging.level, config.logging.format) == ("INFO", "text")
    assert config.telegram.proxy is None and not config.ha.enabled
    assert config.storage.connect_wait_seconds == 60


@pytest.mark.parametrize("value", ["socks5://127.0.0.1:1080", "127.0.0.1:7890"])
def test_a_proxy_must_be_an_http_url(tmp_path: Path, value: str) -> None:
    config = write_config(tmp_path)
    edit(config, ('# proxy = "http://127.0.0.1:7890"', f'proxy = "{value}"'))
    code, _, err, _ = bot("migrate", "--config", str(config), cwd=tmp_path)
    assert code == 2 and "telegram.proxy: must start with http:// or https://" in err
    assert value not in err
