"""Conversations that survive a restart, and updates handled once.

`DatabasePersistence` is python-telegram-bot's `BasePersistence` over our database: the states
of the persistent conversations (`/report`, `/ledger`) and their drafts in `user_data`. Only
the keys the features declare leave memory (`handlers.PERSISTENT_KEYS`: each feature package's
`PERSISTENT_KEYS`, beside its builder); `chat_data` (where the anonymous complaint and `/status`
keep their drafts) and `bot_data` are never stored, and the complaint conversation is not
persistent, so no row ever ties a complainant to anything.

python-telegram-bot writes persistence every `update_interval` seconds; `after_update` flushes
at the end of every update instead, so a state change is in the database before the next
message of that person is read. The same flush records the update as handled, in the same
transaction as the states and drafts it wrote (one commit per update, not one per row);
`skip_seen` drops a redelivered copy (Telegram delivers again what was not confirmed before a
crash).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import deque
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BasePersistence,
    PersistenceInput,
    TypeHandler,
)
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.updates.processor import PerUserOrderedProcessor
from domain.cases.reports import EvidenceItem, ReportDraft
from domain.clock import Clock
from domain.forms.answers import FormDraft
from handlers import PERSISTENT_KEYS
from handlers.context import BotApplication, BotContext
from handlers.hotline import restart as restart_notice
from storage.db import Database
from storage.ledger.items import NewEvidence
from storage.ops import persistence as rows
from storage.ops import processed_updates

log = logging.getLogger(__name__)

Data = dict[Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# The interval flush is only a safety net: `after_update` writes at every update.
UPDATE_INTERVAL = 30.0
# Around every handler: the check first, the flush and the record last.
FIRST_GROUP, LAST_GROUP = -100, 100
PRUNE_EVERY = 3600.0
RECENT = 10_000  # update ids this process remembers having taken
SEEN_KEY = "processed-updates:seen"

# Set while `after_update` flushes: the writes python-telegram-bot asks for then (in tasks that
# inherit this context) are gathered into one transaction instead of one each.
_BATCH: ContextVar[rows.Batch | None] = ContextVar("persistence-batch", default=None)

_TYPES: dict[str, type[Any]] = {
    t.__name__: t for t in (ReportDraft, EvidenceItem, NewEvidence, FormDraft)
}
_TAG = "__type__"


class UnpersistableError(TypeError):
    """A value of a type the codec does not know."""


def encode(value: Any) -> Any:
    """A draft value as JSON: plain values as they are, our dataclasses and dates tagged."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {_TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "value": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if _TAG in value or not all(isinstance(k, str) for k in value):
            raise UnpersistableError("a dict with a reserved or non-text key")
        return {k: encode(v) for k, v in value.items()}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _TYPES.get(name) is type(value):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_TAG: name, "fields": fields}
    raise UnpersistableError(name)


def decode(value: Any) -> Any:
    """The inverse of `encode`."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: decode(v) for k, v in value.items()}
    if tag == "datetime":
        return datetime.fromisoformat(value["value"])
    if tag == "date":
        return date.fromisoformat(value["value"])
    kind = _TYPES[tag]
    return kind(**{k: decode(v) for k, v in value["fields"].items()})


def kept(data: Data) -> dict[str, Any]:
    """The part of a person's `user_data` that may be stored, as JSON (empty values dropped)."""
    out: dict[str, Any] = {}
    for key in PERSISTENT_KEYS:
        value = data.get(key)
        if value is None or value == {} or value is False:
            continue
        try:
            out[key] = encode(value)
        except UnpersistableError as error:
            log.warning("draft key %s not persisted: %s", key, error)
    return out


