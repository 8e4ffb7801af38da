"""Closing the loop of a case: a unit's request for a later deadline (延期) and its decision,
where a case came from when it did not come through the chat (phone, mailbox, letter, visit,
12345 transfer, audit), and what closing it found and who was held accountable (问责).

Staff records only: a complainant reads the answer, never these rows. An anonymous case from
another channel keeps its channel and the day it was received, never the caller's name or
contact details (`contact_*` stay NULL for it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, String, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class LedgerExtension(SQLModel, table=True):
    """A unit asked for a later deadline with a reason; the case owner (or the unit head's
    superior, for an item the unit listed itself) approves or refuses it. The deadline it was
    asked against stays on record here."""

    __tablename__ = "ledger_extensions"
    __table_args__ = (Index("ix_ledger_extensions_item_status", "item_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(
        sa_column=Column(ForeignKey("ledger_items.id", ondelete="CASCADE"), nullable=False)
    )
    from_deadline: date = Field(sa_column=Column(Date(), nullable=False))
    to_deadline: date = Field(sa_column=Column(Date(), nullable=False))
    reason: str = Field(sa_column=Column(Text(), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))  # pending|approved|refused
    requested_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decided_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class CaseIntake(SQLModel, table=True):
    """A case a case officer registered from another channel than the chat."""

    __tablename__ = "case_intakes"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    received_on: date = Field(sa_column=Column(Date(), nullable=False))
    registered_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    contact_name: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    contact_details: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))


class CaseFinding(SQLModel, table=True):
    """What closing a case found: 属实 / 部分属实 / 不属实 / 无法核实."""

    __tablename__ = "case_findings"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    finding: str = Field(sa_column=Column(String(16), nullable=False))
    recorded_on: date = Field(sa_column=Column(Date(), nullable=False))
    recorded_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )


class Accountability(SQLModel, table=True):
    """One handling (批评教育, 诫勉谈话 …) of one person (a member or not) or one unit, decided
    on a day, recorded when the case closed: a row of the accountability register (问责台账)."""

    __tablename__ = "accountabilities"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    handling_key: str = Field(sa_column=Column(String(32), nullable=False))
    person_name: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    person_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    unit_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("units.id", ondelete="RESTRICT"), nullable=True, index=True),
    )
    decided_on: date = Field(sa_column=Column(Date(), nullable=False))
    recorded_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
