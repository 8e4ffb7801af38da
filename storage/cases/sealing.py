"""Complaint texts sealed at rest, and shredded with their complaint.

Every complaint gets a random data key (`domain.hotline.crypto`); its description, messages in
both directions, staff notes, closing summary and rejection reason are stored as AES-GCM
ciphertext under it. The data key is stored only wrapped by the key-encryption key (KEK) from
the configuration, and in the *keyring*: a small database of its own (by default a SQLite file
beside the main one), never inside the main database. So:

- the main database or its backup alone reveals no complaint text (no KEK, no data keys);
- purging a complaint deletes its data key from the keyring first: a backup of the main
  database made before the purge holds only ciphertext that no key in existence opens
  (unless the keyring itself was backed up then: docs/anonymity.md says for how long).

Why a second database and not a table beside the texts: a backup of one file would hold both
the ciphertext and its wrapped key, and the KEK opens it: deleting the key would shred nothing
that matters. The price is one more file to keep (losing the keyring loses every complaint's
text; docs/deploy.md).

The keyring reaches the storage code through the `Database` it is attached to
(`Database.keyring`, set once at start-up); sessions carry it in `session.info`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, String, Table, delete, select
from sqlmodel import col
from sqlmodel import select as orm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.hotline import crypto
from domain.hotline.crypto import Kek, Unreadable
from storage.db import Database
from storage.models import Case, CaseMessage, Evidence

COMPLAINT = "complaint"
UNREADABLE = "[…]"  # what a text whose key is gone reads as (storage knows no language)
# The columns of `cases` that hold a complaint's words, and the label each is sealed under.
CASE_COLUMNS = ("description", "closing_summary", "rejection_reason")
MESSAGE = "message"
FILE_ID = "file_id"  # an evidence row's Telegram file id (a complaint's is sealed too)

keyring_metadata = MetaData()
complaint_keys = Table(
    "complaint_keys",
    keyring_metadata,
    Column("case_id", BigInteger(), primary_key=True, autoincrement=False),
    Column("kek_id", String(16), nullable=False),
    Column("wrapped", LargeBinary(), nullable=False),
)


class NoKeyring(RuntimeError):
    """A complaint text was to be written with no keyring attached to the database."""


class Keyring:
    """The wrapped data keys, in a database of their own; `keks[0]` wraps new keys, the others
    (retired KEKs) still unwrap until `rewrap` has moved every key to the current one."""

    def __init__(self, store: Database, keks: Sequence[Kek]) -> None:
        if not keks:
            raise ValueError("a keyring needs a key-encryption key")
        self.store = store
        self.keks = tuple(keks)
        self._by_id = {k.key_id: k for k in keks}

    async def prepare(self) -> None:
        """Create the keyring's one table if it is not there."""
        async with self.store.engine.begin() as conn:
            await conn.run_sync(keyring_metadata.create_all)

    async def create(self, case_id: int) -> bytes:
        """A new data key for a complaint, stored wrapped (committed before the complaint is)."""
        data_key = crypto.new_data_key()
        kek = self.keks[0]
        async with self.store.engine.begin() as conn:
            await conn.execute(
                complaint_keys.insert().values(
                    case_id=case_id, kek_id=kek.key_id, wrapped=crypto.wrap(kek, case_id, data_key)
                )
            )
        return data_key

    async def data_keys(self, case_ids: Iterable[int]) -> dict[int, bytes]:
        """The data keys of these complaints that still exist and open."""
        wanted = sorted(set(case_ids))
        if not wanted:
            return {}
        async with self.store.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(complaint_keys).where(complaint_keys.c.case_id.in_(wanted))
                )
            ).all()
        found: dict[int, bytes] = {}
        for case_id, kek_id, wrapped in rows:
            kek = self._by_id.get(kek_id)
            if kek is None:
                continue
            try:
                found[case_id] = crypto.unwrap(kek, case_id, wrapped)
            except Unreadable:
                continue
        return found

    async def shred(self, case_ids: Iterable[int]) -> int:
        """Delete these complaints' data keys: their texts, wherever copied, are noise now."""
        doomed = sorted(set(case_ids))
        if not doomed:
            return 0
        async with self.store.engine.begin() as conn:
            gone = await conn.execute(
                delete(complaint_keys).where(complaint_keys.c.case_id.in_(doomed))
            )
        return int(getattr(gone, "rowcount", 0) or 0)

    async def case_ids(self) -> set[int]:
        async with self.store.engine.connect() as conn:
            return set((await conn.execute(select(complaint_keys.c.case_id))).scalars())

    async def rewrap(self) -> int:
        """Wrap every data key with the current KEK (after a rotation); returns how many moved."""
        current = self.keks[0]
        moved = 0
        async with self.store.engine.begin() as conn:
            rows = (await conn.execute(select(complaint_keys))).all()
            for case_id, kek_id, wrapped in rows:
                if kek_id == current.key_id or kek_id not in self._by_id:
                    continue
                data_key = crypto.unwrap(self._by_id[kek_id], case_id, wrapped)
                await conn.execute(
                    complaint_keys.update()
                    .where(complaint_keys.c.case_id == case_id)
                    .values(kek_id=current.key_id, wrapped=crypto.wrap(current, case_id, data_key))
                )
                moved += 1
        return moved

    async def unknown_keks(self) -> int:
        """Keys wrapped by a KEK this process does not have (a removed retired key)."""
        async with self.store.engine.connect() as conn:
            ids = (await conn.execute(select(complaint_keys.c.kek_id))).scalars().all()
        return sum(1 for k in ids if k not in self._by_id)


