"""Attaching the complaints' keyring (`storage.cases.sealing`) to the database at start-up:
its own database opened, its table made, the KEKs from the configuration, and complaints stored
before sealing existed sealed in place (the data step of migration 0014: it needs the server's
key, which Alembic never sees)."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.config.hotline import data_keys, keyring_url
from domain.hotline.rules import HotlinePolicy
from storage.cases import sealing
from storage.db import Database

log = logging.getLogger(__name__)


async def attach(db: Database, config: Config, policy: HotlinePolicy) -> None:
    """Give `db` its keyring (call after the main database is migrated; `detach` at the end)."""
    store = Database(keyring_url(config.hotline, db.url))
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


async def detach(db: Database) -> None:
    """Close `db`'s keyring, if it has one."""
    keyring, db.keyring = db.keyring, None
    if keyring is not None:
        await keyring.store.dispose()
