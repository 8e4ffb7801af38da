"""The hotline's anonymity invariants, one test each: if an identifier of the complainant
leaks anywhere the bot writes, a test here fails."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from telegram.ext import ConversationHandler

from bot.jobs import hotline as hotline_jobs
from bot.ops import logs
from bot.ops.logs import Format
from domain.cases.accountability import Finding, Party
from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from domain.hotline import evidence, receipts
from domain.membership.roles import Role
from handlers.context import SERVICES_KEY
from handlers.hotline.held import HELD_KEY, HeldReceipts
from simulator import BotApiSimulator
from storage.cases import complaint_staff, complaints, sealing
from storage.cases.accountability import ClosingRecord, Entry
from storage.db import Database
from storage.membership import units
from storage.models import CaseIntake, metadata
from storage.ops import backup
from storage.ops import persistence as persisted_rows
from tests.conftest import PG_URL, drop_database, fresh_database
from tests.e2e.conftest import TOKEN
from tests.e2e.hotline_support import (
    COMPLAINANT,
    RECEIPT_RE,
    Hotline,
    answer_of,
    forge_press,
    hotline_bot,
)
from tests.owners import accepted
from tests.test_hotline_evidence import AUTHOR, jpeg_with_gps, pdf_with_author

HOTLINE_TABLES = (
    "cases",
    "case_messages",
    "evidence",
    "complaint_receipts",
    "complaint_push_links",
    "complaint_fingerprints",
    "complaint_ratings",
    "complaint_holds",
    "complaint_tombstones",
    "case_intakes",  # an anonymous intake's row: channel, day, officer (contact columns empty)
)
PERSON_COLUMNS = {
    "telegram_user_id",
    "user_id",
    "chat_id",
    "username",
    "first_name",
    "last_name",
    "display_name",
    "full_name",
    "telegram_message_id",
    "tg_message_id",
}


def needles() -> dict[str, bytes]:
    """Every form in which the complainant's identifiers could be written."""
    uid = int(COMPLAINANT["user_id"])
    found = {
        "user id": str(uid).encode(),
        "user id (8-byte int)": uid.to_bytes(8, "big"),
        "user id (6-byte int)": uid.to_bytes(6, "big"),
        "user id (little-endian)": uid.to_bytes(8, "little"),
    }
    for key in ("first_name", "last_name", "username"):
        value = str(COMPLAINANT[key])
        found[key] = value.encode()
        found[key + " (lower)"] = value.lower().encode()
        found[key + " (utf-16)"] = value.encode("utf-16-le")
    return found


def assert_absent(where: str, data: bytes) -> None:
    for what, needle in needles().items():
        assert needle not in data, f"{what} found in {where}"


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    saved = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield caplog
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def all_to_debug() -> None:
    # `running()` quiets some libraries at start-up: turn every logger up after it.
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            logger.setLevel(logging.DEBUG)


@pytest.fixture
async def hl(tmp_path: Path) -> AsyncIterator[Hotline]:
    async with hotline_bot(tmp_path) as found:
        yield found


async def full_flow(hl: Hotline) -> str:
    """File with a photo and push, staff reply, follow-up, close, rate. Returns the receipt."""
    sim, parent = hl.sim, hl.complainant()
    receipt = await hl.file(parent, photo=b"\x89PNG evidence", push=True)
    await sim.next_message(hl.staff)
    await sim.next_message(hl.staff)
    await accepted(hl.h.db, (await complaints.for_staff(hl.h.db))[0].case_id)  # 谁受理谁负责
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "正在核查。", chat=hl.staff, reply_to=prompt)
    await sim.next_message(hl.staff)
    await sim.next_message(parent)  # the push notice
    await hl.h.ask(parent, "/status", receipt)
    await sim.press_button(parent, "补充材料")
    await sim.next_message(parent)
    await hl.say(parent, "补充：收费在每周一。")
    await sim.next_message(hl.staff)
    await sim.next_message(parent)
    await sim.press_button(parent, "完成")
    await sim.next_message(parent)
    await hl.press(hl.handler, "回复", chat=hl.staff)
    prompt = sim.bot_messages(hl.staff)[-1]
    await sim.send_text(hl.handler, "已退还。", chat=hl.staff, reply_to=prompt)
    await sim.next_message(hl.staff)
    await sim.next_message(parent)
    assert "已办结" in await hl.close_from_card()
    await sim.next_message(parent)  # closing notice
    await hl.h.ask(parent, "/status", receipt)
    await sim.press_button(parent, "评价办理结果")
    await sim.next_message(parent)
    await sim.press_button(parent, "满意")
    await sim.next_message(parent)
    await sim.press_button(parent, "不写意见")
    await sim.next_message(parent)
    await sim.wait_confirmed()
    return receipt


