"""Complaint texts sealed at rest (storage.cases.sealing), on SQLite and PostgreSQL: what the
tables hold, what staff and the complainant read, the key's shredding on purge, sealing rows
stored before sealing existed, the rotation of the key-encryption key; and the hotline's
throttle counters (storage.cases.throttles)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.hotline import crypto, receipts
from domain.hotline.crypto import kek_from_secret
from storage.cases import complaint_staff, complaints, sealing, throttles
from storage.cases.sealing import UNREADABLE, Keyring
from storage.db import Database
from storage.models import Case, CaseMessage, ComplaintFingerprint, Evidence
from storage.stats import exports
from tests.owners import accepted
from tests.storage.test_complaints import POLICY, new

DAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)
WORDS = "校长的亲戚在食堂多收伙食费"
REPLY = "已转交纪检组核查"
REASON = "不属于本局职责范围的事项"


async def _raw(db: Database) -> str:
    """Every text value of the complaint tables as the database holds it."""
    async with db.engine.connect() as conn:
        rows = [
            *(await conn.execute(text("SELECT description, rejection_reason FROM cases"))).all(),
            *(await conn.execute(text("SELECT body, '' FROM case_messages"))).all(),
        ]
    return "\n".join(f"{a} {b}" for a, b in rows)


async def test_words_are_sealed_in_the_tables_and_open_for_readers(db: Database) -> None:
    filed = await complaints.file_complaint(
        db, new(WORDS), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    await complaint_staff.reply(db, filed.pseudonym, REPLY, member_id=None, now=NOW, today=DAY)
    await complaints.add_information(db, filed.case_id, "补充：每周一收费", today=DAY)
    await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.REJECTED, member_id=None, now=NOW, today=DAY, reason=REASON
    )
    raw = await _raw(db)
    for words in (WORDS, REPLY, "每周一收费", REASON):
        assert words not in raw
    assert raw.count(crypto.PREFIX) == 4  # description, reason, two messages
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.description == WORDS and view.rejection_reason == REASON
    assert [m.body for m in view.messages] == [REPLY, "补充：每周一收费"]
    rows = [row async for batch in exports.case_rows(db) for row in batch]
    assert [r.description for r in rows] == [WORDS]


async def test_a_ciphertext_opens_only_on_its_own_complaint(db: Database) -> None:
    one = await complaints.file_complaint(
        db, new(WORDS), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    two = await complaints.file_complaint(
        db, new("另一件事"), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    async with db.session() as session:
        first = await session.get(Case, one.case_id)
        second = await session.get(Case, two.case_id)
        assert first is not None and second is not None
        second.description = first.description  # moved by someone with the database only
        await session.commit()
    view = await complaints.view(db, two.case_id)
    assert view is not None and view.description == UNREADABLE


async def test_purge_shreds_the_key_and_an_earlier_backup_stays_noise(
    db: Database, tmp_path: Path
) -> None:
    filed = await complaints.file_complaint(
        db, new(WORDS), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    await complaint_staff.reply(db, filed.pseudonym, REPLY, member_id=None, now=NOW, today=DAY)
    await accepted(db, filed.case_id)  # closing needs someone responsible (谁受理谁负责)
    closed = await complaint_staff.finish(
        db, filed.pseudonym, CaseStatus.CLOSED, member_id=None, now=NOW, today=DAY
    )
    assert closed.outcome is Outcome.OK
    async with db.session() as session:  # the backup: every sealed row as it is now
        case = await session.get(Case, filed.case_id)
        saved = (await session.exec(select(CaseMessage.body))).all()
    assert case is not None
    keyring = sealing.keyring_of(db)
    before = await keyring.data_keys([filed.case_id])
    assert crypto.open_sealed(before[filed.case_id], filed.case_id, "description", case.description)
    result = await complaint_staff.purge(
        db, before=date(2028, 1, 1), today=date(2028, 1, 1), dry_run=False
    )
    assert result.purged == 1
    assert filed.case_id not in await keyring.case_ids()
    assert await keyring.data_keys([filed.case_id]) == {}
    # The backup's rows put back: nothing the keyring holds opens them.
    words = await sealing.opener(db, [filed.case_id])
    assert words.text(filed.case_id, "description", case.description) == UNREADABLE
    assert all(words.text(filed.case_id, sealing.MESSAGE, body) == UNREADABLE for body in saved)


FILE_ID = "AgACAgIAAxkBAAIBold-photo-file-id"


async def test_complaints_stored_in_clear_are_sealed_in_place(db: Database) -> None:
    async with db.session() as session:
        session.add(
            Case(
                id=-77,
                kind="complaint",
                number="C-OLD1",
                category_key="other",
                status=CaseStatus.ANSWERED,
                description=WORDS,
                opened_on=DAY,
            )
        )
        await session.flush()
        session.add(
            CaseMessage(id=-78, case_id=-77, seq=1, direction="to_author", body=REPLY, sent_on=DAY)
        )
        session.add(
            Evidence(id=-79, case_id=-77, kind="photo", telegram_file_id=FILE_ID, added_on=DAY)
        )
        await session.commit()
    assert WORDS in await _raw(db)
    assert await sealing.seal_existing(db) == 1
    assert await sealing.seal_existing(db) == 0  # idempotent
    raw = await _raw(db)
    assert WORDS not in raw and REPLY not in raw
    async with db.session() as session:
        stored = await session.get(Evidence, -79)
    assert stored is not None and FILE_ID not in stored.telegram_file_id
    view = await complaints.view(db, -77)
    assert view is not None and view.description == WORDS
    assert [m.body for m in view.messages] == [REPLY]
    assert [e.file_id for e in view.evidence] == [FILE_ID]


async def test_rotating_the_key_encryption_key_rewraps_every_key(
    db: Database, tmp_path: Path
) -> None:
    filed = await complaints.file_complaint(
        db, new(WORDS), receipt=receipts.new_receipt(), policy=POLICY, today=DAY
    )
    old = sealing.keyring_of(db)
    new_kek = kek_from_secret("the next data key " + "n" * 32)
    rotating = Keyring(old.store, (new_kek, *old.keks))
    assert await rotating.rewrap() == 1
    db.keyring = Keyring(old.store, (new_kek,))  # the old key retired for good
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.description == WORDS
    db.keyring = old  # without the new key nothing opens any more
    assert await old.unknown_keks() == 1
    view = await complaints.view(db, filed.case_id)
    assert view is not None and view.description == UNREADABLE


async def test_throttle_counts_add_up_and_earlier_days_are_forgotten(db: Database) -> None:
    assert await throttles.bump(db, "a", day=DAY) == 1
    assert await throttles.bump(db, "a", day=DAY, blocked_until=NOW) == 2
    (a, b) = await throttles.read(db, "a", "b")
    assert (a.count, a.blocked_until, b.count) == (2, NOW, 0)
    await throttles.clear(db, "a")
    assert (await throttles.read(db, "a"))[0].count == 0
    await throttles.bump(db, "old", day=DAY)
    await complaints.file_complaint(
        db, new(WORDS), receipt=receipts.new_receipt(), policy=POLICY, today=DAY, sender="s"
    )
    await throttles.bump(db, "new", day=DAY + timedelta(days=1))  # a new day: the old go
    old, fresh = await throttles.read(db, "old", "new")
    assert (old.count, fresh.count) == (0, 1)
    await throttles.forget_before(db, DAY + timedelta(days=1))
    async with db.session() as session:
        assert (await session.exec(select(ComplaintFingerprint))).all() == []
