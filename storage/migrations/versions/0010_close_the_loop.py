"""extensions, channels, findings and accountability

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("bureau_deadline", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Until now every deadline counted as it stood; a dispatched case's was the bureau's.
    op.execute("UPDATE ledger_items SET due_on = deadline")
    op.execute(
        "UPDATE ledger_items SET bureau_deadline = "
        + ("true" if op.get_context().dialect.name == "postgresql" else "1")
        + " WHERE source_case_id IS NOT NULL"
    )
    op.create_table(
        "ledger_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("from_deadline", sa.Date(), nullable=False),
        sa.Column("to_deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_member_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("decided_by_member_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["ledger_items.id"],
            name=op.f("fk_ledger_extensions_item_id_ledger_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_member_id"],
            ["members.id"],
            name=op.f("fk_ledger_extensions_requested_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_member_id"],
            ["members.id"],
            name=op.f("fk_ledger_extensions_decided_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_extensions")),
    )
    with op.batch_alter_table("ledger_extensions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_extensions_item_status", ["item_id", "status"], unique=False
        )
    op.create_table(
        "case_intakes",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("registered_by_member_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=64), nullable=True),
        sa.Column("contact_details", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_intakes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_member_id"],
            ["members.id"],
            name=op.f("fk_case_intakes_registered_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_intakes")),
    )
    op.create_table(
        "case_findings",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("finding", sa.String(length=16), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_findings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_member_id"],
            ["members.id"],
            name=op.f("fk_case_findings_recorded_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_findings")),
    )
    op.create_table(
        "accountabilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("handling_key", sa.String(length=32), nullable=False),
        sa.Column("person_name", sa.String(length=64), nullable=True),
        sa.Column("person_member_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_accountabilities_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_member_id"],
            ["members.id"],
            name=op.f("fk_accountabilities_person_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_accountabilities_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_member_id"],
            ["members.id"],
            name=op.f("fk_accountabilities_recorded_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountabilities")),
    )
    with op.batch_alter_table("accountabilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountabilities_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accountabilities_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_table("accountabilities")
    op.drop_table("case_findings")
    op.drop_table("case_intakes")
    op.drop_table("ledger_extensions")
    with op.batch_alter_table("ledger_items", schema=None) as batch_op:
        batch_op.drop_column("bureau_deadline")
        batch_op.drop_column("due_on")
