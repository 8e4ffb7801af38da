"""What the running bot itself needs to survive a restart: the states of the persistent
conversations (`/report`, `/ledger`), their drafts, and the updates already handled.

The anonymous complaint conversation has no row here, ever: its state, its draft and its
author's id stay in memory only (the hotline's invariant).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class ConversationState(SQLModel, table=True):
    """One open conversation: its handler's name, its key (chat and user ids as JSON) and the
    state it waits in. Deleted when the conversation ends."""

    __tablename__ = "conversation_states"

    name: str = Field(sa_column=Column(String(32), primary_key=True))
    key: str = Field(sa_column=Column(String(64), primary_key=True))
    state: Any = Field(sa_column=Column(JSON(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ConversationDraft(SQLModel, table=True):
    """The draft a person is filling in (the allowed keys of their `user_data`, as tagged
    JSON). Deleted when nothing is left in it."""

    __tablename__ = "conversation_drafts"

    user_id: int = Field(sa_column=Column(BigInteger(), primary_key=True, autoincrement=False))
    data: Any = Field(sa_column=Column(JSON(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update already handled: a redelivered copy is skipped. Pruned after a day
    (Telegram keeps an unconfirmed update for 24 hours)."""

    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger(), primary_key=True, autoincrement=False))
    processed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
