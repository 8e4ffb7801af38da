"""The staff desk's follow-ups: a unit's returns of dispatched cases (退单), the section an
internal note was written in, and a case waiting for its reporter's answer.

An internal note is a `CaseMessage` with direction "internal"; a file on a case from the desk
is an `Evidence` row tied to its message (never to the case itself: evidence with a `case_id`
is what the reporter filed, and reporters and unit heads see it).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class LedgerReturn(SQLModel, table=True):
    """A unit head sent a dispatched case back to the desk, with the reason (history kept)."""

    __tablename__ = "ledger_returns"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(
        sa_column=Column(
            ForeignKey("ledger_items.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reason: str = Field(sa_column=Column(Text(), nullable=False))
    member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class NoteSection(SQLModel, table=True):
    """The section (股室) an internal note was written in, for `[desk] private_notes`."""

    __tablename__ = "note_sections"

    message_id: int = Field(
        sa_column=Column(
            ForeignKey("case_messages.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    section_unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )


class CaseWait(SQLModel, table=True):
    """The owner asked the reporter a question; the case waits for the answer."""

    __tablename__ = "case_waits"

    case_id: int = Field(
        sa_column=Column(
            ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
        )
    )
    question_message_id: int = Field(
        sa_column=Column(ForeignKey("case_messages.id", ondelete="CASCADE"), nullable=False)
    )
    since: date = Field(sa_column=Column(Date(), nullable=False))
