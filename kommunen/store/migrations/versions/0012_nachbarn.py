"""nachbarn: Kreise and Gemeinden with a common border

Computed from the BKG VG5000 boundaries at import (`kommunen import-gemeinden`); until a
database is imported again the table is empty and no one is called a neighbour.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nachbarn",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key_a", sa.String(length=8), nullable=False),
        sa.Column("key_b", sa.String(length=8), nullable=False),
        sa.Column("grenze_km", sa.Float(), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key_a", "key_b"),
    )
    op.create_index(op.f("ix_nachbarn_key_b"), "nachbarn", ["key_b"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_nachbarn_key_b"), table_name="nachbarn")
    op.drop_table("nachbarn")
