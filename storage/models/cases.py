"""Cases: anything staff must handle — a named report, an anonymous complaint, an inspection
finding — with one lifecycle, their messages and their evidence.

A case row names no person: a report's author lives in `report_authors`; a complaint has no
author at all. Complaints keep only local dates (`opened_on`, `sent_on`), never instants, so
their timing cannot be matched against Telegram's records; `opened_at`/`sent_at` are NULL then.

Closing the loop (staff records only, never shown to a complainant): where a case came from
when not through the chat (`CaseIntake`; an anonymous one keeps no account of the person), and
what closing it found and who was held accountable (`CaseFinding`, `Accountability`, 问责).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_kind_status", "kind", "status"),
        Index("ix_cases_unit_status", "unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # report | complaint | finding
    number: str = Field(sa_column=Column(String(24), nullable=False, unique=True))
    category_key: str = Field(sa_column=Column(String(32), nullable=False))
    unit_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("units.id", ondelete="RESTRICT"), nullable=True),
    )
    status: str = Field(sa_column=Column(String(16), nullable=False))
    description: str = Field(sa_column=Column(Text(), nullable=False))
    occurred: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    opened_on: date = Field(sa_column=Column(Date(), nullable=False, index=True))
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    owner_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    acknowledged_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    answered_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    closed_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    closing_summary: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    rejection_reason: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    # 重办: how often the person's dissatisfaction reopened it, and the day the round began
    # (a day, never an instant: a complainant's act must not be placed in time).
    rehandled: int = Field(
        default=0, sa_column=Column(Integer(), nullable=False, server_default=text("0"))
    )
    reopened_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    version: int = Field(default=1, sa_column=Column(Integer(), nullable=False))


class ReportAuthor(SQLModel, table=True):
    """Who filed a named report, and whether the unit head may know it."""

    __tablename__ = "report_authors"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    confidential: bool = Field(default=False, nullable=False)


class CaseMessage(SQLModel, table=True):
    """A message on a case: staff to author, author to staff, or an internal staff note."""

    __tablename__ = "case_messages"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    seq: int = Field(default=1, sa_column=Column(Integer(), nullable=False))  # order in its case
    direction: str = Field(
        sa_column=Column(String(16), nullable=False)
    )  # to_author | from_author | internal
    body: str = Field(sa_column=Column(Text(), nullable=False))
    staff_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    sent_on: date = Field(sa_column=Column(Date(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Evidence(SQLModel, table=True):
    """A file reference (Telegram file_id) attached to a case, a message or a ledger item."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    message_id: int | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey("case_messages.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    ledger_item_id: int | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey("ledger_items.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # photo | document
    telegram_file_id: str = Field(sa_column=Column(Text(), nullable=False))  # sealed: complaint
    mime_type: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    size: int | None = Field(default=None, nullable=True)
    caption: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    added_on: date = Field(sa_column=Column(Date(), nullable=False))
    # The bureau's copy (storage.files): the object's name in the store, a "!" mark when there
    # will be none, NULL while the download is owed.
    stored_as: str | None = Field(default=None, sa_column=Column(String(80), nullable=True))


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
