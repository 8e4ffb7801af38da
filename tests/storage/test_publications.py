"""Publications and broadcasts in storage: a draft's summary edited only at the version seen;
one press wins the publishing claim; withdrawal audited once; a broadcast confirmed once queues
one outbox row per recipient (role and unit kind), and its progress is read back."""

from __future__ import annotations

from datetime import timedelta

from domain.cases.outcome import Outcome
from domain.membership.roles import Role
from storage import audit
from storage.db import Database
from storage.publish import broadcasts, publications
from storage.reminders import outbox
from tests.storage.test_reports import NOW, People, people

__all__ = ["people"]  # the fixture, re-used


async def test_publication_lifecycle(db: Database, people: People) -> None:
    item = await publications.create_draft(
        db,
        kind="honour",
        title="城关第一中学",
        summary="",
        case_id=None,
        unit_id=people.school,
        phase_key="p2",
        actor_telegram_id=1,
        now=NOW,
    )
    assert item.id is not None
    edited = await publications.set_summary(
        db, item.id, summary="整改有力。" * 3, version=1, actor_telegram_id=1, now=NOW
    )
    assert edited.outcome is Outcome.OK
    stale = await publications.set_summary(
        db, item.id, summary="旧版本的摘要。" * 2, version=1, actor_telegram_id=1, now=NOW
    )
    assert stale.outcome is Outcome.STALE
    first = await publications.claim_publishing(db, item.id, version=2, now=NOW)
    second = await publications.claim_publishing(db, item.id, version=2, now=NOW)
    assert (first.outcome, second.outcome) == (Outcome.OK, Outcome.STALE)
    # A claim is released as interrupted only once it is older than the cut-off.
    assert not await publications.release(db, item.id, now=NOW, claimed_before=NOW)
    later = NOW + timedelta(minutes=10)
    assert await publications.release(db, item.id, now=later, claimed_before=later)
    again = await publications.claim_publishing(db, item.id, version=2, now=later)
    assert again.outcome is Outcome.OK
    await publications.mark_published(
        db, item.id, channel_id=-100, message_id=5, actor_telegram_id=1, now=NOW
    )
    assert (await publications.withdraw(db, item.id, actor_telegram_id=1, now=NOW)).outcome is (
        Outcome.OK
    )
    twice = await publications.withdraw(db, item.id, actor_telegram_id=1, now=NOW)
    assert twice.outcome is Outcome.STALE
    actions = [e.action for e in await audit.events_for(db, "publication", item.id)]
    assert actions == [
        "publication.drafted",
        "publication.edited",
        "publication.published",
        "publication.withdrawn",
    ]
    assert set(await publications.member_names(db)) >= {"张老师", "李校长"}


async def test_broadcast_confirmed_once_per_recipient(db: Database, people: People) -> None:
    draft = await broadcasts.create_draft(
        db,
        audience="role",
        role=Role.UNIT_HEAD.value,
        unit_kind="school",
        text="请按时更新台账。",
        actor_telegram_id=1,
        now=NOW,
    )
    assert draft.id is not None and draft.recipients == 2  # the heads of both schools
    done = await broadcasts.confirm(db, draft.id, actor_telegram_id=1, now=NOW)
    twice = await broadcasts.confirm(db, draft.id, actor_telegram_id=1, now=NOW)
    assert (done.newly, done.queued, twice.newly) == (True, 2, False)
    rows = await outbox.rows(db, rule="broadcast")
    assert sorted(r.recipient for r in rows) == sorted(
        f"member:{m.id}" for m in (people.head, people.other_head)
    )
    claimed = await outbox.claim(db, now=NOW)
    await outbox.mark_sent(db, [claimed[0].id], now=NOW, chat_id=12, message_id=1, digest_day=None)
    await outbox.mark_failed(db, [claimed[1].id], error="forbidden", retry_at=None)
    progress = await broadcasts.progress(db, draft.id)
    assert (progress.total, progress.sent, progress.failed, progress.done) == (2, 1, 1, True)
    assert await broadcasts.cancel(db, draft.id) is False  # confirmed: no longer a draft
    dues, texts = await broadcasts.unsent(db)
    assert dues == [] and texts == {}
    nobody = await broadcasts.count_recipients(db, audience="groups", role=None, unit_kind=None)
    assert nobody == 0
