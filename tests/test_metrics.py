"""`/healthz` and `/metrics` in polling mode on the `[ops]` port: counts follow what the bot
did, the page parses with prometheus_client's own parser, and health turns 503 when the
database or the leadership is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.clock import TravelClock
from bot.config.ops import OpsConfig
from bot.demo import example_config
from bot.ops.health import HealthState, health_of
from bot.ops.metrics import counters_of, render
from bot.reminders import engine_of
from bot.runtime import running
from domain.membership.roles import Role
from handlers.context import BotContext
from simulator import BotApiSimulator
from storage.db import Database
from tests.e2e.reminder_support import world
from tests.template_db import migrated_sqlite
from tests.test_webhook import free_port

TOKEN = "555333:METRICS-simulated"


def samples(page: str) -> dict[str, float]:
    """Every sample of a Prometheus text page, read by prometheus_client's parser (which
    fails on a malformed line), keyed `name{label="value",...}` as the page writes them."""
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return values


def kinds(page: str) -> dict[str, str]:
    return {family.name: family.type for family in text_string_to_metric_families(page)}


async def test_polling_mode_serves_health_and_metrics(tmp_path: Path) -> None:
    port = free_port()
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_ops_bot") as sim:
        config = example_config(
            base_url=sim.base_url,
            base_file_url=sim.base_file_url,
            storage_url=migrated_sqlite(tmp_path / "bot.db"),
            language="en",
            admins=[],
            token=TOKEN,
        )
        config = config.model_copy(update={"ops": OpsConfig(port=port)})
        db = Database(config.storage.url)
        clock = TravelClock(datetime(2027, 3, 10, 1, tzinfo=UTC))
        try:
            async with running(config, clock=clock, db=db, poll_timeout=1) as app:

                async def explode(update: Update, context: BotContext) -> None:
                    raise RuntimeError("boom")

                app.add_handler(MessageHandler(filters.Regex("^explode$"), explode), group=-5)
                alice = sim.add_user("Alice")
                await sim.send_command(alice, "/start")
                await sim.next_message(alice)
                await sim.send_text(alice, "explode")
                apology = await sim.next_message(alice)
                assert "something went wrong" in apology.text
                await sim.wait_confirmed()
                engine = engine_of(app)
                engine.totals.sent, engine.totals.undeliverable = 3, 1
                engine.queued.update({101: 2, 102: 5, 103: 0})
                base = f"http://127.0.0.1:{port}"
                async with httpx.AsyncClient() as client:
                    scraped = await client.get(f"{base}/metrics")
                    page, content_type = scraped.text, scraped.headers["content-type"]
                    health = await client.get(f"{base}/healthz")
                    hook = await client.post(f"{base}/telegram", content=b"{}")
                    health_of(app).leader = None
                    undecided = await client.get(f"{base}/healthz")
                    health_of(app).leader = True
        finally:
            await db.dispose()
        assert sim.violations == []

    values = samples(page)
    assert values["bot_updates_received_total"] == 2
    assert values["bot_updates_handled_total"] == 2
    assert values["bot_updates_in_progress"] == 0
    assert values['bot_errors_total{source="update"}'] == 1
    assert values['bot_errors_total{source="other"}'] == 0
    assert values['bot_reminders_total{outcome="sent"}'] == 3
    assert values['bot_reminders_total{outcome="failed"}'] == 0
    assert values['bot_reminders_total{outcome="undeliverable"}'] == 1
    assert values["bot_sender_queued_messages"] == 7
    assert values["bot_sender_queued_chats"] == 2
    assert values["bot_sender_longest_queue"] == 5
    assert values['bot_outbox_pending{state="due"}'] == 0
    assert values["bot_database_up"] == 1
    assert values["bot_leader"] == 1
    assert "101" not in page and "Alice" not in page  # nothing about people
    assert "# TYPE bot_updates_received_total counter" in page
    assert kinds(page)["bot_updates_received"] == "counter"
    assert kinds(page)["bot_sender_queued_messages"] == "gauge"
    assert values["process_resident_memory_bytes"] > 0  # prometheus_client's process metrics
    assert content_type.startswith("text/plain; version=0.0.4")
    # No label of any bot metric can carry a chat or user id: only these label names exist.
    names = {k for f in text_string_to_metric_families(page) for s in f.samples for k in s.labels}
    assert names <= {
        "source",
        "reason",
        "outcome",
        "state",
        "version",
        "implementation",
        "major",
        "minor",
        "patchlevel",
    }
    assert health.status_code == 200 and health.json()["mode"] == "polling"
    assert hook.status_code in (404, 405)  # no webhook route in polling mode
    assert undecided.status_code == 503
    assert undecided.json()["reason"] == "leadership not yet decided"


async def test_health_reports_an_unreachable_database() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        state = HealthState(db=db, db_timeout=1.0)
        verdict = await state.verdict()
        state.leader = False
        both = await state.verdict()
    finally:
        await db.dispose()
    assert not verdict.ok and verdict.leader is True
    assert verdict.database.startswith("database error: ")
    assert verdict.as_json()["status"] == "unavailable"
    assert not both.ok
    assert both.reason is not None and "standby" in both.reason


async def test_counters_start_at_zero_for_an_app_without_metrics() -> None:
    app = ApplicationBuilder().token("1:x").build()
    counters = counters_of(app)
    assert counters.updates_received == 0 and counters_of(app) is counters


async def test_reminder_counts_and_the_outbox_follow_a_sweep(tmp_path: Path) -> None:
    mar29 = datetime(2027, 3, 29, 1, 0, tzinfo=UTC)  # 7 days before the April 5 deadline
    async with world(tmp_path, start=mar29 - timedelta(days=1)) as w:
        heads = [w.sim.add_user(f"校长{n}") for n in range(3)]
        for n, head in enumerate(heads):
            await w.register(head, Role.UNIT_HEAD, ("SCH001", "SCH002", "D01")[n])
        w.clock.set(mar29)
        w.engine.send_limit = 1  # the rest stays in the outbox
        report = await w.engine.sweep_once()
        first = samples(await render(w.app))
        w.engine.send_limit = None
        second_report = await w.engine.sweep_once()
        second = samples(await render(w.app))
    assert report.sent == 1 and second_report.sent >= 1
    assert first['bot_reminders_total{outcome="sent"}'] == 1
    assert first['bot_outbox_pending{state="due"}'] >= 1
    assert second['bot_reminders_total{outcome="sent"}'] == 1 + second_report.sent
    assert second['bot_outbox_pending{state="due"}'] == 0
    assert second["bot_sender_queued_messages"] == 0  # nothing left in the sender
