"""Attaching the complaints' keyring (`storage.cases.sealing`) to the database at start-up:
its own database opened, its table made, the KEKs from the configuration, and complaints stored
before sealing existed sealed in place: the data step of migrations 0013 and 0014, which needs
the server's key. `python -m bot migrate` runs it right after Alembic when the pepper is
configured; a plain `alembic upgrade` never sees the key, so `run` does it at its next start."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import Config
from bot.config.hotline import data_keys, keyring_url
from domain.hotline.rules import HotlinePolicy
from storage.cases import sealing
from storage.db import Database

log = logging.getLogger(__name__)


async def attach(db: Database, config: Config, policy: HotlinePolicy) -> int:
    """Give `db` its keyring (call after the main database is migrated; `detach` at the end);
    returns how many complaints stored in clear it sealed on the way."""
    url = keyring_url(config.hotline, config.storage.url)
    await _create_pg_database(db, url)
    store = Database(url)
    keyring = sealing.Keyring(store, data_keys(config.hotline, policy.pepper))
    try:
        await keyring.prepare()
        db.keyring = keyring
        sealed = await sealing.seal_existing(db)
    except BaseException:
        await detach(db)
        raise
    if sealed:
        log.info("sealed the texts of %d complaint(s) stored in clear", sealed)
    if lost := await keyring.unknown_keks():
        log.warning(
            "%d complaint key(s) are wrapped by a key-encryption key not configured "
            "(hotline.retired_data_keys): their texts cannot be read",
            lost,
        )
    return sealed


async def detach(db: Database) -> None:
    """Close `db`'s keyring, if it has one."""
    keyring, db.keyring = db.keyring, None
    if keyring is not None:
        await keyring.store.dispose()


async def _create_pg_database(db: Database, url: str) -> None:
    """A PostgreSQL keyring database that does not exist yet is created, over the main
    database's connection (it needs the CREATEDB right; without it, say what to do)."""
    target = make_url(url)
    name = target.database
    if target.get_backend_name() != "postgresql" or db.dialect != "postgresql" or not name:
        return
    async with db.engine.connect() as conn:
        exists = (
            await conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        ).first()
        if exists is not None:
            return
        await conn.rollback()  # CREATE DATABASE runs outside a transaction
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            await auto.execute(text(f'CREATE DATABASE "{name.replace(chr(34), "")}"'))
        except DBAPIError as error:
            if "already exists" in str(error.orig):  # another process made it just now
                return
            raise RuntimeError(
                f"the hotline keyring database {name!r} does not exist and could not be "
                f"created ({type(error.orig).__name__}); create it (createdb {name}) or set "
                "[hotline] keyring_url"
            ) from error
    log.info("created the hotline keyring database %s", name)
