"""who runs a run; which archived document was rejected by its parser

`runs.holder` (host:pid) lets the next start close a run whose process died (kill -9) instead
of showing it "running" for ever. `raw_documents.parse_error` keeps a rejected document
reported on every later run until it parses.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("holder", sa.String(200), server_default="", nullable=False))
    with op.batch_alter_table("raw_documents") as batch:
        batch.add_column(sa.Column("parse_error", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("raw_documents") as batch:
        batch.drop_column("parse_error")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("holder")
