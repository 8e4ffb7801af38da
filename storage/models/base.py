"""What every table module shares: the metadata with stable constraint names, column types."""

from __future__ import annotations

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

__all__ = ["UTCDateTime", "metadata"]
