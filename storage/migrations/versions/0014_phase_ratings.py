"""phase ratings stored when a phase ends

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phase_ratings",
        sa.Column("phase_key", sa.String(length=32), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("ratings", sa.Text(), nullable=False),
        sa.Column("stored_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phase_key", name=op.f("pk_phase_ratings")),
    )


def downgrade() -> None:
    op.drop_table("phase_ratings")
