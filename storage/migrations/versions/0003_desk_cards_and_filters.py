"""desk cards and filters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The staff chat's case cards (one message per case, edited in place). The inbox's
    # filters need no new index: kind+status, unit+status, owner and opened_on exist.
    op.create_table(
        "desk_cards",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("next_try_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_desk_cards_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_desk_cards")),
    )
    with op.batch_alter_table("desk_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_desk_cards_next_try_at"), ["next_try_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("desk_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_cards_next_try_at"))
    op.drop_table("desk_cards")
