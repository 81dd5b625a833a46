"""indikatoren: BBSR INKAR indicators per Kreis, Gemeinde and Gemeindeverband

Imported from the INKAR parquet files (`kommunen import-gemeinden`), the latest year per
indicator and region; until a database is imported again both tables are empty.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indikatoren",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kurzname", sa.String(length=300), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("einheit", sa.String(length=200), nullable=False),
        sa.Column("bereich", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "indikator_werte",
        sa.Column("indikator", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=9), nullable=False),
        sa.Column("ebene", sa.String(length=10), nullable=False),
        sa.Column("jahr", sa.Integer(), nullable=False),
        sa.Column("wert", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("indikator", "key"),
    )
    op.create_index(op.f("ix_indikator_werte_key"), "indikator_werte", ["key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_indikator_werte_key"), table_name="indikator_werte")
    op.drop_table("indikator_werte")
    op.drop_table("indikatoren")
