"""verwaltungen: the administration that serves each Gemeinde and Kreis, with its address

Derived as a whole at import (`kommunen import-gemeinden`) from the Anschriftenverzeichnis and
the websites index (KDN NRW, amtsfeed Brandenburg). Until a database is imported again the table
is empty: no lead names an office to write to.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verwaltungen",
        sa.Column("key", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("anschrift", sa.String(length=500), nullable=False),
        sa.Column("verband_key", sa.String(length=9), nullable=False),
        sa.Column("website", sa.String(length=2000), nullable=False),
        sa.Column("website_quelle", sa.String(length=2000), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("verwaltungen")
