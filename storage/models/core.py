"""Core tables: units, members, invites, group bindings, the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class Unit(SQLModel, table=True):
    """A school district, school, cultural/sports unit or bureau section; units form a tree."""

    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(128), nullable=False))
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("units.id", ondelete="RESTRICT"), nullable=True, index=True),
    )
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Member(SQLModel, table=True):
    """A registered Telegram user in a unit, with a role and a language."""

    __tablename__ = "members"
    # The reminder sweep reads the members written since its last run.
    __table_args__ = (Index("ix_members_updated_at", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger(), nullable=False, unique=True))
    display_name: str = Field(sa_column=Column(String(128), nullable=False))
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    role: str = Field(sa_column=Column(String(16), nullable=False))
    language: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    active: bool = Field(default=True, nullable=False)
    reachable: bool = Field(default=True, nullable=False)
    joined_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Invite(SQLModel, table=True):
    """A way into a unit with a role. Only the token's SHA-256 is kept."""

    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: str = Field(sa_column=Column(String(16), nullable=False))
    max_uses: int = Field(nullable=False)
    uses: int = Field(default=0, nullable=False)
    revoked: bool = Field(default=False, nullable=False)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str = Field(sa_column=Column(String(64), nullable=False))


class GroupBinding(SQLModel, table=True):
    """A Telegram group that receives a unit's reminders."""

    __tablename__ = "group_bindings"

    chat_id: int = Field(sa_column=Column(BigInteger(), primary_key=True, autoincrement=False))
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    title: str = Field(sa_column=Column(String(256), nullable=False))
    bound_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AuditEvent(SQLModel, table=True):
    """Who did what to which subject, when. The actor is a member, the CLI or the system —
    never a complainant."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    actor_kind: str = Field(sa_column=Column(String(16), nullable=False))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    subject_type: str = Field(sa_column=Column(String(32), nullable=False))
    subject_id: str = Field(sa_column=Column(String(64), nullable=False))
    from_value: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    to_value: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
