"""forms and evaluations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_chases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_chases")),
    )
    op.create_index(
        "ix_form_chases_once",
        "form_chases",
        ["form_key", "period", "scope", "requested_on"],
        unique=True,
    )
    op.create_table(
        "form_public_marks",
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("mark", name=op.f("pk_form_public_marks")),
    )
    op.create_table(
        "form_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_form_answers_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_form_answers_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_answers")),
    )
    op.create_index("ix_form_answers_form_period", "form_answers", ["form_key", "period"])
    op.create_index(op.f("ix_form_answers_unit_id"), "form_answers", ["unit_id"])
    op.create_table(
        "form_respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_form_respondents_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_form_respondents_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_respondents")),
    )
    op.create_index(
        "ix_form_respondents_once",
        "form_respondents",
        ["form_key", "period", "member_id", "unit_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("form_respondents")
    op.drop_table("form_answers")
    op.drop_table("form_public_marks")
    op.drop_table("form_chases")