class DatabasePersistence(BasePersistence[Data, Data, Data]):
    """States and drafts of the persistent conversations, written straight to the database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL,
        )
        self._db = db
        self._clock = clock
        self._written: dict[int, dict[str, Any]] = {}  # what each user's row holds now
        self._handed: set[int] = set()  # whose data the current flush was handed
        self.flushed_users: tuple[int, ...] = ()  # ... and, after it, the last flush's
        self._flushing = asyncio.Lock()  # one update's flush and commit at a time

    async def get_user_data(self) -> dict[int, Data]:
        stored = await rows.drafts(self._db)
        self._written = {uid: data for uid, data in stored.items() if isinstance(data, dict)}
        return {uid: decode(data) for uid, data in self._written.items()}

    async def get_conversations(self, name: str) -> ConversationDict:
        return dict(await rows.conversation_states(self._db, name))

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        batch = _BATCH.get()
        if batch is not None:
            batch.state(name, key, new_state)
            return
        await rows.save_state(self._db, name, key, new_state, now=self._clock.now())

    async def update_user_data(self, user_id: int, data: Data) -> None:
        if _BATCH.get() is not None:
            self._handed.add(user_id)
        wanted = kept(data)
        if wanted == self._written.get(user_id, {}):
            return
        await self._save_draft(user_id, wanted or None)

    async def drop_user_data(self, user_id: int) -> None:
        if user_id in self._written:
            await self._save_draft(user_id, None)

    async def _save_draft(self, user_id: int, wanted: dict[str, Any] | None) -> None:
        batch = _BATCH.get()
        if batch is not None:
            batch.draft(user_id, wanted)
            return
        await rows.save_draft(self._db, user_id, wanted, now=self._clock.now())
        self._note_written(user_id, wanted)

    def _note_written(self, user_id: int, wanted: dict[str, Any] | None) -> None:
        if wanted:
            self._written[user_id] = wanted
        else:
            self._written.pop(user_id, None)

    async def flush_update(self, app: AnyApplication, update_id: int) -> None:
        """Write what python-telegram-bot hands over after an update, and record the update as
        handled, in one transaction. One flush at a time: a later flush never commits before an
        earlier one, so no older state overwrites a newer."""
        async with self._flushing:
            self._handed = set()
            batch = rows.Batch()
            token = _BATCH.set(batch)
            try:
                await app.update_persistence()
            finally:
                _BATCH.reset(token)
            await rows.save_batch(self._db, batch, handled_update=update_id, now=self._clock.now())
            for user_id, wanted in batch.drafts.items():
                self._note_written(user_id, wanted)
            self.flushed_users = tuple(self._handed)

    # -- never stored ---------------------------------------------------------------------

    async def get_chat_data(self) -> dict[int, Data]:
        return {}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        return None

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None

    async def flush(self) -> None:
        return None  # every write is committed when it is made


# -- exactly once -----------------------------------------------------------------------------


@dataclass
class Seen:
    """What this process knows without asking the database: the updates it took itself (a
    webhook retry may bring one again, even while it runs), and the highest id recorded before
    it started. Only ids up to that mark can have been handled by an earlier process."""

    high_water: int | None = None
    recent: deque[int] = field(default_factory=lambda: deque(maxlen=RECENT))
    known: set[int] = field(default_factory=set)

    def take(self, update_id: int) -> bool:
        """Note an update as taken here; False if it was taken here before."""
        if update_id in self.known:
            return False
        if len(self.recent) == self.recent.maxlen:
            self.known.discard(self.recent[0])
        self.recent.append(update_id)
        self.known.add(update_id)
        return True


def _seen(context: BotContext) -> Seen:
    found = context.bot_data.get(SEEN_KEY)
    if not isinstance(found, Seen):
        found = context.bot_data[SEEN_KEY] = Seen()
    return found


async def skip_seen(update: Update, context: BotContext) -> None:
    """Before every handler: a copy of an update already handled goes no further."""
    seen, db, uid = _seen(context), context.services.db, update.update_id
    if seen.high_water is None:
        seen.high_water = await processed_updates.highest(db)
    if not seen.take(uid) or (uid <= seen.high_water and await processed_updates.seen(db, uid)):
        log.info("update %s was handled before; redelivered copy skipped", uid)
        raise ApplicationHandlerStop


async def after_update(update: Update, context: BotContext) -> None:
    """After every handler: write the conversation states and drafts, then record the update
    as handled (in this order: a crash in between replays a step, never skips one)."""
    app = context.application
    if update.effective_user is not None:
        app.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    if isinstance(app.persistence, DatabasePersistence):
        await app.persistence.flush_update(app, update.update_id)
        forget_idle_empty_dicts(app, app.persistence.flushed_users)
        return
    if app.persistence is not None:
        await app.update_persistence()
    svc = context.services
    await processed_updates.record(svc.db, update.update_id, now=svc.clock.now())


def forget_idle_empty_dicts(app: AnyApplication, user_ids: Iterable[int]) -> None:
    """python-telegram-bot re-creates a person's (empty) user_data dict when it hands their data
    to the persistence after the update, so without this every person who ever wrote stays in
    memory as a key — a complainant too. Drop the empty ones of people with no update queued
    or running (a running handler may hold its dict and fill it)."""
    processor = app.update_processor
    if not isinstance(processor, PerUserOrderedProcessor):
        return
    for user_id in user_ids:
        held = app.user_data.get(user_id)
        if held is not None and not held and processor.user_is_idle(user_id):
            app.drop_user_data(user_id)


def exactly_once_handlers() -> list[tuple[int, TypeHandler[Update, BotContext, None]]]:
    """(group, handler) pairs to register around all others."""
    return [
        (FIRST_GROUP, TypeHandler(Update, skip_seen)),
        (LAST_GROUP, TypeHandler(Update, after_update)),
    ]


def on_start(app: BotApplication, clock: Clock, *, used_before: bool) -> None:
    """Before the first update: note whether this start is a restart (the database was used
    before), so that whoever was writing an anonymous complaint learns its draft was not kept;
    and prune the record of handled updates every hour."""
    if used_before:
        mark = restart_notice.Restart(clock_at=clock.now(), wall_at=datetime.now(UTC))
        app.bot_data[restart_notice.RESTART_KEY] = mark
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _prune, interval=PRUNE_EVERY, first=PRUNE_EVERY, name="processed-updates:prune"
        )


async def _prune(context: BotContext) -> None:
    svc = context.services
    await processed_updates.prune(svc.db, now=svc.clock.now())
