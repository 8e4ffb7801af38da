"""The staff chat's case cards: which message shows which case, so that every desk action
edits that one message instead of posting a new one.

A row is written before the card is sent (message_id NULL: "card pending"); `next_try_at` is
set while a post or an edit is still owed (after a 429 or a 5xx), and cleared once done. The
desk's card job retries what is due: the database, not the scheduler, is the memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class DeskCard(SQLModel, table=True):
    __tablename__ = "desk_cards"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    chat_id: int = Field(sa_column=Column(BigInteger(), nullable=False))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    next_try_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True)
    )
    attempts: int = Field(default=0, sa_column=Column(Integer(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
