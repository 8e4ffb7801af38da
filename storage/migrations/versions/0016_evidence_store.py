"""evidence: the bureau's copy in the store; a complaint's file id sealed

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

`evidence.stored_as` names the object that holds the bureau's copy of the file (or a mark
saying why there is none; NULL while the download is owed: `storage.files.evidence`).
`telegram_file_id` becomes TEXT: a complaint's file id is stored sealed (`sealed:v1:…`, longer
than the 256 characters a plain id needed).

Complaint file ids stored before this version are sealed with the texts by
`python -m bot migrate` right after this step when the pepper is configured (`bot.keyring.attach`
→ `storage.cases.sealing.seal_existing`), else by `run` at its next start: sealing needs the
server's key-encryption key, which a plain `alembic upgrade` never sees.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("stored_as", sa.String(length=80), nullable=True))
        batch.alter_column(
            "telegram_file_id",
            existing_type=sa.String(length=256),
            type_=sa.Text(),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.alter_column(
            "telegram_file_id",
            existing_type=sa.Text(),
            type_=sa.String(length=256),
            existing_nullable=False,
        )
        batch.drop_column("stored_as")
