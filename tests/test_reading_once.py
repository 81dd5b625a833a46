"""A run ranks several times (export, digest): the stored tenders are read once while they stay
unchanged, and read again as soon as one changes – on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, update

from kommunen.collect.pipeline import run_source
from kommunen.matching.leads import _stamp, read_tenders, reading_once
from kommunen.store.db import session_scope
from kommunen.store.models import Tender
from scrapers.notice_files import NoticeFiles
from tests.recorded import FETCHED_AT, SHARED

FOLDER = SHARED / "tenders/bekanntmachungsservice-eforms"


def test_a_changed_tender_is_read_again(engine: Engine) -> None:
    summary = run_source(engine, NoticeFiles([FOLDER]), None, clock=lambda: FETCHED_AT)  # type: ignore[arg-type]
    assert summary.counts.new == 5
    with session_scope(engine) as session:
        first = _stamp(session)
        assert _stamp(session) == first
        with reading_once():
            read = read_tenders(session)
            assert read_tenders(session) is read  # unchanged: the same columns, texts and keys
            session.execute(
                update(Tender)
                .where(Tender.source_id == read.columns.source_id[0])
                .values(content_hash="0" * 64)
            )
            changed = read_tenders(session)
        assert changed is not read
        assert changed.stamp == _stamp(session) != first
        assert len(changed.columns) == len(read.columns)
