"""Webhook mode end to end: the simulator posts updates to the bot's own HTTP server; a request
without the right secret token is refused and never reaches a handler; `/healthz` follows the
database and the leader state."""

from __future__ import annotations

import json
import socket
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.clock import TravelClock
from bot.config import Config, ConfigError, config_from_dict
from bot.config.ops import WebhookConfig
from bot.demo import EXAMPLE_CONFIG, example_config
from bot.ops.health import health_of
from bot.ops.metrics import counters_of
from bot.runtime import running
from bot.updates.webhook import SECRET_HEADER
from simulator import BotApiSimulator
from storage.db import Database
from tests.template_db import migrated_sqlite

TOKEN = "555222:WEBHOOK-simulated"
SECRET = "s3cret_TOKEN-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_config(sim: BotApiSimulator, tmp_path: Path, port: int) -> Config:
    config = example_config(
        base_url=sim.base_url,
        base_file_url=sim.base_file_url,
        storage_url=migrated_sqlite(tmp_path / "bot.db"),
        language="en",
        admins=[],
        token=TOKEN,
    )
    hook = WebhookConfig(
        listen="127.0.0.1",
        port=port,
        url=f"http://127.0.0.1:{port}/telegram/hook",
        secret_token=SecretStr(SECRET),
    )
    telegram = config.telegram.model_copy(update={"mode": "webhook", "webhook": hook})
    return config.model_copy(update={"telegram": telegram})


def forged_start(user_id: int) -> bytes:
    """A well-formed /start update from someone the simulator does not know."""
    update = {
        "update_id": 990001,
        "message": {
            "message_id": 1,
            "date": int(datetime(2027, 3, 10, tzinfo=UTC).timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": "Eve"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Eve"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    return json.dumps(update).encode()


async def test_webhook_mode_answers_and_refuses_forged_requests(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_hook_bot") as sim:
        config = webhook_config(sim, tmp_path, port)
        db = Database(config.storage.url)
        try:
            async with running(
                config, clock=TravelClock(datetime(2027, 3, 10, 1, tzinfo=UTC)), db=db
            ) as app:
                info = sim.state.updates.webhook_info()
                assert info["url"] == f"http://127.0.0.1:{port}/telegram/hook"
                assert sim.state.updates.webhook is not None
                assert sim.state.updates.webhook.secret_token == SECRET

                alice = sim.add_user("Alice")
                await sim.send_command(alice, "/start")
                answer = await sim.next_message(alice)
                assert "invite" in answer.text.lower()
                await sim.wait_confirmed()
                counters = counters_of(app)
                assert (counters.updates_received, counters.updates_handled) == (1, 1)
                sent_before = len(sim.calls_to("sendMessage"))

                hook_url = f"http://127.0.0.1:{port}/telegram/hook"
                secret_in_log = SECRET
                async with httpx.AsyncClient() as client:
                    missing = await client.post(hook_url, content=forged_start(424242))
                    wrong = await client.post(
                        hook_url, content=forged_start(424242), headers={SECRET_HEADER: "guess"}
                    )
                    garbage = await client.post(
                        hook_url, content=b"{not json", headers={SECRET_HEADER: SECRET}
                    )
                    health = await client.get(f"http://127.0.0.1:{port}/healthz")
                    page = await client.get(f"http://127.0.0.1:{port}/metrics")
                    health_of(app).leader = False  # what the leader lock sets on a standby
                    standby_hook = await client.post(
                        hook_url, content=forged_start(424242), headers={SECRET_HEADER: SECRET}
                    )
                    standby_health = await client.get(f"http://127.0.0.1:{port}/healthz")
                    health_of(app).leader = True

                assert (missing.status_code, wrong.status_code) == (403, 403)
                assert garbage.status_code == 400
                assert standby_hook.status_code == 503
                # Nothing forged reached a handler: no update counted, no message sent.
                assert (counters.updates_received, counters.updates_handled) == (1, 1)
                assert len(sim.calls_to("sendMessage")) == sent_before
                assert (counters.webhook_refused, counters.webhook_malformed) == (2, 1)
                refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
                assert len(refusals) == 2 and "missing" in refusals[0] and "wrong" in refusals[1]
                assert not any("/start" in m or secret_in_log in m for m in refusals)

                assert health.status_code == 200
                assert health.json() == {
                    "status": "ok",
                    "database": "ok",
                    "leader": True,
                    "mode": "webhook",
                }
                assert standby_health.status_code == 503
                assert standby_health.json()["leader"] is False
                assert "standby" in standby_health.json()["reason"]
                assert page.status_code == 200
                assert page.headers["content-type"].startswith("text/plain")
                assert 'bot_webhook_refused_total{reason="secret"} 2' in page.text
                assert "bot_updates_handled_total 1" in page.text
        finally:
            await db.dispose()
        assert sim.violations == []


def example_data(**telegram: object) -> dict[str, object]:
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["telegram"].update(telegram)
    return data


@pytest.mark.parametrize(
    ("telegram", "env", "problem"),
    [
        (
            {"mode": "webhook"},
            {},
            'telegram.webhook: required when mode = "webhook" (a [telegram.webhook] table',
        ),
        (
            {"mode": "webhook", "webhook": {"url": "https://bot.example.org/hook"}},
            {},
            'telegram.webhook.secret_token: required when mode = "webhook" (or set env '
            "BOT_WEBHOOK_SECRET)",
        ),
        (
            {"mode": "webhook", "webhook": {"secret_token": SECRET}},
            {},
            'telegram.webhook.url: required when mode = "webhook"',
        ),
        (
            {"mode": "webhook", "webhook": {"url": "https://b.example.org/h"}},
            {"BOT_WEBHOOK_SECRET": "REPLACE-ME-please-now"},
            "telegram.webhook.secret_token: still the example's placeholder",
        ),
        (
            {"mode": "webhook", "webhook": {"url": "https://b.example.org/h"}},
            {"BOT_WEBHOOK_SECRET": "short"},
            "telegram.webhook.secret_token: too short: at least 16 characters",
        ),
        (
            {"webhook": {"url": "http://bot.example.org/hook"}},
            {},
            "telegram.webhook.url: must be an https:// URL",
        ),
        (
            {"webhook": {"secret_token": "has spaces in it, and more"}},
            {},
            "telegram.webhook.secret_token: must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
        ),
        ({"mode": "hook"}, {}, "telegram.mode: must be one of 'polling' or 'webhook'"),
    ],
)
def test_webhook_config_errors_name_the_key(
    telegram: dict[str, object], env: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(example_data(**telegram), env=env)
    assert any(line.startswith(problem) for line in caught.value.problems), caught.value.problems
    assert "has spaces" not in str(caught.value)  # the value itself is never echoed


def test_the_secret_may_come_from_the_environment() -> None:
    data = example_data(mode="webhook", webhook={"url": "https://bot.example.org/t/5b1f"})
    config = config_from_dict(data, env={"BOT_WEBHOOK_SECRET": SECRET})
    hook = config.telegram.webhook
    assert hook is not None and hook.secret == SECRET and hook.local_path == "/t/5b1f"
    assert SECRET not in repr(config)
