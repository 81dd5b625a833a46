"""tender search text: each sentence once; an index for the ranking's stamp

A lot often repeats the description of the whole, or its first sentences; the matcher counted a
word in such a sentence twice ("Dekarbonisierung" in Uniper's project-management notice). The
stored texts are made again from the stored fields, in batches, as `store.records` now makes them.
ix_tenders_stamp covers key and content hash: a ranking that checks whether the stored tenders
changed reads the index, not 100k rows of long texts (0.45 s → 0.13 s).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 11:30:00
"""

import sqlalchemy as sa
from alembic import op

from kommunen.store.records import each_sentence_once
from kommunen.text import fold_ascii

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 2000
TENDERS = sa.table(
    "tenders",
    sa.column("source", sa.String),
    sa.column("source_id", sa.String),
    sa.column("description", sa.Text),
    sa.column("buyer_department", sa.String),
    sa.column("lots", sa.JSON),
    sa.column("search_text", sa.Text),
)


def upgrade() -> None:
    op.create_index("ix_tenders_stamp", "tenders", ["source", "source_id", "content_hash"])
    bind = op.get_bind()
    t = TENDERS.c
    update = (
        sa.update(TENDERS)
        .where(t.source == sa.bindparam("k_source"), t.source_id == sa.bindparam("k_id"))
        .values(search_text=sa.bindparam("text"))
    )
    after = ("", "")
    while True:
        query = sa.select(t.source, t.source_id, t.description, t.buyer_department, t.lots, t.search_text)
        rows = bind.execute(
            query.where(sa.tuple_(t.source, t.source_id) > after).order_by(t.source, t.source_id).limit(BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for source, source_id, description, department, lots, old in rows:
            lot_texts = (lot.get(key) or "" for lot in lots or () for key in ("title", "description"))
            text = fold_ascii(each_sentence_once((description or "", department or "", *lot_texts)))
            if text != old:
                changed.append({"k_source": source, "k_id": source_id, "text": text})
        if changed:
            bind.execute(update, changed)
        after = (rows[-1][0], rows[-1][1])


def downgrade() -> None:
    """The texts are derived; the older ones counted repeated sentences twice, nothing is lost."""
    op.drop_index("ix_tenders_stamp", table_name="tenders")
