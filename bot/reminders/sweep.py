"""The reminder sweep: one recurring job that reads the injected clock, asks storage for the
candidates, lets the rules decide what is due, records it in the outbox (unique key) BEFORE
sending, then sends through the flood-aware sender and records the outcome.

The database is the only memory: a restart resumes from the outbox. `sweep_once()` runs one
sweep now (tests and the demo call it after moving the clock; they never sleep to a time).

Incremental: the first sweep of an engine looks at every candidate item; each item looked at
gets `remind_at`, the earliest instant any rule of its ladder (`domain.reminders.due.ITEM_RULES`)
can make something new due. Later sweeps read only the items whose instant has come, the items
and members changed since the last sweep (less `CHANGE_MARGIN`), and every item of a unit whose
facts changed; a new week's digest, or a clock that went back, makes a whole sweep again. A
claimed outbox row whose item or unit this sweep did not look at is looked at before it is
judged still due. So a sweep costs what became due since the last, whatever the ledger's size.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup, InputMediaPhoto

from bot.reminders.sender import Outcome, Outgoing, Pacer, Send, Sender, SendPictures
from domain.campaign import Campaign
from domain.clock import Clock
from domain.reminders.calendar import WorkCalendar
from domain.reminders.digest import Pending, plan_messages, still_due
from domain.reminders.due import (
    ITEM_RULES,
    STAFF,
    Due,
    Rule,
    Snapshot,
    UnitFacts,
    candidate_window,
    chat_of,
    digest_slot,
    due_reminders,
    member_of,
    member_recipient,
    next_look,
    running_audiences,
)
from domain.reminders.timing import Policy, in_quiet_hours, local_day, send_instant
from handlers.i18n import Catalogs, Translator
from handlers.reminders.texts import compose
from storage.db import Database
from storage.reminders import candidates as reminder_candidates
from storage.reminders import outbox

log = logging.getLogger(__name__)
# Items and members written up to this long before the last sweep's instant are read again (a
# write stamped before that instant may commit after the sweep read).
CHANGE_MARGIN = timedelta(minutes=5)
_ITEM_RULES = frozenset(r.rule.value for r in ITEM_RULES)


@dataclass
class SweepReport:
    due: int = 0  # reminders the rules found due
    recorded: int = 0  # new outbox rows
    sent: int = 0
    retrying: int = 0
    undeliverable: int = 0
    cancelled: int = 0
    deferred: int = 0
    quiet: bool = False


class RuleSource(Protocol):
    """More rules fed into the engine (e.g. the "124" duty, bot/jobs/checkin.py): what is due
    now, and the words of its own rows; each of its rows is a message of its own. A source
    with `standing = True` has rows written by the changes they tell of (not by `due`): they
    are sent until delivered and never cancelled as no longer due."""

    rules: frozenset[str]

    async def due(self, now: datetime) -> list[Due]: ...

    def compose(
        self, t: Translator, row: Pending, *, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]: ...


class ReminderEngine:
    """Owns the sweep; one per Application (in `bot_data`)."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        campaign: Campaign,
        policy: Policy,
        calendar: WorkCalendar,
        catalogs: Catalogs,
        staff_chat: int | None,
        send: Send,
        max_attempts: int,
        pacer: Pacer | None = None,
        send_pictures: SendPictures | None = None,
    ) -> None:
        self.db, self.clock, self.campaign = db, clock, campaign
        self.policy, self.calendar, self.catalogs = policy, calendar, catalogs
        self.staff_chat = staff_chat
        self.sender = Sender(
            db=db,
            clock=clock,
            send=self._dequeued_after(send),
            pacer=pacer or Pacer(),
            max_attempts=max_attempts,
            send_pictures=self._pictures_dequeued_after(send_pictures) if send_pictures else None,
        )
        self.totals = SweepReport()  # since start: what /metrics reports (bot/ops/metrics.py)
        self.queued: Counter[int] = Counter()  # chat id -> messages still in the sender
        self._lock = asyncio.Lock()
        self.send_limit: int | None = None  # tests: stop after this many messages
        self._groups: frozenset[int] | None = None  # bound group ids at the last sweep
        self.sources: list[RuleSource] = []  # added after start-up (bot/jobs/checkin.py)
        # The last sweep's instant and unit facts (None: the next sweep reads every item).
        self._last: tuple[datetime, dict[int, UnitFacts]] | None = None
        self._looked: Snapshot | None = None  # what this sweep read
        self._marks: dict[int, datetime] = {}  # item -> its next look, stored after enqueue

    def _dequeued_after(self, send: Send) -> Send:
        """`send`, taking each sent message off its chat's count in `queued`."""

        async def sending(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
            message_id = await send(chat_id, text, markup)
            if self.queued[chat_id] > 0:
                self.queued[chat_id] -= 1
            return message_id

        return sending

    def _pictures_dequeued_after(self, send_pictures: SendPictures) -> SendPictures:
        """`send_pictures`, taking each message sent off its chat's count in `queued` (its
        first album carries the caption; later albums of the same message carry none)."""

        async def sending(chat_id: int, pictures: Sequence[bytes], caption: str) -> int:
            message_id = await send_pictures(chat_id, pictures, caption)
            if caption and self.queued[chat_id] > 0:
                self.queued[chat_id] -= 1
            return message_id

        return sending

    async def recover(self) -> int:
        """At start-up: rows left `sending` by a stopped bot go back to due."""
        return await outbox.recover(self.db, now=self.clock.now(), all_sending=True)

    def _scope(self, now: datetime) -> reminder_candidates.Scope | None:
        """What this sweep reads: None (every candidate) on the engine's first sweep, after
        the clock went back, or when a new week's digest came since the last sweep."""
        if self._last is None:
            return None
        last, units = self._last
        if now < last or last < digest_slot(now, self.policy)[1] <= now:
            return None
        return reminder_candidates.Scope(
            due_by=now,
            changed_since=last - CHANGE_MARGIN,
            previous_units=units,
            window_after=candidate_window(last, self.policy)[1],
        )

    async def _snapshot(self, now: datetime, scope: reminder_candidates.Scope | None) -> Snapshot:
        p = self.policy
        _, until = candidate_window(now, p)
        return await reminder_candidates.snapshot(
            self.db,
            until=until,
            case_kinds=tuple(p.case_clocks),
            audiences=running_audiences(self.campaign, now, p),
            staff_chat=self.staff_chat is not None,
            tz=p.timezone,
            scope=scope,
        )

    def _plan_looks(self, snapshot: Snapshot, now: datetime) -> None:
        """Each item read: when to look at it again (stored once its dues are recorded)."""
        for item in snapshot.items:
            at = next_look(item, now=now, p=self.policy, cal=self.calendar)
            if at != item.remind_at:
                self._marks[item.id] = at

    async def evaluate(self) -> list[Due]:
        """What the rules find due now (no writes but the moved group chats)."""
        now, p = self.clock.now(), self.policy
        snapshot = await self._snapshot(now, self._scope(now))
        self._looked = snapshot
        self._marks = {}
        self._plan_looks(snapshot, now)
        groups = frozenset(c for unit in snapshot.units.values() for c in unit.groups)
        if groups != self._groups:  # a group may have a new id: its reminders follow it
            for old, new in (await outbox.migrated_groups(self.db, groups)).items():
                await outbox.retarget_chat(self.db, old_chat_id=old, new_chat_id=new)
            self._groups = groups
        dues = due_reminders(self.campaign, snapshot, now=now, policy=p, cal=self.calendar)
        for source in self.sources:
            dues += await source.due(now)
        return dues

    async def sweep_once(self) -> SweepReport:
        """One sweep: evaluate, record, send. Concurrent calls run one after the other."""
        async with self._lock:
            report = SweepReport()
            now_evaluated = self.clock.now()
            dues = await self.evaluate()
            report.due = len(dues)
            report.recorded = await reminder_candidates.record(
                self.db, dues, self._marks, now=self.clock.now()
            )
            if self._looked is not None:  # what it read is recorded: the next may read less
                self._last = (now_evaluated, dict(self._looked.units))
            live = frozenset(d.key for d in dues)
            now = self.clock.now()
            if in_quiet_hours(now.astimezone(self.policy.timezone).time(), self.policy):
                report.quiet = True
                return report
            for _ in range(3):  # a second pass sends notices raised by the first (blocked users)
                if not await self._send_pass(report, live):
                    break
            return report

    async def _send_pass(
        self, report: SweepReport, live: frozenset[tuple[str, str, str, str]]
    ) -> bool:
        now = self.clock.now()
        limit = 1000 if self.send_limit is None else max(0, self.send_limit - report.sent)
        if limit == 0:
            return False
        rows = await outbox.claim(self.db, now=now, limit=limit)
        if not rows:
            return False
        live |= await self._look_again(rows, now)
        today = local_day(now, self.policy)
        people = await outbox.recipients(
            self.db, [m for r in rows if (m := member_of(r.recipient)) is not None]
        )
        # A standing source's rows were written by the change they tell of: a sweep that
        # evaluated before that commit must not cancel them as "no longer due".
        standing = frozenset(
            r for s in self.sources if getattr(s, "standing", False) for r in s.rules
        )

        def stale_row(row: Pending) -> bool:
            return row.rule not in standing and not still_due(row, live)

        stale = [row for row in rows if stale_row(row)]
        if stale:
            await outbox.cancel(self.db, [r.id for r in stale], reason="no longer due")
            report.cancelled += len(stale)
        gone: list[Pending] = []
        usable: list[Pending] = []
        for row in rows:
            if stale_row(row):
                continue
            member_id = member_of(row.recipient)
            left = member_id is not None and not (member_id in people and people[member_id].active)
            no_staff_chat = row.recipient == STAFF and self.staff_chat is None
            (gone if left or no_staff_chat else usable).append(row)
        if gone:
            await outbox.cancel(self.db, [r.id for r in gone], reason="recipient gone")
            report.cancelled += len(gone)
        members = [r.recipient for r in usable if member_of(r.recipient) is not None]
        own = {r.id: s for r in usable for s in self.sources if r.rule in s.rules}
        plan = plan_messages(
            [r for r in usable if r.id not in own],
            today=today,
            digested=await outbox.digested(self.db, members, today),
        )
        if plan.deferred:
            tomorrow = send_instant(today + timedelta(days=1), self.policy)
            await outbox.defer(self.db, [r.id for r in plan.deferred], until=tomorrow)
            report.deferred += len(plan.deferred)
        messages: list[Outgoing] = []
        for index, batch in enumerate([*plan.messages, *((r,) for r in usable if r.id in own)]):
            recipient = batch[0].recipient
            member_id = member_of(recipient)
            language = people[member_id].language if member_id is not None else None
            t = self.catalogs.get(language)
            photos: tuple[bytes, ...] = ()
            if (source := own.get(batch[0].id)) is not None:
                text, markup = source.compose(t, batch[0], today=today)
                pictures = getattr(source, "pictures", None)  # a source that sends pictures
                if pictures is not None:
                    photos = tuple(await pictures(t, batch[0]))
            else:
                text, markup = compose(
                    t, batch, today=today, campaign=self.campaign, digest=index in plan.digests
                )
            if member_id is not None:
                chat_id, private = people[member_id].telegram_user_id, True
            elif recipient == STAFF:
                assert self.staff_chat is not None
                chat_id, private = self.staff_chat, False
            else:
                chat_id, private = chat_of(recipient) or 0, False
            messages.append(
                Outgoing(
                    rows=batch,
                    chat_id=chat_id,
                    text=text,
                    markup=markup,
                    private=private,
                    member_id=member_id,
                    digest_day=today if index in plan.digests else None,
                    photos=photos,
                )
            )
        self.queued.update(m.chat_id for m in messages)
        try:
            outcome = await self.sender.deliver(messages)
        finally:
            self.queued.clear()
        for counts in (report, self.totals):
            counts.sent += outcome.sent
            counts.retrying += outcome.retrying
            counts.undeliverable += outcome.undeliverable
        await self._tell_heads(outcome, people)
        return True

    async def _look_again(
        self, rows: list[Pending], now: datetime
    ) -> frozenset[tuple[str, str, str, str]]:
        """The keys due now of the claimed rows' items and digests this sweep did not read
        (an incremental sweep reads only what became due): read them now, record what they
        make due, as a whole sweep would have."""
        looked = self._looked
        if looked is None or looked.whole_units is None:
            return frozenset()
        read, whole = {item.id for item in looked.items}, looked.whole_units
        item_ids, units = set(), set()
        for row in rows:
            kind, _, value = row.subject.partition(":")
            if row.rule in _ITEM_RULES and kind == "item" and int(value) not in read:
                item_ids.add(int(value))
            elif row.rule == Rule.UNIT_OVERDUE and kind == "unit" and int(value) not in whole:
                units.add(int(value))
        if not item_ids and not units:
            return frozenset()
        scope = reminder_candidates.Scope(units=frozenset(units), item_ids=frozenset(item_ids))
        snapshot = await self._snapshot(now, scope)
        dues = due_reminders(
            self.campaign, snapshot, now=now, policy=self.policy, cal=self.calendar
        )
        dues = [d for d in dues if d.rule in (*(r.rule for r in ITEM_RULES), Rule.UNIT_OVERDUE)]
        await outbox.enqueue(self.db, dues, now=now)
        return frozenset(d.key for d in dues)

    async def _tell_heads(self, outcome: Outcome, people: dict[int, outbox.Recipient]) -> None:
        """A member blocked the bot: mark them unreachable; their unit heads hear it once."""
        now = self.clock.now()
        notices: list[Due] = []
        for member_id in outcome.blocked:
            heads = await outbox.mark_unreachable(self.db, member_id, now=now)
            person = people.get(member_id)
            payload = {"member_id": member_id, "name": person.display_name if person else ""}
            notices += [
                Due(
                    Rule.UNREACHABLE,
                    f"member:{member_id}",
                    member_recipient(head),
                    "once",
                    now,
                    person.unit_id if person else None,
                    payload,
                )
                for head in heads
            ]
        if notices:
            await outbox.enqueue(self.db, notices, now=now)


def telegram_send_pictures(bot: Bot) -> SendPictures:
    """Sending pictures with a caption over a python-telegram-bot `Bot`: one picture with
    sendPhoto, 2-10 as one album (sendMediaGroup, the caption on the first)."""

    async def send(chat_id: int, pictures: Sequence[bytes], caption: str) -> int:
        if len(pictures) == 1:
            message = await bot.send_photo(chat_id, pictures[0], caption=caption or None)
            return message.message_id
        media = [InputMediaPhoto(picture) for picture in pictures]
        album = await bot.send_media_group(chat_id, media, caption=caption or None)
        return album[0].message_id

    return send


def telegram_send(bot: Bot) -> Send:
    """The sending function over a python-telegram-bot `Bot` (parse mode from its defaults)."""

    async def send(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        message = await bot.send_message(chat_id, text, reply_markup=markup)
        return message.message_id

    return send
