"""Counters for `/metrics`, in Prometheus's text format (version 0.0.4), without a dependency.

What is counted where: updates when the update processor starts and finishes them
(`CountingProcessor`), errors in a second error handler (the first one apologises), webhook
requests refused in `bot/updates/webhook.py`; reminder totals, the sender's queues, the outbox
and the leader state are read from their owners when the page is asked for. No label carries a chat
or user id: the page is about the bot, never about people.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.ops.health import HEALTH_KEY, HealthState
from bot.reminders import ENGINE_KEY, ReminderEngine
from bot.updates.processor import PerUserOrderedProcessor
from handlers.context import BotContext
from storage.ops import health as probes

log = logging.getLogger(__name__)
METRICS_KEY = "metrics"
AnyApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Counters:
    """Monotonic counts since the process started."""

    updates_received: int = 0
    updates_handled: int = 0
    update_errors: int = 0  # an exception while handling an update
    other_errors: int = 0  # jobs and anything not tied to an update
    webhook_refused: int = 0  # wrong or missing secret token
    webhook_malformed: int = 0  # not a JSON update


class CountingProcessor(PerUserOrderedProcessor):
    """The per-user ordered processor, counting updates as they start and finish."""

    __slots__ = ("counters",)

    def __init__(self, counters: Counters, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.counters = counters

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self.counters.updates_received += 1
        try:
            await super().do_process_update(update, coroutine)
        finally:
            self.counters.updates_handled += 1


def install(app: AnyApp, counters: Counters) -> None:
    """Keep the counters in `bot_data` and count errors after the apologising handler."""
    app.bot_data[METRICS_KEY] = counters

    async def count_error(update: object, context: BotContext) -> None:
        if isinstance(update, Update):
            counters.update_errors += 1
        else:
            counters.other_errors += 1

    app.add_error_handler(count_error)


def counters_of(app: AnyApp) -> Counters:
    counters = app.bot_data.get(METRICS_KEY)
    if not isinstance(counters, Counters):  # an app built without metrics: count nothing
        counters = app.bot_data[METRICS_KEY] = Counters()
    return counters


class _Page:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(
        self,
        name: str,
        kind: str,
        help_text: str,
        samples: Iterable[tuple[dict[str, str], float]],
    ) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            shown = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            self.lines.append(
                f"{name}{{{shown}}} {_number(value)}" if shown else f"{name} {_number(value)}"
            )

    def one(self, name: str, kind: str, help_text: str, value: float) -> None:
        self.add(name, kind, help_text, [({}, value)])

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


async def render(app: AnyApp) -> str:
    """The whole `/metrics` page."""
    page = _Page()
    c = counters_of(app)
    page.one(
        "bot_updates_received_total",
        "counter",
        "Updates that started handling.",
        c.updates_received,
    )
    page.one(
        "bot_updates_handled_total",
        "counter",
        "Updates whose handling finished.",
        c.updates_handled,
    )
    page.one(
        "bot_updates_in_progress",
        "gauge",
        "Updates started and not yet finished (waiting for their user's turn or running).",
        c.updates_received - c.updates_handled,
    )
    page.one(
        "bot_update_queue_length",
        "gauge",
        "Updates received, not yet started.",
        app.update_queue.qsize(),
    )
    page.add(
        "bot_errors_total",
        "counter",
        "Exceptions that reached the error handler, by source.",
        [({"source": "update"}, c.update_errors), ({"source": "other"}, c.other_errors)],
    )
    page.add(
        "bot_webhook_refused_total",
        "counter",
        "Webhook requests refused, by reason.",
        [({"reason": "secret"}, c.webhook_refused), ({"reason": "malformed"}, c.webhook_malformed)],
    )
    _reminders(page, app.bot_data.get(ENGINE_KEY))
    health = app.bot_data.get(HEALTH_KEY)
    if isinstance(health, HealthState):
        await _storage(page, health)
        leader = health.leader
        page.one(
            "bot_leader",
            "gauge",
            "1 when this process is the active one, else 0.",
            1 if leader else 0,
        )
    return page.text()


def _reminders(page: _Page, engine: object) -> None:
    """Totals since start and the sender's queues (zeros before the engine exists)."""
    running = engine if isinstance(engine, ReminderEngine) else None
    sent = running.totals.sent if running else 0
    retrying = running.totals.retrying if running else 0
    undeliverable = running.totals.undeliverable if running else 0
    page.add(
        "bot_reminders_total",
        "counter",
        "Reminder outbox rows by delivery outcome (failed: will be retried).",
        [
            ({"outcome": "sent"}, sent),
            ({"outcome": "failed"}, retrying),
            ({"outcome": "undeliverable"}, undeliverable),
        ],
    )
    waiting = [n for n in (running.queued.values() if running else ()) if n > 0]
    page.one(
        "bot_sender_queued_messages",
        "gauge",
        "Messages in the sender's per-chat queues.",
        sum(waiting),
    )
    page.one(
        "bot_sender_queued_chats",
        "gauge",
        "Chats with messages in the sender's queues.",
        len(waiting),
    )
    page.one(
        "bot_sender_longest_queue",
        "gauge",
        "Length of the longest per-chat sender queue.",
        max(waiting, default=0),
    )


async def _storage(page: _Page, health: HealthState) -> None:
    up = await health.db_ok()
    page.one(
        "bot_database_up", "gauge", "1 when the database answered SELECT 1 in time.", 1 if up else 0
    )
    if not up:
        return
    try:
        async with asyncio.timeout(health.db_timeout):
            waiting = await probes.outbox_waiting(health.db)
    except Exception as error:
        log.warning("metrics: outbox count failed: %s", type(error).__name__)
        return
    page.add(
        "bot_outbox_pending",
        "gauge",
        "Reminder outbox rows waiting to be sent, by state.",
        [({"state": state}, n) for state, n in sorted(waiting.items())],
    )
