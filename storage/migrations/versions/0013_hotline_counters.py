"""hotline counters that outlive a restart

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Complaint texts stored before this version are sealed by the bot at start-up
(`bot.keyring.attach` → `storage.cases.sealing.seal_existing`), not here: sealing needs the
server's key-encryption key, which migrations never see.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_counters",
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("blocked_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tag", name=op.f("pk_hotline_counters")),
    )
    op.create_index(
        op.f("ix_hotline_counters_day"), "hotline_counters", ["day"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_hotline_counters_day"), table_name="hotline_counters")
    op.drop_table("hotline_counters")
