"""the Gebietsstand of a Gemeinde's directory and the date of its population

`kommunen gemeinde` showed the import date as "Stand"; the official XLSX names its Gebietsstand
("Gebietsstand am 31.12.2024") and the population's date ("31.12.2023 (Jahr)").

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gemeinden") as batch:
        batch.add_column(sa.Column("gebietsstand", sa.Date(), nullable=True))
        batch.add_column(sa.Column("einwohner_stand", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gemeinden") as batch:
        batch.drop_column("einwohner_stand")
        batch.drop_column("gebietsstand")