def keyring_of(source: Database | AsyncSession) -> Keyring:
    found = source.keyring if isinstance(source, Database) else source.info.get("keyring")
    if not isinstance(found, Keyring):
        raise NoKeyring("complaint texts need a keyring (Database.keyring) to be stored")
    return found


@dataclass(frozen=True)
class Opener:
    """Opens the sealed texts of the complaints whose keys it holds; anything not sealed (a
    named report's text) passes through as it is."""

    keys: dict[int, bytes]

    def text(self, case_id: int, column: str, value: str) -> str:
        if not crypto.is_sealed(value):
            return value
        key = self.keys.get(case_id)
        if key is None:
            return UNREADABLE
        try:
            return crypto.open_sealed(key, case_id, column, value)
        except Unreadable:
            return UNREADABLE

    def maybe(self, case_id: int, column: str, value: str | None) -> str | None:
        return None if value is None else self.text(case_id, column, value)


async def opener(source: Database | AsyncSession, case_ids: Iterable[int]) -> Opener:
    """An opener for these cases (only complaints have keys; others need none)."""
    ids = [i for i in case_ids]
    if not ids:
        return Opener({})
    found = source.keyring if isinstance(source, Database) else source.info.get("keyring")
    if not isinstance(found, Keyring):
        return Opener({})
    return Opener(await found.data_keys(ids))


async def seal_for(session: AsyncSession, case_id: int, column: str, text: str) -> str:
    """`text` as stored for case `case_id`: sealed under its key for a complaint, as it is
    for any other kind. A complaint without a key is refused, never stored in clear."""
    case = await session.get(Case, case_id)
    if case is None or case.kind != COMPLAINT:
        return text
    keys = await keyring_of(session).data_keys([case_id])
    if case_id not in keys:
        raise Unreadable(f"no data key for complaint {case.number}")
    return crypto.seal(keys[case_id], case_id, column, text)


async def seal_values(
    session: AsyncSession, case: Case, values: dict[str, object]
) -> dict[str, object]:
    """A move's column values with a complaint's words sealed (see `CASE_COLUMNS`)."""
    texts = {k: v for k, v in values.items() if k in CASE_COLUMNS and isinstance(v, str)}
    if case.kind != COMPLAINT or not texts or case.id is None:
        return values
    sealed = dict(values)
    for column, text in texts.items():
        sealed[column] = await seal_for(session, case.id, column, text)
    return sealed


async def seal_existing(db: Database) -> int:
    """Give every complaint stored before sealing existed its key and seal its texts and its
    evidence's file ids in place (idempotent: what is sealed stays as it is); returns how many
    complaints changed."""
    keyring = keyring_of(db)
    async with db.session() as session:
        cases = (await session.exec(orm_select(Case).where(col(Case.kind) == COMPLAINT))).all()
        ids = [c.id for c in cases if c.id is not None]
        keys = await keyring.data_keys(ids)
        changed = 0
        for case in cases:
            assert case.id is not None
            messages = (
                await session.exec(orm_select(CaseMessage).where(CaseMessage.case_id == case.id))
            ).all()
            message_ids = [m.id for m in messages if m.id is not None]
            files = (
                await session.exec(
                    orm_select(Evidence).where(
                        (col(Evidence.case_id) == case.id)
                        | col(Evidence.message_id).in_(message_ids)
                    )
                )
            ).all()
            clear = [c for c in CASE_COLUMNS if _clear(getattr(case, c))] or None
            plain_messages = [m for m in messages if _clear(m.body)]
            plain_files = [f for f in files if _clear(f.telegram_file_id)]
            if clear is None and not plain_messages and not plain_files:
                continue
            key = keys.get(case.id)
            if key is None:
                key = await keyring.create(case.id)
            for column in clear or ():
                setattr(case, column, crypto.seal(key, case.id, column, getattr(case, column)))
            for message in plain_messages:
                message.body = crypto.seal(key, case.id, MESSAGE, message.body)
            for file in plain_files:
                file.telegram_file_id = crypto.seal(key, case.id, FILE_ID, file.telegram_file_id)
            changed += 1
        await session.commit()
    return changed


def _clear(value: str | None) -> bool:
    return bool(value) and not crypto.is_sealed(value)
