"""The bureau's own copy of every evidence file (reports', complaints', desk notes', ledger
items'), kept in the configured store (`storage.files.store`).

An evidence row is its own outbox entry: `stored_as` is NULL until its copy is in the store,
then the object's name (or a mark saying why there will be none: the file is over the Bot
API's 20 MB download limit, or Telegram no longer has it). The downloader (`bot.evidence`)
takes pending rows after the commit that wrote them and again on every sweep, so a failed
download is retried without an extra row — the reminder outbox would have stamped a
complaint's file with instants (its `created_at`, `due_at`), which a complaint must not carry.

A complaint's file is sealed with the complaint's data key before it is stored (its object's
name is then the hash of ciphertext), and its local copy's file times are set to its day:
crypto-shredding the key makes the copy noise, and the purge deletes it too.
"""

from __future__ import annotations

import io
import mimetypes
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.hotline import crypto
from domain.hotline.crypto import Unreadable
from storage.cases import sealing
from storage.db import Database
from storage.files.store import FileStore, StoreError
from storage.models import Case, CaseMessage, Evidence

TOO_BIG = "!too-big"  # over the Bot API's download limit: Telegram keeps the only copy
UNAVAILABLE = "!unavailable"  # Telegram refused the file id, or the complaint's key is gone
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what getFile lets a bot download
FILE = "file"  # the label a complaint's file copy is sealed under


@dataclass(frozen=True)
class Pending:
    """An evidence file whose copy the store does not have yet."""

    evidence_id: int
    file_id: str  # opened: the caller downloads it
    size: int | None
    day: date
    complaint_id: int | None  # the complaint whose key seals the copy, None for a named file


@dataclass(frozen=True)
class StoredFile:
    """A stored copy, opened, for an export."""

    case_number: str
    kind: str
    index: int
    mime_type: str | None
    data: bytes


def store_of(db: Database) -> FileStore | None:
    return db.files


async def _owners(
    session: AsyncSession, rows: Sequence[Evidence]
) -> dict[int, tuple[int, str, str]]:
    """Evidence id → (case id, case kind, case number), through the message for a note's file."""
    message_ids = [r.message_id for r in rows if r.case_id is None and r.message_id is not None]
    via: dict[int, int] = {}
    if message_ids:
        found = await session.exec(
            select(CaseMessage.id, CaseMessage.case_id).where(col(CaseMessage.id).in_(message_ids))
        )
        via = {m: c for m, c in found.all() if m is not None}
    case_of = {
        r.id: r.case_id if r.case_id is not None else via.get(r.message_id or 0)
        for r in rows
        if r.id is not None
    }
    wanted = {c for c in case_of.values() if c is not None}
    cases = {}
    if wanted:
        found_cases = await session.exec(
            select(Case.id, Case.kind, Case.number).where(col(Case.id).in_(wanted))
        )
        cases = {i: (k, n) for i, k, n in found_cases.all() if i is not None}
    return {
        e: (c, *cases[c])
        for e, c in case_of.items()
        if e is not None and c is not None and c in cases
    }


async def pending(db: Database, *, limit: int = 20, after: int | None = None) -> list[Pending]:
    """Evidence files not yet in the store, in order of id, those past `after` when given (ids
    can be negative: a complaint's rows take random ones). None when no store is configured."""
    if db.files is None:
        return []
    query = select(Evidence).where(col(Evidence.stored_as).is_(None))
    if after is not None:
        query = query.where(col(Evidence.id) > after)
    async with db.session() as session:
        rows = (await session.exec(query.order_by(col(Evidence.id)).limit(limit))).all()
        owners = await _owners(session, rows)
        complaints = [c for c, kind, _n in owners.values() if kind == sealing.COMPLAINT]
        words = await sealing.opener(session, complaints)
    found: list[Pending] = []
    for row in rows:
        assert row.id is not None
        owner = owners.get(row.id)
        complaint = owner[0] if owner is not None and owner[1] == sealing.COMPLAINT else None
        file_id = (
            words.text(complaint, sealing.FILE_ID, row.telegram_file_id)
            if complaint is not None
            else row.telegram_file_id
        )
        found.append(Pending(row.id, file_id, row.size, row.added_on, complaint))
    return found


