"""The counters behind case numbers (R-2027-0042, F-2027-0003): one row per prefix."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel


class CaseNumberCounter(SQLModel, table=True):
    """The last sequence handed out under a prefix such as `R-2027-`."""

    __tablename__ = "case_number_counters"

    prefix: str = Field(sa_column=Column(String(16), primary_key=True))
    last: int = Field(sa_column=Column(Integer(), nullable=False))
