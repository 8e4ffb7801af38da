"""The seed's two routine duties: the "124" boarding check-in (boarding schools, school-level
cadres, their evening check-ins and absence requests) and unannounced inspections (rounds, the
inspection team, and the link from a finding case to its round).

Marks live in tables of their own rather than as columns on `units`/`members`: the core tables
stay as they are, and a mark carries when it was set. A check-in keeps only the distance from
the school, never the coordinates a cadre shared.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from storage.models.base import UTCDateTime


class BoardingSchool(SQLModel, table=True):
    """A unit whose school-level cadres keep the "124" duty; optionally where it is."""

    __tablename__ = "boarding_schools"

    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    )
    latitude: float | None = Field(default=None, sa_column=Column(Float(), nullable=True))
    longitude: float | None = Field(default=None, sa_column=Column(Float(), nullable=True))
    radius_m: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    marked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Cadre(SQLModel, table=True):
    """A member who is a school-level cadre (校级干部) of their unit."""

    __tablename__ = "cadres"

    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    )
    marked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CheckIn(SQLModel, table=True):
    """A cadre at school on a duty evening: one per member and local day."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_member_day", "member_id", "day", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    )
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    day: date = Field(sa_column=Column(Date(), nullable=False, index=True))
    checked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    location_shared: bool = Field(default=False, nullable=False)
    distance_m: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))


class Absence(SQLModel, table=True):
    """A cadre's absence declared in advance: pending -> approved | refused by a unit head."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_member_first_day", "member_id", "first_day"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    )
    unit_id: int = Field(
        sa_column=Column(ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    first_day: date = Field(sa_column=Column(Date(), nullable=False))
    last_day: date = Field(sa_column=Column(Date(), nullable=False))
    reason: str = Field(sa_column=Column(Text(), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    requested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decided_by: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class InspectionRound(SQLModel, table=True):
    """One round of unannounced inspections (明察暗访), opened by an admin."""

    __tablename__ = "inspection_rounds"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(128), nullable=False, unique=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: int = Field(sa_column=Column(BigInteger(), nullable=False))  # Telegram id
    closed: bool = Field(default=False, nullable=False)


class Inspector(SQLModel, table=True):
    """A member of the inspection team (granted by an admin)."""

    __tablename__ = "inspectors"

    member_id: int = Field(
        sa_column=Column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    )
    granted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class InspectionFinding(SQLModel, table=True):
    """Which round a finding case (kind "finding") belongs to, who recorded it and when the
    inspector saw it."""

    __tablename__ = "inspection_findings"

    case_id: int = Field(
        sa_column=Column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    round_id: int = Field(
        sa_column=Column(
            ForeignKey("inspection_rounds.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    inspector_member_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    )
    observed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
