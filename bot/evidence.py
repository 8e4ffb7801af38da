"""The bureau's own copy of evidence: the store opened from the configuration at start-up, and
the downloader that copies every evidence file into it with the Bot API's `getFile`.

Downloads happen after the commit that wrote the evidence row: a handler kicks the downloader
(`Services.files`), and a job sweeps every `[storage.files] sweep_seconds` for whatever a
failed download or a restart left owed (`storage.files.evidence.pending`). A file over the Bot
API's 20 MB download limit, or one Telegram no longer has, is marked as such and not tried
again; a network or store failure is retried on the next sweep.

A store that stamps each object with the moment it was written (an S3 bucket's "last modified")
would date every complaint to the minute. So with such a store a complaint's files wait for the
first sweep of the day after the complaint's day (the campaign's time zone): every complaint
file of a day is written in the same batch after midnight, and the bucket tells only the day,
as the local directory's file times do.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from bot.config import Config, FilesConfig
from domain.ledger import deadlines
from handlers.context import SERVICES_KEY, BotApplication, Services
from storage.db import Database
from storage.files import evidence
from storage.files.store import FileStore, LocalStore, StoreError, s3_store

log = logging.getLogger(__name__)
JOB_NAME = "evidence-copy"
LOCK_KEY = "evidence:copy_lock"
ENV_S3_SECRET = "BOT_S3_SECRET_KEY"


def local_dir(files: FilesConfig, storage_url: str) -> Path:
    """The configured directory; else beside a SQLite database file (`bot.db` → `bot.files`)."""
    if files.dir:
        return Path(files.dir)
    parsed = make_url(storage_url)
    name = parsed.database
    if parsed.get_backend_name() == "sqlite" and name and name != ":memory:":
        return Path(name).with_suffix(".files")
    return Path("data/files")


def open_store(config: Config) -> FileStore | None:
    files = config.storage.files
    if files.store == "none":
        return None
    if files.store == "s3":
        assert files.s3_endpoint is not None and files.s3_bucket is not None
        secret = os.environ.get(ENV_S3_SECRET, "") or (
            files.s3_secret_key.get_secret_value() if files.s3_secret_key else ""
        )
        return s3_store(
            files.s3_endpoint,
            files.s3_bucket,
            access_key=files.s3_access_key or "",
            secret_key=secret,
            secure=files.s3_secure,
            region=files.s3_region,
        )
    return LocalStore(local_dir(files, config.storage.url))


def attach(db: Database, config: Config) -> None:
    db.files = open_store(config)


async def _download(bot: Bot, item: evidence.Pending) -> bytes | str:
    """The file's bytes, or the mark saying why there will be none."""
    if item.size is not None and item.size > evidence.DOWNLOAD_LIMIT:
        return evidence.TOO_BIG
    try:
        found = await bot.get_file(item.file_id)
    except BadRequest as error:
        return evidence.TOO_BIG if "too big" in error.message.lower() else evidence.UNAVAILABLE
    if found.file_size is not None and found.file_size > evidence.DOWNLOAD_LIMIT:
        return evidence.TOO_BIG
    return bytes(await found.download_as_bytearray())


async def copy_pending(bot: Bot, db: Database, *, today: date, batch: int = 20) -> int:
    """Copy what the store lacks, a batch at a time; returns how many copies were stored.
    Failures that may pass (network, store) leave the row owed for the next sweep; so does a
    complaint's file filed `today` when the store stamps its own times."""
    store = db.files
    hold_from = today if store is not None and not store.dates_copies else None
    stored, after = 0, None
    while True:
        owed = await evidence.pending(db, limit=batch, after=after)
        if not owed:
            return stored
        after = owed[-1].evidence_id
        for item in owed:
            if item.complaint_id is not None and hold_from is not None and item.day >= hold_from:
                continue  # written with the day's other complaint files, after midnight
            try:
                got = await _download(bot, item)
                if isinstance(got, str):
                    await evidence.mark(db, item.evidence_id, got)
                    continue
                if await evidence.keep(db, item, got) != evidence.UNAVAILABLE:
                    stored += 1
            except (TelegramError, StoreError, OSError) as error:
                log.warning(
                    "evidence copy %d not stored yet (%s); retried on the next sweep",
                    item.evidence_id,
                    type(error).__name__,
                )


async def copy_once(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """One pass, never two at once in this process."""
    services: Services = app.bot_data[SERVICES_KEY]
    lock = app.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    today = deadlines.local_today(services.clock.now(), services.settings.timezone)
    async with lock:
        return await copy_pending(app.bot, services.db, today=today)


class FilesKick:
    """Runs a pass now in the background (after a commit that wrote evidence)."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._app = app

    def kick(self) -> None:
        services: Services | None = self._app.bot_data.get(SERVICES_KEY)
        if services is None or services.db.files is None or not self._app.running:
            return
        self._app.create_task(self._run(), name="evidence-copy")

    async def _run(self) -> None:
        try:
            await copy_once(self._app)
        except Exception:  # the sweep tries again
            log.exception("evidence copy (kicked) failed")


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    await copy_once(context.application)


def start(app: BotApplication, config: Config) -> None:
    """Register the sweep on the job queue (once, by name)."""
    queue = app.job_queue
    if queue is None or queue.get_jobs_by_name(JOB_NAME):
        return
    seconds = config.storage.files.sweep_seconds
    queue.run_repeating(_sweep, interval=seconds, first=1, name=JOB_NAME)
