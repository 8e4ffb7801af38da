"""Counters for `/metrics`, exposed through prometheus_client (the text format its scraper
asks for).

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

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
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


class _Snapshot(Collector):
    """The families read for one scrape (collected before, since some need the database)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


def _counter(name: str, help_text: str, value: float) -> Metric:
    return CounterMetricFamily(name, help_text, value=value)


def _gauge(name: str, help_text: str, value: float) -> Metric:
    return GaugeMetricFamily(name, help_text, value=value)


def _labelled(
    kind: type[CounterMetricFamily | GaugeMetricFamily],
    name: str,
    help_text: str,
    label: str,
    samples: Iterable[tuple[str, float]],
) -> Metric:
    family = kind(name, help_text, labels=[label])
    for value_of_label, value in samples:
        family.add_metric([value_of_label], value)
    return family


async def collect(app: AnyApp) -> CollectorRegistry:
    """A registry with this scrape's figures and the process's own (memory, CPU, open files:
    prometheus_client's standard collectors). A registry per scrape: nothing global."""
    c = counters_of(app)
    families = [
        _counter(
            "bot_updates_received_total", "Updates that started handling.", c.updates_received
        ),
        _counter(
            "bot_updates_handled_total", "Updates whose handling finished.", c.updates_handled
        ),
        _gauge(
            "bot_updates_in_progress",
            "Updates started and not yet finished (waiting for their user's turn or running).",
            c.updates_received - c.updates_handled,
        ),
        _gauge(
            "bot_update_queue_length",
            "Updates received, not yet started.",
            app.update_queue.qsize(),
        ),
        _labelled(
            CounterMetricFamily,
            "bot_errors_total",
            "Exceptions that reached the error handler, by source.",
            "source",
            [("update", c.update_errors), ("other", c.other_errors)],
        ),
        _labelled(
            CounterMetricFamily,
            "bot_webhook_refused_total",
            "Webhook requests refused, by reason.",
            "reason",
            [("secret", c.webhook_refused), ("malformed", c.webhook_malformed)],
        ),
        *_reminders(app.bot_data.get(ENGINE_KEY)),
    ]
    health = app.bot_data.get(HEALTH_KEY)
    if isinstance(health, HealthState):
        families += await _storage(health)
        families.append(
            _gauge(
                "bot_leader",
                "1 when this process is the active one, else 0.",
                1 if health.leader else 0,
            )
        )
    registry = CollectorRegistry()
    registry.register(_Snapshot(families))
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry


async def render(app: AnyApp) -> str:
    """The whole `/metrics` page in Prometheus's text format (0.0.4)."""
    return generate_latest(await collect(app)).decode()


def _reminders(engine: object) -> list[Metric]:
    """Totals since start and the sender's queues (zeros before the engine exists)."""
    running = engine if isinstance(engine, ReminderEngine) else None
    sent = running.totals.sent if running else 0
    retrying = running.totals.retrying if running else 0
    undeliverable = running.totals.undeliverable if running else 0
    waiting = [n for n in (running.queued.values() if running else ()) if n > 0]
    return [
        _labelled(
            CounterMetricFamily,
            "bot_reminders_total",
            "Reminder outbox rows by delivery outcome (failed: will be retried).",
            "outcome",
            [("sent", sent), ("failed", retrying), ("undeliverable", undeliverable)],
        ),
        _gauge(
            "bot_sender_queued_messages", "Messages in the sender's per-chat queues.", sum(waiting)
        ),
        _gauge(
            "bot_sender_queued_chats", "Chats with messages in the sender's queues.", len(waiting)
        ),
        _gauge(
            "bot_sender_longest_queue",
            "Length of the longest per-chat sender queue.",
            max(waiting, default=0),
        ),
    ]


async def _storage(health: HealthState) -> list[Metric]:
    up = await health.db_ok()
    families = [
        _gauge("bot_database_up", "1 when the database answered SELECT 1 in time.", 1 if up else 0)
    ]
    if not up:
        return families
    try:
        async with asyncio.timeout(health.db_timeout):
            waiting = await probes.outbox_waiting(health.db)
    except Exception as error:
        log.warning("metrics: outbox count failed: %s", type(error).__name__)
        return families
    families.append(
        _labelled(
            GaugeMetricFamily,
            "bot_outbox_pending",
            "Reminder outbox rows waiting to be sent, by state.",
            "state",
            sorted(waiting.items()),
        )
    )
    return families
