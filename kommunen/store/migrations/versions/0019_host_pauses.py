"""host pauses kept between runs

A host that asked for a long pause (Retry-After up to a week, a 429 that did not end) was
remembered only by the process that was told; the next cron run or scheduler job asked again.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 18:15:00
"""

import sqlalchemy as sa
from alembic import op

from kommunen.store.models import UtcDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_pauses",
        sa.Column("host", sa.String(300), primary_key=True),
        sa.Column("until", UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("host_pauses")
