"""The honour roll and exposure board (荣誉榜 / 曝光台), and admins' broadcasts.

A publication is one public item about a closed case or a unit's result in a phase: a draft
summary an admin writes, then the channel message it became, then (maybe) its withdrawal. It
stores no person: the summary is the admin's own text, checked before it goes out.

A broadcast is an announcement to the bound unit groups or to the members of a role; the
messages themselves are rows of the reminder outbox (one per recipient, unique key), so the
same flood-aware sender delivers them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class Publication(SQLModel, table=True):
    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_state", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # honour | exposure
    case_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("cases.id", ondelete="SET NULL"), nullable=True),
    )
    unit_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("units.id", ondelete="SET NULL"), nullable=True),
    )
    phase_key: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    title: str = Field(sa_column=Column(String(128), nullable=False))
    summary: str = Field(sa_column=Column(Text(), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))  # draft|published|withdrawn
    version: int = Field(default=1, sa_column=Column(Integer(), nullable=False))
    created_by: int = Field(sa_column=Column(BigInteger(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    channel_id: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    channel_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger(), nullable=True)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    withdrawn_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class Broadcast(SQLModel, table=True):
    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    audience: str = Field(sa_column=Column(String(16), nullable=False))  # groups | role
    role: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    unit_kind: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    text: str = Field(sa_column=Column(Text(), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))  # draft|confirmed|cancelled
    recipients: int = Field(default=0, sa_column=Column(Integer(), nullable=False))
    created_by: int = Field(sa_column=Column(BigInteger(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    confirmed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