async def mark(db: Database, evidence_id: int, stored_as: str) -> None:
    async with db.session() as session:
        await session.exec(
            update(Evidence)
            .where(col(Evidence.id) == evidence_id)
            .where(col(Evidence.stored_as).is_(None))
            .values(stored_as=stored_as)
        )
        await session.commit()


async def keep(db: Database, item: Pending, data: bytes) -> str:
    """Put a downloaded file in the store (sealed for a complaint) and record its name."""
    store = db.files
    if store is None:
        raise StoreError("no evidence store is attached")
    dated: datetime | None = None
    if item.complaint_id is not None:
        keys = await sealing.keyring_of(db).data_keys([item.complaint_id])
        key = keys.get(item.complaint_id)
        if key is None:  # shredded meanwhile: nothing may be kept
            await mark(db, item.evidence_id, UNAVAILABLE)
            return UNAVAILABLE
        data = crypto.seal_bytes(key, item.complaint_id, FILE, data)
        dated = datetime.combine(item.day, time(0), tzinfo=UTC)
    name = await store.put(data, dated=dated)
    await mark(db, item.evidence_id, name)
    return name


def is_object(stored_as: str | None) -> bool:
    return stored_as is not None and not stored_as.startswith("!")


async def names_of_cases(session: AsyncSession, case_ids: Iterable[int]) -> list[str]:
    """The stored objects of these cases' files (their own and their messages'), for a purge."""
    ids = list(case_ids)
    if not ids:
        return []
    message_ids = select(CaseMessage.id).where(col(CaseMessage.case_id).in_(ids))
    rows = (
        await session.exec(
            select(Evidence.stored_as).where(
                col(Evidence.case_id).in_(ids) | col(Evidence.message_id).in_(message_ids)
            )
        )
    ).all()
    return [r for r in rows if r is not None and is_object(r)]


async def remove(db: Database, names: Iterable[str]) -> int:
    """Delete these objects from the store (after the rows that named them are gone). An
    object another row still names (the same bytes filed twice) stays."""
    store = db.files
    wanted = sorted(set(names))
    if store is None or not wanted:
        return 0
    async with db.session() as session:
        still = set(
            (
                await session.exec(
                    select(Evidence.stored_as).where(col(Evidence.stored_as).in_(wanted))
                )
            ).all()
        )
    gone = 0
    for name in wanted:
        if name not in still:
            await store.delete(name)
            gone += 1
    return gone


async def stored_files(db: Database, *, kinds: Iterable[str] | None = None) -> list[StoredFile]:
    """Every case's stored evidence, opened (a complaint's with its key): for an export that
    only authorised staff may make. Copies not yet downloaded, or whose key is gone, are left
    out."""
    store = db.files
    if store is None:
        return []
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Evidence)
                .where(col(Evidence.stored_as).is_not(None))
                .order_by(col(Evidence.added_on), col(Evidence.id))
            )
        ).all()
        rows = [r for r in rows if is_object(r.stored_as)]
        owners = await _owners(session, rows)
        complaints = [c for c, kind, _n in owners.values() if kind == sealing.COMPLAINT]
        keys = await sealing.keyring_of(db).data_keys(complaints) if complaints else {}
    allowed = set(kinds) if kinds is not None else None
    out: list[StoredFile] = []
    counts: dict[str, int] = {}
    for row in rows:
        assert row.id is not None and row.stored_as is not None
        owner = owners.get(row.id)
        if owner is None or (allowed is not None and owner[1] not in allowed):
            continue
        case_id, kind, number = owner
        data = await store.get(row.stored_as)
        if data is None:
            continue
        if kind == sealing.COMPLAINT:
            key = keys.get(case_id)
            if key is None:
                continue
            try:
                data = crypto.open_bytes(key, case_id, FILE, data)
            except Unreadable:
                continue
        counts[number] = counts.get(number, 0) + 1
        out.append(StoredFile(number, row.kind, counts[number], row.mime_type, data))
    return out


def extension(mime_type: str | None, kind: str) -> str:
    if kind == "photo":
        return ".jpg"
    guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
    return guessed or ".bin"


def write_zip(files: Sequence[StoredFile]) -> bytes:
    """A zip of the files, one folder per case number (`R-2027-0001/1.jpg`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            name = f"{f.case_number}/{f.index}{extension(f.mime_type, f.kind)}"
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # no instants inside
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, f.data)
    return out.getvalue()
