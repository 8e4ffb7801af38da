"""desk returns and notes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_ledger_returns_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["ledger_items.id"],
            name=op.f("fk_ledger_returns_item_id_ledger_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ledger_returns_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_returns")),
    )
    with op.batch_alter_table("ledger_returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_returns_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_returns_item_id"), ["item_id"], unique=False)

    op.create_table(
        "note_sections",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("section_unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["case_messages.id"],
            name=op.f("fk_note_sections_message_id_case_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_unit_id"],
            ["units.id"],
            name=op.f("fk_note_sections_section_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_note_sections")),
    )
    with op.batch_alter_table("note_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_note_sections_section_unit_id"), ["section_unit_id"], unique=False
        )

    op.create_table(
        "case_waits",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("question_message_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_waits_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["question_message_id"],
            ["case_messages.id"],
            name=op.f("fk_case_waits_question_message_id_case_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_waits")),
    )


def downgrade() -> None:
    op.drop_table("case_waits")
    with op.batch_alter_table("note_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_sections_section_unit_id"))
    op.drop_table("note_sections")
    with op.batch_alter_table("ledger_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_returns_item_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_returns_case_id"))
    op.drop_table("ledger_returns")
