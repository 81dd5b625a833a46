"""notice stages, winners, earlier notices; buyer linked to a Kommune (Gemeinde or Kreis)

`gemeinde_ags` becomes `kommune_key`: 8 digits for a Gemeinde, 5 for a Kreis. Existing tenders
keep their links; `kommunen reparse eforms` fills the new fields from the raw archive.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenders") as batch:
        batch.drop_index("ix_tenders_gemeinde")
        batch.alter_column("gemeinde_ags", new_column_name="kommune_key", existing_type=sa.String(8))
        batch.add_column(sa.Column("stage", sa.String(20), server_default="", nullable=False))
        batch.add_column(sa.Column("contract_nature", sa.String(20), server_default="", nullable=False))
        batch.add_column(sa.Column("awarded_value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("winners", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch.add_column(
            sa.Column("previous_notices", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    op.create_index("ix_tenders_kommune", "tenders", ["kommune_key"])


def downgrade() -> None:
    op.drop_index("ix_tenders_kommune", "tenders")
    with op.batch_alter_table("tenders") as batch:
        for column in ("previous_notices", "winners", "awarded_value", "contract_nature", "stage"):
            batch.drop_column(column)
        batch.alter_column("kommune_key", new_column_name="gemeinde_ags", existing_type=sa.String(8))
    op.create_index("ix_tenders_gemeinde", "tenders", ["gemeinde_ags"])
