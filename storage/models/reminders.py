"""The reminder outbox and the per-unit pause switch.

An outbox row is one reminder: key = rule + subject + recipient + slot (unique), written
before the message is sent; states `due -> sending -> sent | undeliverable` (`cancelled` when
the recipient is gone by the time it is sent). It is the sweep's only memory.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class ReminderOutbox(SQLModel, table=True):
    __tablename__ = "reminder_outbox"
    __table_args__ = (
        Index("ix_reminder_outbox_key", "rule", "subject", "recipient", "slot", unique=True),
        Index("ix_reminder_outbox_state_next", "state", "next_attempt_at"),
        Index("ix_reminder_outbox_recipient_digest", "recipient", "digest_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(sa_column=Column(String(24), nullable=False))
    subject: str = Field(sa_column=Column(String(64), nullable=False))
    recipient: str = Field(sa_column=Column(String(40), nullable=False))
    slot: str = Field(sa_column=Column(String(40), nullable=False))
    unit_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=True),
    )
    payload: str = Field(sa_column=Column(Text(), nullable=False))  # JSON facts for the text
    state: str = Field(sa_column=Column(String(16), nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer(), nullable=False))
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    telegram_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger(), nullable=True)
    )
    digest_day: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ReminderPause(SQLModel, table=True):
    """A unit whose reminders are paused (e.g. an exam week), by whom and since when."""

    __tablename__ = "reminder_pauses"

    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    )
    paused_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    paused_by: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
