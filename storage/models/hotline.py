"""The hotline's own tables, beside `cases` (kind "complaint"): the receipt's hash, the
optional encrypted push link, duplicate fingerprints, ratings, legal holds and the counts
that outlive a purge.

None of them has a Telegram user id, chat id, username, name or message id. The push link's
chat id exists only as AES-GCM ciphertext under a key derived from the server's pepper, in a
table of its own, and is deleted when the complaint closes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class ComplaintReceipt(SQLModel, table=True):
    """How a receipt finds its complaint: a short lookup key and the slow hash that checks it."""

    __tablename__ = "complaint_receipts"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    lookup_key: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    receipt_hash: str = Field(sa_column=Column(String(256), nullable=False))


class ComplaintPushLink(SQLModel, table=True):
    """Opt-in: the complainant's chat, encrypted, until the complaint closes."""

    __tablename__ = "complaint_push_links"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    sealed: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))


class ComplaintFingerprint(SQLModel, table=True):
    """A keyed hash of (day, normalised text): refuses the same complaint twice in a day."""

    __tablename__ = "complaint_fingerprints"

    digest: str = Field(sa_column=Column(String(64), primary_key=True))
    day: date = Field(sa_column=Column(Date(), nullable=False, index=True))


class ComplaintRating(SQLModel, table=True):
    """The complainant's verdict on the handling, given once after closing."""

    __tablename__ = "complaint_ratings"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    rating: str = Field(sa_column=Column(String(24), nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    rated_on: date = Field(sa_column=Column(Date(), nullable=False))


class ComplaintHold(SQLModel, table=True):
    """A legal hold: the complaint is kept past the retention period."""

    __tablename__ = "complaint_holds"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    placed_on: date = Field(sa_column=Column(Date(), nullable=False))
    placed_by_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )


class ComplaintTombstone(SQLModel, table=True):
    """What statistics keep of a purged complaint: counts by category, unit and dates."""

    __tablename__ = "complaint_tombstones"

    id: int | None = Field(default=None, primary_key=True)
    category_key: str = Field(sa_column=Column(String(32), nullable=False))
    unit_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("units.id", ondelete="SET NULL"), nullable=True),
    )
    status: str = Field(sa_column=Column(String(16), nullable=False))
    opened_on: date = Field(sa_column=Column(Date(), nullable=False))
    closed_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    rating: str | None = Field(default=None, sa_column=Column(String(24), nullable=True))
    purged_on: date = Field(sa_column=Column(Date(), nullable=False))
    messages: int = Field(default=0, sa_column=Column(Integer(), nullable=False))


class HotlineCounter(SQLModel, table=True):
    """A throttle's count for one sender and purpose on one local day (complaints filed,
    receipts checked, wrong receipts), or for everyone in one hour: it outlives a restart.

    The key is HMAC(a key derived from the pepper and the day, purpose + Telegram user id):
    no identifier is stored, each purpose's rows are unlinkable to the others', and every row
    of an earlier day is deleted (storage.cases.throttles.forget_before)."""

    __tablename__ = "hotline_counters"

    tag: str = Field(sa_column=Column(String(64), primary_key=True))
    day: date = Field(sa_column=Column(Date(), nullable=False, index=True))
    count: int = Field(default=0, sa_column=Column(Integer(), nullable=False))
    blocked_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
