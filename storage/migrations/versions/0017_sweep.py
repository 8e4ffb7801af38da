"""the incremental sweep's indexes as PostgreSQL plans them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

`ix_ledger_items_unlooked` holds only the items no sweep has looked at (`remind_at IS NULL`):
most of a ledger (closed items, and items far from any deadline, are never looked at), so
PostgreSQL's statistics call `remind_at IS NULL` unselective and read every open item in the
candidate window through `ix_ledger_items_status_deadline` (65 ms at 1 M items) instead of
the few new ones. A partial index has no such estimate to get wrong. `ix_members_updated_at`:
the sweep's "members written since the last sweep" read every member.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNLOOKED = sa.text("remind_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_ledger_items_unlooked",
        "ledger_items",
        ["status", "deadline"],
        unique=False,
        postgresql_where=_UNLOOKED,
        sqlite_where=_UNLOOKED,
    )
    op.create_index("ix_members_updated_at", "members", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_members_updated_at", table_name="members")
    op.drop_index("ix_ledger_items_unlooked", table_name="ledger_items")