def test_complaint_tables_have_no_person_columns() -> None:
    for name in HOTLINE_TABLES:
        columns = {c.name for c in metadata.tables[name].columns}
        assert not columns & PERSON_COLUMNS, name
        assert not any("telegram" in c and c != "telegram_file_id" for c in columns), name
    # evidence.message_id is the case message it belongs to, not a Telegram message.
    (fk,) = metadata.tables["evidence"].c.message_id.foreign_keys
    assert fk.column.table.name == "case_messages"


async def test_identifiers_are_absent_from_database_logs_and_staff_chat(
    hl: Hotline, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    all_to_debug()
    await full_flow(hl)
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}" for r in every_logger_at_debug.records
    )
    assert_absent("the log", (logged + every_logger_at_debug.text).encode())
    async with hl.h.db.engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(str(hl.h.db.engine.url.database))
    for file in path.parent.glob(path.name + "*"):
        assert_absent(file.name, file.read_bytes())
    for message in hl.sim.messages(hl.staff):
        shown = f"{message.text} {message.raw.get('caption', '')} {message.raw}"
        assert_absent("the staff chat", shown.encode())
    # Conversation persistence keeps only the named forms' drafts, in the database scanned
    # above, and has no row for the complainant.
    persistence = hl.h.app.persistence
    assert persistence is not None
    kept = persistence.store_data
    assert kept.user_data and not (kept.chat_data or kept.bot_data or kept.callback_data)
    assert await persisted_rows.rows_mentioning(hl.h.db, int(COMPLAINANT["user_id"])) == 0


