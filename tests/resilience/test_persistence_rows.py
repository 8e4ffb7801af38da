"""The pieces under conversation persistence: the draft codec (only known types, only the
persistent conversations' keys) and the rows on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.persistence import RECENT, Seen, decode, encode, kept
from domain.cases.reports import EvidenceItem, ReportDraft
from handlers.hotline.common import Draft as ComplaintDraft
from handlers.ledger.pickers import DRAFT_KEY as LEDGER_KEY
from handlers.report.draft import DRAFT_KEY as REPORT_KEY
from storage.db import Database
from storage.ledger.items import NewEvidence
from storage.ops import persistence, processed_updates

NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)


def test_drafts_round_trip_and_nothing_else_is_kept() -> None:
    report = ReportDraft(
        category_key="slow",
        unit_id=3,
        description="<b>食堂</b>",
        evidence=[EvidenceItem("photo", "AgAD", "image/jpeg", 1234, caption="门口")],
        confidential=True,
    )
    evidence = [NewEvidence("document", "BQAD")]
    ledger = {"mode": "add", "deadline": date(2027, 5, 1), "evidence": evidence}
    data = {
        REPORT_KEY: report,
        LEDGER_KEY: ledger,
        "language": "en",  # a non-member's choice: not a draft
        "inbox:prompts": {"1": 2},
        "complain:draft": ComplaintDraft(description="never"),
    }
    stored = kept(data)
    assert set(stored) == {REPORT_KEY, LEDGER_KEY}
    back = {key: decode(value) for key, value in stored.items()}
    assert back[REPORT_KEY] == report and back[LEDGER_KEY] == ledger
    assert kept({LEDGER_KEY: {}}) == {}  # an emptied draft leaves no row


def test_an_unknown_type_is_refused_not_pickled() -> None:
    try:
        encode(ComplaintDraft())
    except TypeError as refused:
        assert "Draft" in str(refused)
    else:
        raise AssertionError("a complaint draft must not be encodable")
    assert kept({REPORT_KEY: ComplaintDraft()}) == {}


async def test_rows_are_written_read_and_deleted(db: Database) -> None:
    await persistence.save_state(db, "report", (5, 5), "report:describe", now=NOW)
    await persistence.save_state(db, "report", (5, 5), "report:occurred", now=NOW)  # upsert
    await persistence.save_state(db, "ledger", (6, 6), "ledger:note", now=NOW)
    assert await persistence.conversation_states(db, "report") == {(5, 5): "report:occurred"}
    await persistence.save_draft(db, 5, {"a": 1}, now=NOW)
    await persistence.save_draft(db, 5, {"a": 2}, now=NOW)
    assert await persistence.drafts(db) == {5: {"a": 2}}
    assert await persistence.rows_mentioning(db, 5) == 2
    await persistence.save_state(db, "report", (5, 5), None, now=NOW)
    await persistence.save_draft(db, 5, None, now=NOW)
    assert await persistence.rows_mentioning(db, 5) == 0
    assert await persistence.conversation_states(db, "ledger") == {(6, 6): "ledger:note"}


async def test_handled_updates_are_recorded_once_and_pruned(db: Database) -> None:
    assert not await processed_updates.seen(db, 10)
    await processed_updates.record(db, 10, now=NOW)
    await processed_updates.record(db, 10, now=NOW)  # a second record is harmless
    await processed_updates.record(db, 11, now=NOW + timedelta(hours=24))
    assert await processed_updates.seen(db, 10)
    assert await processed_updates.highest(db) == 11
    pruned = await processed_updates.prune(db, now=NOW + timedelta(hours=26))
    assert pruned == 1 and await processed_updates.count(db) == 1


def test_a_process_remembers_the_updates_it_took() -> None:
    seen = Seen()
    assert seen.take(1) and seen.take(2)
    assert not seen.take(1)  # a webhook retry of an update taken here
    for uid in range(3, 3 + RECENT):
        seen.take(uid)
    assert seen.take(1) and len(seen.known) == RECENT  # bounded: the oldest are forgotten
