"""The staff chat's case cards: which message shows which case, and which posts or edits are
still owed after Telegram refused them for a while (429, 5xx). A card is claimed (row written,
message id unknown) before it is sent, so two posters cannot both send it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Database
from storage.models import Case, DeskCard


@dataclass(frozen=True)
class Card:
    case_id: int
    chat_id: int
    message_id: int | None  # None: the card is still to be posted
    attempts: int = 0


def _card(row: DeskCard) -> Card:
    return Card(row.case_id, row.chat_id, row.message_id, row.attempts)


async def claim(
    db: Database, case_id: int, chat_id: int, now: datetime, *, lease: timedelta
) -> bool:
    """Write the pending card of `case_id`; False when it has one already (posted or not).
    Its post is owed from `now + lease` on: the claimer is sending it until then."""
    async with db.session() as session:
        session.add(
            DeskCard(case_id=case_id, chat_id=chat_id, next_try_at=now + lease, updated_at=now)
        )
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
    return True


async def card_of(db: Database, case_id: int) -> Card | None:
    async with db.session() as session:
        row = await session.get(DeskCard, case_id)
    return _card(row) if row is not None else None


async def posted(db: Database, case_id: int, message_id: int, now: datetime) -> None:
    """The card is in the chat; nothing is owed."""
    async with db.session() as session:
        await session.exec(
            update(DeskCard)
            .where(col(DeskCard.case_id) == case_id)
            .values(message_id=message_id, next_try_at=None, attempts=0, updated_at=now)
        )
        await session.commit()


async def owe(db: Database, case_id: int, retry_at: datetime | None, now: datetime) -> None:
    """A post or an edit is owed from `retry_at` on (None: give up, e.g. the chat is gone)."""
    async with db.session() as session:
        await session.exec(
            update(DeskCard)
            .where(col(DeskCard.case_id) == case_id)
            .values(next_try_at=retry_at, attempts=col(DeskCard.attempts) + 1, updated_at=now)
        )
        await session.commit()


async def due(db: Database, now: datetime, *, limit: int) -> tuple[Card, ...]:
    """The cards whose post or edit is owed by now, the longest-waiting first."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(DeskCard)
                .where(col(DeskCard.next_try_at).is_not(None))
                .where(col(DeskCard.next_try_at) <= now)
                .order_by(col(DeskCard.next_try_at), col(DeskCard.case_id))
                .limit(limit)
            )
        ).all()
    return tuple(_card(r) for r in rows)


async def without_card(
    db: Database, kinds: tuple[str, ...], *, since: date, limit: int
) -> tuple[int, ...]:
    """Cases of `kinds` still waiting to be accepted, opened since `since`, that have no card
    yet (e.g. filed while the bot could not post), oldest first."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Case.id)
                .outerjoin(DeskCard, col(DeskCard.case_id) == col(Case.id))
                .where(col(DeskCard.case_id).is_(None))
                .where(col(Case.kind).in_(kinds))
                .where(Case.status == "received")
                .where(col(Case.opened_on) >= since)
                .order_by(col(Case.id))
                .limit(limit)
            )
        ).all()
    return tuple(int(i) for i in rows if i is not None)


async def retarget(db: Database, *, old_chat_id: int, new_chat_id: int, now: datetime) -> int:
    """The chat became a supergroup with a new id: every card still to be posted there
    (owed, or given up because of the move) is owed to the new id from `now`. Posted cards
    stay where they are until their next edit, which posts them anew in the new chat.
    Returns how many cards moved."""
    async with db.session() as session:
        result = await session.exec(
            update(DeskCard)
            .where(col(DeskCard.chat_id) == old_chat_id)
            .where(col(DeskCard.message_id).is_(None))
            .values(chat_id=new_chat_id, next_try_at=now, updated_at=now)
        )
        await session.commit()
    return int(result.rowcount or 0)


async def move_posted(db: Database, case_id: int, new_chat_id: int, now: datetime) -> None:
    """A posted card's chat moved: it is to be posted anew in `new_chat_id`."""
    async with db.session() as session:
        await session.exec(
            update(DeskCard)
            .where(col(DeskCard.case_id) == case_id)
            .values(chat_id=new_chat_id, message_id=None, next_try_at=now, updated_at=now)
        )
        await session.commit()
