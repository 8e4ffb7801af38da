"""ledger items: the instant the reminder sweep next needs to look at each

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

`remind_at` is written by the sweep (the earliest instant any reminder rule of the item can
produce a new slot); NULL until a sweep has looked at the item, so every item is looked at
once after this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_items") as batch:
        batch.add_column(
            sa.Column("remind_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_index(
        "ix_ledger_items_status_remind",
        "ledger_items",
        ["status", "remind_at", "deadline"],
        unique=False,
    )
    op.create_index("ix_ledger_items_updated_at", "ledger_items", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ledger_items_updated_at", table_name="ledger_items")
    op.drop_index("ix_ledger_items_status_remind", table_name="ledger_items")
    with op.batch_alter_table("ledger_items") as batch:
        batch.drop_column("remind_at")