@pytest.fixture
def operator_log() -> Iterator[io.StringIO]:
    """The log as `python -m bot` writes it (bot/ops/logs.py), into a buffer; the test picks
    the format. pytest's own handlers are put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_identifiers_are_absent_from_the_operator_log_at_debug(
    hl: Hotline, operator_log: io.StringIO, fmt: Format
) -> None:
    logs.configure("DEBUG", fmt, stream=operator_log)
    all_to_debug()
    await full_flow(hl)
    logging.getLogger("bot").debug("probe: DEBUG records are written")
    written = operator_log.getvalue()
    lines = written.splitlines()
    assert "probe: DEBUG records are written" in lines[-1] and "DEBUG" in lines[-1]
    if fmt == "json":
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert records and all({"time", "level", "logger", "message"} <= r.keys() for r in records)
        assert_absent("the JSON log's messages", "\n".join(r["message"] for r in records).encode())
    assert_absent(f"the {fmt} log", written.encode())


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")
async def test_identifiers_are_absent_from_a_postgresql_dump(tmp_path: Path) -> None:
    db, schema = await fresh_database("postgresql", tmp_path)
    try:
        async with hotline_bot(tmp_path, db=db) as found:
            await full_flow(found)
        dump: list[str] = []
        async with db.engine.connect() as conn:
            for table in metadata.sorted_tables:
                rows = await conn.execute(text(f'SELECT CAST(t.* AS text) FROM "{table.name}" t'))
                dump.extend(str(row[0]) for row in rows)
        assert any("C-" in line for line in dump)  # the dump did read the complaint
        assert_absent("the PostgreSQL dump", "\n".join(dump).encode())
        assert not [w for w in WORDS if w in "\n".join(dump)]  # the words are sealed
    finally:
        await drop_database(db, schema)


def _conversations(hl: Hotline) -> list[ConversationHandler[object]]:
    return [
        h
        for group in hl.h.app.handlers.values()
        for h in group
        if isinstance(h, ConversationHandler) and h.name in ("complain", "status")
    ]


def assert_nothing_kept_for(hl: Hotline, user_id: int) -> None:
    app = hl.h.app
    assert user_id not in app.user_data, "user_data keeps the complainant's id"
    assert user_id not in app.chat_data, "chat_data keeps the complainant's chat id"
    for handler in _conversations(hl):
        keys = handler._conversations.keys()
        assert not any(user_id in key for key in keys), handler.name


async def settled(hl: Hotline, user_id: int, seconds: float = 3.0) -> None:
    """Wait until the handler that answered has returned, then check nothing is kept."""
    for _ in range(int(seconds / 0.02)):
        try:
            assert_nothing_kept_for(hl, user_id)
            return
        except AssertionError:
            await asyncio.sleep(0.02)
    assert_nothing_kept_for(hl, user_id)


async def test_draft_is_forgotten_after_submit_cancel_and_status(hl: Hotline) -> None:
    sim, parent = hl.sim, hl.complainant()
    uid = parent.id
    await hl.h.ask(parent, "/complain")
    await hl.press(parent, "继续")
    assert hl.h.app.chat_data.get(uid)  # the draft exists while the conversation runs
    assert "已取消" in await hl.h.ask(parent, "/cancel")
    await settled(hl, uid)

    receipt = await hl.file(parent)
    await sim.next_message(hl.staff)  # the card is the submit handler's last step
    await settled(hl, uid)

    await hl.h.ask(parent, "/status", receipt)
    await sim.press_button(parent, "完成")
    await sim.next_message(parent)
    await settled(hl, uid)


async def test_dates_not_times_and_lists_do_not_reveal_order(hl: Hotline) -> None:
    sim = hl.sim
    people = [sim.add_user(f"家长{i}") for i in range(4)]
    for i, person in enumerate(people):
        await hl.file(person, text=f"第{i}件投诉：学校违规补课收费。", unit=None)
        hl.h.clock.advance_minutes = None  # keep the same day
    listed = await complaints.for_staff(hl.h.db)
    assert len(listed) == 4
    assert [v.pseudonym for v in listed] == sorted(v.pseudonym for v in listed)
    path = Path(str(hl.h.db.engine.url.database))
    with sqlite3.connect(path) as conn:
        opened = conn.execute("SELECT opened_at, opened_on FROM cases").fetchall()
        sent = conn.execute("SELECT sent_at FROM case_messages").fetchall()
    assert all(at is None for at, _on in opened) and all(at is None for (at,) in sent)
    for card in sim.bot_messages(hl.staff):
        assert "09:" not in card.text and "时" not in card.text.split("日期")[1][:14]
    assert all(v.status == CaseStatus.RECEIVED for v in listed)


async def test_complainant_reads_the_answer_never_the_finding_or_accountability(
    hl: Hotline,
) -> None:
    """A closed complaint's finding and who was held accountable are staff records: /status
    shows the answer and the status, none of them."""
    sim, parent = hl.sim, hl.complainant()
    receipt = await hl.file(parent)
    case = (await complaints.for_staff(hl.h.db))[0]
    now = hl.h.clock.now()
    today = now.date()
    replied = await complaint_staff.reply(
        hl.h.db, case.pseudonym, "经查，已退还多收费用。", member_id=None, now=now, today=today
    )
    assert replied.outcome is Outcome.OK
    await accepted(hl.h.db, case.case_id)  # closing needs someone responsible (谁受理谁负责)
    record = ClosingRecord(
        Finding.TRUE,
        (
            Entry("admonition", Party("王主任", None, today)),
            Entry("circular", Party(None, "SCH001", today)),
        ),
    )
    closed = await complaint_staff.finish(
        hl.h.db,
        case.pseudonym,
        CaseStatus.CLOSED,
        member_id=None,
        now=now,
        today=today,
        record=record,
    )
    assert closed.outcome is Outcome.OK
    shown = await hl.h.ask(parent, "/status", receipt)
    for later in sim.bot_messages(parent)[-3:]:
        shown += later.text + str(later.buttons)
    assert "已退还多收费用" in shown
    for secret in ("属实", "诫勉谈话", "通报批评", "王主任", "问责"):
        assert secret not in shown, secret


async def test_a_held_receipt_stays_in_memory_only(
    hl: Hotline, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    """A receipt Telegram refused is held until the next message: never in the database, the
    persistence rows or the log, at any level, while held or after it was delivered."""
    all_to_debug()
    sim, parent = hl.sim, hl.complainant()
    await hl.h.ask(parent, "/complain")
    await hl.press(parent, "继续")
    await sim.press_button(parent, hl.first_category_label(parent))
    await sim.wait_edit(sim.private_chat(parent))
    await sim.next_message(parent)
    await hl.press(parent, "不知道")
    await hl.say(parent, "学校违规补课收费，每人每月八百元。")
    await hl.press(parent, "完成")
    await hl.press(parent, "不需要通知")
    sim.faults.fail_next("sendMessage", status=502, count=3, chat=parent.id)
    await sim.press_button(parent, "提交")
    await sim.wait_confirmed(settle=0.3)
    held = hl.h.app.bot_data[HELD_KEY]
    assert isinstance(held, HeldReceipts) and len(held) == 1
    persistence = hl.h.app.persistence
    assert persistence is not None
    await persistence.flush()
    kept_while_held = repr(persistence.store_data) + repr(await persistence.get_user_data())
    await sim.drain(parent)
    await sim.send_text(parent, "收到了吗？")
    found = RECEIPT_RE.search((await sim.next_message(parent)).text)
    assert found is not None
    await sim.wait_confirmed()
    receipt = found.group(0)
    forms = [receipt.encode(), receipt.replace("-", "").encode()]
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in every_logger_at_debug.records
    ).encode()
    async with hl.h.db.engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(str(hl.h.db.engine.url.database))
    stored = b"".join(f.read_bytes() for f in path.parent.glob(path.name + "*"))
    for form in forms:
        assert form not in logged, "the receipt reached the log"
        assert form not in stored, "the receipt reached the database"
        assert form not in kept_while_held.encode(), "the receipt reached persistence"
    assert await persisted_rows.rows_mentioning(hl.h.db, parent.id) == 0
    assert len(held) == 0
    await settled(hl, parent.id)


async def test_a_public_survey_from_a_units_link_keeps_no_identifier(hl: Hotline) -> None:
    """Forms: the public's survey (docs/forms.md) is under the same invariants: nothing of the
    person in the database files, no persisted draft, nothing kept after submit."""
    parent = hl.complainant()
    unit = await units.by_code(hl.h.db, "SCH001")
    assert unit is not None
    await hl.sim.send_command(parent, "/start", f"form-parent_satisfaction-{unit.id}")
    await hl.sim.next_message(parent)
    await hl.sim.next_message(parent)
    assert hl.h.app.chat_data.get(parent.id)  # the draft exists while the survey runs
    await hl.sim.press_button(parent, "5")
    await hl.sim.next_message(parent)
    await hl.sim.press_button(parent, "没有")
    await hl.sim.next_message(parent)
    await hl.sim.send_text(parent, f"{COMPLAINANT['first_name']}写的意见")  # their own words
    await hl.sim.next_message(parent)
    await hl.sim.press_button(parent, "✅ 提交")
    assert "已提交" in (await hl.sim.next_message(parent)).text
    await settled(hl, parent.id)
    async with hl.h.db.engine.connect() as conn:
        await conn.execute(text("UPDATE form_answers SET answers = '{}'"))  # what they wrote
        await conn.commit()
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(str(hl.h.db.engine.url.database))
    for file in path.parent.glob(path.name + "*"):
        assert_absent(file.name, file.read_bytes())
    assert await persisted_rows.rows_mentioning(hl.h.db, parent.id) == 0


# What a copied database must not show: the complaint's words in both directions.
WORDS = ("多次收取学生额外伙食费", "正在核查", "收费在每周一", "已退还")


def database_files(db_path: Path) -> list[Path]:
    return sorted(db_path.parent.glob(db_path.name + "*"))


async def test_complaint_words_are_sealed_in_the_database_while_status_shows_them(
    hl: Hotline,
) -> None:
    receipt = await full_flow(hl)
    async with hl.h.db.engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(str(hl.h.db.engine.url.database))
    keyring = path.with_name(path.stem + ".keyring" + path.suffix)
    files = [*database_files(path), *database_files(keyring)]
    assert keyring in files  # the keys live in a file of their own
    for file in files:
        data = file.read_bytes()
        for words in WORDS:
            assert words.encode() not in data, f"{words} in {file.name}"
    parent = hl.sim.user(int(COMPLAINANT["user_id"]))
    shown = await hl.h.ask(parent, "/status", receipt)
    for words in WORDS:
        assert words in shown


async def test_a_backup_made_before_the_purge_is_noise_after_it(
    hl: Hotline, tmp_path: Path
) -> None:
    await full_flow(hl)
    copy = tmp_path / "before-purge.db"
    await backup.backup(hl.h.db.url, copy)
    restored = Database(f"sqlite+aiosqlite:///{copy}")
    restored.keyring = hl.h.db.keyring  # the attacker holds the backup, the server and its key
    try:
        (before,) = await complaints.for_staff(restored)
        assert WORDS[0] in before.description  # while the key exists, the backup opens
        services = hl.h.app.bot_data[SERVICES_KEY]
        hl.h.clock.advance(timedelta(days=services.settings.hotline.retention_days + 1))
        assert (await hotline_jobs.purge_once(services)).purged == 1
        assert await sealing.keyring_of(hl.h.db).case_ids() == set()
        (after,) = await complaints.for_staff(restored)
        assert after.description == sealing.UNREADABLE
        assert all(m.body == sealing.UNREADABLE for m in after.messages)
    finally:
        await restored.dispose()


PEPPER = "anonymity-test-pepper-" + "p" * 32


async def test_throttles_outlive_a_restart_and_store_no_identifier(tmp_path: Path) -> None:
    async with BotApiSimulator(token=TOKEN, bot_username="rectify_test_bot") as sim:
        async with hotline_bot(tmp_path, sim=sim, pepper=PEPPER, max_per_day=1) as first:
            parent = first.complainant()
            receipt = await first.file(parent)
            for _ in range(3):
                answer = await first.h.ask(parent, "/status", "7KQ2-M9XD-4HPA-TR3W")
                assert "没有与此回执码对应的投诉" in answer
        async with hotline_bot(tmp_path, sim=sim, pepper=PEPPER, max_per_day=1) as again:
            assert "最多提交 1 件" in await again.h.ask(parent, "/complain")
            assert "次数过多" in await again.h.ask(parent, "/status", receipt)  # still waiting
            again.h.clock.advance(timedelta(seconds=31))
            assert "多次收取学生额外伙食费" in await again.h.ask(parent, "/status", receipt)
            async with again.h.db.engine.connect() as conn:
                rows = (await conn.execute(text("SELECT * FROM hotline_counters"))).all()
            assert rows  # the counts are there, under keyed hashes only
            assert_absent("hotline_counters", repr(rows).encode())


async def test_a_correct_receipt_is_throttled_per_sender_too(tmp_path: Path) -> None:
    async with hotline_bot(tmp_path, status_checks_per_hour=2) as hl:
        parent = hl.complainant()
        receipt = await hl.file(parent)
        for _ in range(2):
            assert "多次收取学生额外伙食费" in await hl.h.ask(parent, "/status", receipt)
            await hl.sim.press_button(parent, "完成")
            await hl.sim.next_message(parent)
        assert "查询次数过多" in await hl.h.ask(parent, "/status", receipt)
        hl.h.clock.advance(timedelta(hours=1))
        assert "多次收取学生额外伙食费" in await hl.h.ask(parent, "/status", receipt)


async def test_a_flood_of_wrong_receipts_slows_the_owner_but_never_locks_them_out(
    tmp_path: Path,
) -> None:
    # 100 accounts × 3 wrong receipts against a ceiling of 300 an hour, scaled down ten times.
    async with hotline_bot(tmp_path, wrong_receipts_per_hour=30, flood_delay_seconds=0.5) as hl:
        parent = hl.complainant()
        receipt = await hl.file(parent)
        guessers = [hl.sim.add_user(f"guesser{i}") for i in range(10)]
        for guesser in guessers:
            for _ in range(3):
                answer = await hl.h.ask(guesser, "/status", receipts.new_receipt())
                assert "没有与此回执码对应的投诉" in answer
        loop = asyncio.get_running_loop()
        started = loop.time()
        shown = await hl.h.ask(parent, "/status", receipt)
        took = loop.time() - started
        assert "多次收取学生额外伙食费" in shown  # the owner gets in …
        assert took >= 0.5  # … after the flood's delay
        print(f"\nowner's /status during the flood: {took:.2f} s")


async def test_complaint_and_status_buttons_replayed_by_another_reveal_nothing(
    hl: Hotline,
) -> None:
    sim, parent = hl.sim, hl.complainant()
    receipt = await hl.file(parent, push=True)
    await hl.h.ask(parent, "/status", receipt)  # the menu: add, notices, done
    shown: list[str] = []
    for message in sim.bot_messages(parent):
        for row in (message.raw.get("reply_markup") or {}).get("inline_keyboard", []):
            shown += [b["callback_data"] for b in row if "callback_data" in b]
    assert any(d.startswith("status:v1:") for d in shown)
    other = sim.add_user("另一位家长")
    await hl.h.ask(other, "/help")
    before = await complaints.for_staff(hl.h.db)
    for data in dict.fromkeys(shown):
        count = len(sim.bot_messages(other))
        query = await forge_press(sim, other, sim.private_chat(other), data)
        answer = await answer_of(sim, query)
        await sim.wait_confirmed()
        said = " ".join([answer or "", *(m.text for m in sim.bot_messages(other)[count:])])
        assert "伙食费" not in said and receipt not in said, (data, said)
        assert before[0].pseudonym not in said
    assert await complaints.for_staff(hl.h.db) == before  # nothing changed


async def test_evidence_reaches_staff_without_metadata_and_other_types_are_refused(
    hl: Hotline,
) -> None:
    sim, parent = hl.sim, hl.complainant()
    await hl.to_evidence(parent, "食堂账目不公开，附照片和文件。")
    await sim.send_document(parent, b"MZ\x90\x00evil", "evil.exe", "application/x-msdownload")
    assert "不接受" in (await sim.next_message(parent)).text
    await sim.send_document(parent, b"MZ\x90\x00evil", "invoice.pdf", "application/pdf")
    assert "无法按其类型读取" in (await sim.next_message(parent)).text  # not really a PDF
    originals = {"张三的照片.jpg": jpeg_with_gps(), "账目.pdf": pdf_with_author()}
    for name, data in originals.items():
        await sim.send_document(parent, data, name)
        copy = await sim.next_message(parent)  # the cleaned copy, sent back
        assert "已去除" in copy.text and copy.raw["document"]["file_name"].startswith("evidence")
        await sim.next_message(parent)  # "file n added"
    await hl.press(parent, "完成")
    await hl.press(parent, "不需要通知")
    await hl.press(parent, "提交")
    for _ in range(3):  # the card and its two files
        await sim.next_message(hl.staff)
    sent = [m.raw["document"] for m in sim.bot_messages(hl.staff) if "document" in m.raw]
    assert len(sent) == 2
    for document in sent:
        data = sim.state.files[document["file_id"]].data
        assert data not in originals.values()
        assert b"PhoneMaker" not in data and AUTHOR.encode() not in data
        assert evidence.metadata_found(document.get("mime_type"), data) == []
        assert "张三" not in document.get("file_name", "")
    (stored,) = await complaints.for_staff(hl.h.db)
    assert {e.file_id for e in stored.evidence} == {d["file_id"] for d in sent}


CALLER_NAME, CALLER_PHONE = "赵来电", "13912345678"


async def test_an_anonymous_intake_keeps_no_account_of_the_caller(
    hl: Hotline, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    """/intake of an anonymous call (issue 14): the officer first wrote the caller's name and
    number down as a named case, then made it anonymous at the summary. Neither is in the
    database files, the log at DEBUG, the staff chat, the officer's memory or the persistence;
    the caller follows the case with the receipt alone."""
    all_to_debug()
    sim = hl.sim
    officer = sim.add_user("人事股王干事")
    await hl.h.register(officer, Role.CASE_OFFICER, "EDU")
    await hl.h.ask(officer, "/intake")
    await hl.press(officer, "举报专线")
    await hl.press(officer, "今天")
    await hl.press(officer, "实名（留有联系方式）")
    await hl.say(officer, CALLER_NAME)
    await hl.say(officer, CALLER_PHONE)
    await hl.press(officer, "不涉及具体单位")
    await hl.press(officer, hl.first_category_label(officer))
    await hl.say(officer, "学校违规收取资料费。")
    named = await hl.press(officer, "完成")
    assert CALLER_NAME in named and CALLER_PHONE in named
    anonymous = await hl.press(officer, "改为匿名")
    assert CALLER_NAME not in anonymous and CALLER_PHONE not in anonymous
    draft = repr(hl.h.app.chat_data.get(officer.id))  # forgotten at once, not at the end
    assert CALLER_NAME not in draft and CALLER_PHONE not in draft
    registered = await hl.press(officer, "登记案件")
    found = RECEIPT_RE.search(registered)
    assert found is not None, registered
    await sim.next_message(hl.staff)  # the card: the handler's last step
    await sim.wait_confirmed()

    caller = sim.add_user("来电人")
    assert "违规收取资料费" in await hl.h.ask(caller, "/status", found.group(0))

    forms = {
        "name": CALLER_NAME.encode(),
        "name (utf-16)": CALLER_NAME.encode("utf-16-le"),
        "number": CALLER_PHONE.encode(),
    }

    def absent(where: str, data: bytes) -> None:
        for what, needle in forms.items():
            assert needle not in data, f"the caller's {what} found in {where}"

    async with hl.h.db.engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(str(hl.h.db.engine.url.database))
    for file in database_files(path):
        absent(file.name, file.read_bytes())
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}" for r in every_logger_at_debug.records
    )
    absent("the log", (logged + every_logger_at_debug.text).encode())
    for message in sim.messages(hl.staff):
        absent("the staff chat", f"{message.text} {message.raw}".encode())
    absent("the officer's chat data", repr(hl.h.app.chat_data.get(officer.id)).encode())
    absent("the officer's user data", repr(hl.h.app.user_data.get(officer.id)).encode())
    persistence = hl.h.app.persistence
    assert persistence is not None
    absent("the persistence", repr(persistence.store_data).encode())
    async with hl.h.db.session() as session:
        (intake,) = (await session.exec(select(CaseIntake))).all()
    assert intake.channel == "phone" and intake.contact_name is None
    assert intake.contact_details is None
