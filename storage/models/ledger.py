"""The rectification ledger (整改台账): a unit's problem list, each item's measure, deadline
(with its history and the unit's requests for more time, 延期), responsible person and progress,
and the unit head's sign-offs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class LedgerItem(SQLModel, table=True):
    """One problem on a unit's list. Status: open -> in_progress -> rectified -> verified."""

    __tablename__ = "ledger_items"
    __table_args__ = (
        Index("ix_ledger_items_unit_status", "unit_id", "status"),
        Index("ix_ledger_items_status_deadline", "status", "deadline"),
        # The incremental reminder sweep (storage/reminders/candidates.py).
        Index("ix_ledger_items_status_remind", "status", "remind_at", "deadline"),
        # The items no sweep has looked at yet: a partial index, so that PostgreSQL does not
        # take `remind_at IS NULL` (true of most of a ledger) for unselective (migration 0017).
        Index(
            "ix_ledger_items_unlooked",
            "status",
            "deadline",
            postgresql_where=text("remind_at IS NULL"),
            sqlite_where=text("remind_at IS NULL"),
        ),
        Index("ix_ledger_items_updated_at", "updated_at"),
        Index("ix_ledger_items_unit_seq", "unit_id", "seq", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="RESTRICT"), nullable=False)
    )
    seq: int = Field(sa_column=Column(Integer(), nullable=False))  # 序号 within the unit
    category_key: str = Field(sa_column=Column(String(32), nullable=False))
    description: str = Field(sa_column=Column(Text(), nullable=False))
    measure: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    deadline: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    # The deadline lateness counts against: set with the item, moved only by the bureau or an
    # approved extension (a unit head moving their own item's `deadline` leaves it).
    due_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    # The bureau set the deadline (a dispatched case, or set by an administrator): the unit
    # asks for an extension instead of moving it.
    bureau_deadline: bool = Field(default=False, nullable=False)
    responsible_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    responsible_name: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    source_case_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    requirement: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    added_after_signoff: bool = Field(default=False, nullable=False)
    rectified_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    rectified_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    verified_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    version: int = Field(default=1, sa_column=Column(Integer(), nullable=False))
    # The reminder sweep's own mark (bot/reminders/sweep.py): the earliest instant a reminder
    # rule of this item can produce a new slot; NULL until a sweep has looked at the item.
    remind_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class LedgerDeadlineChange(SQLModel, table=True):
    """A deadline moved, with its reason; the old deadline stays visible."""

    __tablename__ = "ledger_deadline_changes"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(
        sa_column=Column(
            ForeignKey("ledger_items.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    old_deadline: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    new_deadline: date = Field(sa_column=Column(Date(), nullable=False))
    reason: str = Field(sa_column=Column(Text(), nullable=False))
    member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LedgerProgress(SQLModel, table=True):
    """A progress note on an item (also the note that goes with `rectified`, or a rejection)."""

    __tablename__ = "ledger_progress"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(
        sa_column=Column(
            ForeignKey("ledger_items.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # note | rectified | rejected
    note: str = Field(sa_column=Column(Text(), nullable=False))
    member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SignOff(SQLModel, table=True):
    """The unit head confirms the problem list is complete (签字); each sign-off is a version."""

    __tablename__ = "signoffs"
    __table_args__ = (Index("ix_signoffs_unit_version", "unit_id", "version", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False)
    )
    version: int = Field(sa_column=Column(Integer(), nullable=False))
    item_count: int = Field(sa_column=Column(Integer(), nullable=False))
    member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


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


class PhaseRating(SQLModel, table=True):
    """Every unit's rating at the end of a phase (domain.rating `as_record`, as JSON text),
    stored once by the rating job so later edits of the ledger do not rewrite it."""

    __tablename__ = "phase_ratings"

    phase_key: str = Field(sa_column=Column(String(32), primary_key=True))
    rated_on: date = Field(sa_column=Column(Date(), nullable=False))
    ratings: str = Field(sa_column=Column(Text(), nullable=False))
    stored_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
