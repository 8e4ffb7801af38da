"""The forms' tables (on the one metadata; `storage.models` imports them so Alembic and the
tests see the whole schema). They live beside the forms' storage because `storage/models/`
is full (12 modules). Import them from `storage.models`, never from here: that package sets
the metadata's naming convention first (and it imports this module, not the other way).

Who answered and what was answered are kept apart: `form_respondents` says who has answered a
named form in a period (the missing list and the reminders need it); `form_answers` holds the
answers, with the author only when the form keeps identities. An anonymous answer has a random
negative id, its local day and no author or instant (as a complaint); the public's answers are
counted once through `form_public_marks`, a keyed hash with nothing to link it to an answer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, String, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class FormAnswer(SQLModel, table=True):
    """One submitted form: the unit it is about, the answers as JSON."""

    __tablename__ = "form_answers"
    __table_args__ = (Index("ix_form_answers_form_period", "form_key", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    form_key: str = Field(sa_column=Column(String(32), nullable=False))
    period: str = Field(sa_column=Column(String(32), nullable=False))
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    submitted_on: date = Field(sa_column=Column(Date(), nullable=False))
    submitted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    late: bool = Field(default=False, nullable=False)
    answers: str = Field(sa_column=Column(Text(), nullable=False))


class FormRespondent(SQLModel, table=True):
    """A member has answered a named form for a unit in a period (once)."""

    __tablename__ = "form_respondents"
    __table_args__ = (
        Index(
            "ix_form_respondents_once", "form_key", "period", "member_id", "unit_id", unique=True
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    form_key: str = Field(sa_column=Column(String(32), nullable=False))
    period: str = Field(sa_column=Column(String(32), nullable=False))
    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    )
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False)
    )
    # Only for forms that keep identities (an anonymous form's day could point at its answer).
    answered_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    late: bool = Field(default=False, nullable=False)


class FormPublicMark(SQLModel, table=True):
    """HMAC(pepper, form, period, unit, Telegram id): this person has answered; nothing else."""

    __tablename__ = "form_public_marks"

    mark: str = Field(sa_column=Column(String(64), primary_key=True))


class FormChase(SQLModel, table=True):
    """A staff member asked the bot to chase (催报) those who have not answered; at most one
    per form, period, scope and local day."""

    __tablename__ = "form_chases"
    __table_args__ = (
        Index("ix_form_chases_once", "form_key", "period", "scope", "requested_on", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    form_key: str = Field(sa_column=Column(String(32), nullable=False))
    period: str = Field(sa_column=Column(String(32), nullable=False))
    scope: str = Field(sa_column=Column(String(24), nullable=False))  # "all" or "unit:<id>"
    requested_by: int = Field(sa_column=Column(BigInteger(), nullable=False))  # Telegram id
    requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    requested_on: date = Field(sa_column=Column(Date(), nullable=False))
