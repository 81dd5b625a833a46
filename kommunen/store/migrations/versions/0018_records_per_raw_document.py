"""how many records each archived document gave

A document whose bytes were parsed before is not parsed again; its records now count as
"unverändert" in the run's summary (which read 0 however much was unchanged). Documents archived
before this revision have no count (NULL) and count nothing until they are parsed again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("raw_documents") as batch:
        batch.add_column(sa.Column("records", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("raw_documents") as batch:
        batch.drop_column("records")
