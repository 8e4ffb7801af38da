"""What every table module shares: the metadata with stable constraint names, column types."""

from __future__ import annotations

import secrets

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from storage.types import UTCDateTime

# Stable constraint names, so migrations read the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def anonymous_row_id() -> int:
    """A random negative primary key for a row of an anonymous complaint (a case, its messages,
    its evidence), in -(2**31 - 1) .. -1.

    These tables also hold named reports, whose rows carry instants. Numbered in the order they
    were written, a complaint's id between two reports' ids would date it. Negative random ids
    say nothing of order, and leave the positive sequence that SQLite (max + 1) and PostgreSQL
    (a sequence) hand to other rows untouched. A clash is as likely as N / 2**31 for N rows.
    """
    return -(secrets.randbelow(2**31 - 1) + 1)


__all__ = ["UTCDateTime", "anonymous_row_id", "metadata"]
