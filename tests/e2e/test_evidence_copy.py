"""The bureau's own copy of evidence: a complaint's photo is downloaded (getFile) into the local
store after the complaint is committed, sealed under the complaint's key; the database holds no
file id of it; the case officer's export zip holds the photo opened; the purge deletes the copy."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import evidence as evidence_copy
from bot.clock import TravelClock
from bot.jobs import hotline as hotline_jobs
from domain.cases.lifecycle import CaseStatus
from domain.ledger import deadlines
from handlers.context import SERVICES_KEY
from storage.cases import complaint_staff
from storage.files import evidence
from storage.files.store import name_of
from storage.models import Evidence
from tests.e2e.hotline_support import Hotline, hotline_bot
from tests.owners import accepted

PHOTO = b"\xff\xd8\xff\xe0" + b"the canteen's receipt book, page 3 " * 50


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def _stored(hl: Hotline) -> list[Evidence]:
    """The evidence rows once every copy is stored (the download runs after the commit)."""
    for _ in range(300):
        async with hl.h.db.session() as session:
            rows = list((await session.exec(select(Evidence))).all())
        if rows and all(r.stored_as is not None for r in rows):
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError("the evidence was not copied into the store")


def _database_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("bot.db*") if p.is_file())


async def test_a_complaint_photo_is_kept_sealed_exported_opened_and_purged(
    hl: Hotline, tmp_path: Path
) -> None:
    parent = hl.complainant()
    await hl.file(parent, photo=PHOTO)
    card = await hl.sim.next_message(hl.staff)
    pseudonym = card.text.split("匿名投诉 ")[1].split()[0]
    (row,) = await _stored(hl)
    assert row.stored_as is not None and evidence.is_object(row.stored_as)
    store_dir = tmp_path / "bot.files"
    copy = store_dir / row.stored_as[:2] / row.stored_as[2:]
    sealed = copy.read_bytes()
    assert PHOTO[:40] not in sealed and len(sealed) == len(PHOTO) + 28  # nonce + tag
    # The database (and its WAL) holds no file id of the complaint's photo.
    ids = [fid for fid, f in hl.sim.state.files.items() if f.data == PHOTO]
    assert ids
    dump = _database_bytes(tmp_path)
    assert not any(fid.encode() in dump for fid in ids)
    assert row.telegram_file_id.startswith("sealed:v1:")

    # The case officer's export: a zip beside the register, the photo opened.
    await hl.h.ask(hl.handler, "/export")
    await hl.sim.press_button(hl.handler, "证据文件 · zip")
    sent = await hl.sim.next_message(hl.handler)
    document = sent.raw["document"]
    assert document["file_name"].startswith("evidence-all-")
    data = hl.sim.state.files[str(document["file_id"])].data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"{pseudonym}/1.jpg"]
        assert archive.read(f"{pseudonym}/1.jpg") == PHOTO

    # Closed, then purged after retention: the key is shredded and the copy deleted.
    case_id = await complaint_staff.case_id_of(hl.h.db, pseudonym)
    assert case_id is not None
    await accepted(hl.h.db, case_id)
    now = hl.h.clock.now()
    today = now.date()
    await complaint_staff.reply(
        hl.h.db, pseudonym, "已处理。", member_id=None, now=now, today=today
    )
    await complaint_staff.finish(
        hl.h.db, pseudonym, CaseStatus.CLOSED, member_id=None, now=now, today=today
    )
    services = hl.h.app.bot_data[SERVICES_KEY]
    hl.h.clock.advance(timedelta(days=366))
    assert (await hotline_jobs.purge_once(services)).purged == 1
    assert not copy.exists()
    assert await evidence.stored_files(hl.h.db) == []


async def test_a_failed_download_is_retried_and_a_file_too_big_is_marked(hl: Hotline) -> None:
    parent = hl.complainant()
    services = hl.h.app.bot_data[SERVICES_KEY]
    store, services.db.files = services.db.files, None  # the store is away: nothing copied
    await hl.file(parent, photo=PHOTO)
    await hl.sim.next_message(hl.staff)
    assert await evidence.pending(services.db) == []  # no store, nothing owed to it
    services.db.files = store
    (owed,) = await evidence.pending(services.db)
    assert owed.complaint_id is not None and owed.file_id in hl.sim.state.files
    assert await evidence_copy.copy_once(hl.h.app) == 1  # the sweep's pass
    (row,) = await _stored(hl)
    assert evidence.is_object(row.stored_as)
    # Over getFile's 20 MB: marked, never tried again.
    big = await hl.sim.send_document(hl.handler, b"x" * (21 * 1024 * 1024), "big.pdf")
    del big
    async with services.db.session() as session:
        session.add(
            Evidence(
                case_id=None,
                kind="document",
                telegram_file_id=next(
                    fid for fid, f in hl.sim.state.files.items() if f.size > 20 * 1024 * 1024
                ),
                mime_type="application/pdf",
                size=None,
                added_on=row.added_on,
            )
        )
        await session.commit()
    assert await evidence_copy.copy_once(hl.h.app) == 0
    async with services.db.session() as session:
        marks = sorted(str(r.stored_as) for r in (await session.exec(select(Evidence))).all())
    assert evidence.TOO_BIG in marks


@dataclass
class StampingStore:
    """A store that, like an S3 bucket, stamps each object with the moment it is written (here
    the campaign clock's) and ignores `dated`."""

    clock: TravelClock
    objects: dict[str, tuple[bytes, datetime]] = field(default_factory=dict)
    dates_copies = False

    async def put(self, data: bytes, *, dated: datetime | None = None) -> str:
        name = name_of(data)
        self.objects[name] = (data, self.clock.now())
        return name

    async def get(self, name: str) -> bytes | None:
        found = self.objects.get(name)
        return None if found is None else found[0]

    async def delete(self, name: str) -> None:
        self.objects.pop(name, None)


async def test_a_store_that_stamps_times_gets_a_complaints_files_only_after_its_day(
    hl: Hotline,
) -> None:
    """With an S3-like store the bucket's time would date the complaint to the minute: its file
    waits for the first pass after the complaint's day ends; a named report's file does not."""
    services = hl.h.app.bot_data[SERVICES_KEY]
    clock = hl.h.clock
    store = StampingStore(clock)
    services.db.files = store
    parent = hl.complainant()
    await hl.file(parent, photo=PHOTO)
    await hl.sim.next_message(hl.staff)
    (owed,) = await evidence.pending(services.db)
    filed_on = owed.day
    # A named file of the same day (a staff note's or a report's) is not held.
    async with services.db.session() as session:
        session.add(
            Evidence(
                case_id=None,
                kind="photo",
                telegram_file_id=owed.file_id,
                mime_type="image/jpeg",
                size=None,
                added_on=filed_on,
            )
        )
        await session.commit()
    await evidence_copy.copy_once(hl.h.app)  # (the filing's own pass may have run already)
    (waiting,) = await evidence.pending(services.db)  # the named one is stored, not this
    assert waiting.complaint_id is not None and len(store.objects) == 1
    local = deadlines.local_today(clock.now(), services.settings.timezone)
    to_midnight = datetime.combine(
        local + timedelta(days=1), time(0, 1), tzinfo=services.settings.timezone
    )
    clock.advance(to_midnight - clock.now())
    assert await evidence_copy.copy_once(hl.h.app) == 1
    assert await evidence.pending(services.db) == []
    stamps = [at for _data, at in store.objects.values()]
    complaint_stamp = max(stamps)
    assert complaint_stamp.astimezone(services.settings.timezone).date() > filed_on
