"""gebietsaenderungen, kreissitze: successors of merged Gemeinden and the seat of each Kreis

Both are derived as a whole from their files at import (`kommunen import-gemeinden`): the
Destatis Gebietsänderungen and the Anschriftenverzeichnis. Until a database is imported again
both are empty: no old AGS resolves to a successor and no Kreis names its seat.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gebietsaenderungen",
        sa.Column("alt_ags", sa.String(length=8), nullable=False),
        sa.Column("neu_ags", sa.String(length=8), nullable=False),
        sa.Column("art", sa.Integer(), nullable=False),
        sa.Column("alt_name", sa.String(length=200), nullable=False),
        sa.Column("neu_name", sa.String(length=200), nullable=False),
        sa.Column("einwohner", sa.Integer(), nullable=False),
        sa.Column("flaeche_m2", sa.Integer(), nullable=False),
        sa.Column("wirksam", sa.Date(), nullable=False),
        sa.Column("kennziffer", sa.String(length=40), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("alt_ags", "neu_ags", "art"),
    )
    op.create_table(
        "kreissitze",
        sa.Column("key", sa.String(length=5), nullable=False),
        sa.Column("sitz", sa.String(length=200), nullable=False),
        sa.Column("anschrift", sa.String(length=500), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("kreissitze")
    op.drop_table("gebietsaenderungen")
