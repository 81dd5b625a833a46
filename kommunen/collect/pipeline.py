"""Run one source: crawl → archive each raw body → parse (pure) → upsert → a `runs` row.

Each document is stored in its own transaction, so a run that is killed keeps everything up
to the last finished document, and the next run (which starts from the last successful run)
finds those unchanged. A document that fails to fetch or parse is recorded on the run with its
URL, and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kommunen.places.linking import KommunenLinker
from kommunen.store.db import session_scope
from kommunen.store.models import RawDocumentRow, Run, RunError
from kommunen.store.records import store_records
from kommunen.store.upsert import Counts
from scrapers.base import RawDocument
from scrapers.errors import ScraperError
from scrapers.http import Http, Validators
from scrapers.source import Source

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class RunSummary:
    source: str
    run_id: int
    status: str = "running"
    documents: int = 0
    counts: Counts = field(default_factory=Counts)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (url, stage, message)
    message: str = ""


def archive_validators(engine: Engine) -> Callable[[str], Validators | None]:
    """What the archive knows of a URL, so Http can ask "changed since?"."""

    def lookup(url: str) -> Validators | None:
        with engine.connect() as conn:
            row = conn.execute(
                select(RawDocumentRow.etag, RawDocumentRow.last_modified, RawDocumentRow.body_zlib)
                .where(RawDocumentRow.url == url, RawDocumentRow.status == 200)
                .order_by(RawDocumentRow.fetched_at.desc())
                .limit(1)
            ).first()
        if row is None or not (row.etag or row.last_modified):
            return None
        return Validators(row.etag, row.last_modified, zlib.decompress(row.body_zlib))

    return lookup


def archive(session: Session, source: str, doc: RawDocument) -> bool:
    """Store the body unless this exact body of this URL is already archived; True if new."""
    digest = hashlib.sha256(doc.body).hexdigest()
    known = session.scalar(
        select(RawDocumentRow.id).where(
            RawDocumentRow.source == source, RawDocumentRow.url == doc.url, RawDocumentRow.sha256 == digest
        )
    )
    if known is not None:
        return False
    headers = {k.lower(): v for k, v in doc.headers.items()}
    session.add(
        RawDocumentRow(
            source=source,
            url=doc.url,
            status=doc.status,
            fetched_at=doc.fetched_at,
            content_type=doc.content_type[:200],
            etag=headers.get("etag", "")[:200],
            last_modified=headers.get("last-modified", "")[:100],
            sha256=digest,
            size=len(doc.body),
            body_zlib=zlib.compress(doc.body, 6),
        )
    )
    return True


def last_success(engine: Engine, source: str) -> datetime | None:
    with session_scope(engine) as session:
        return session.scalar(
            select(Run.started)
            .where(Run.source == source, Run.status.in_(("ok", "partial")))
            .order_by(Run.started.desc())
        )


def run_source(
    engine: Engine,
    source: Source,
    http: Http,
    *,
    since: datetime | None = None,
    clock: Callable[[], datetime] = utcnow,
    on_document: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    with session_scope(engine) as session:
        run = Run(source=source.name, started=clock(), status="running")
        session.add(run)
        session.flush()
        summary = RunSummary(source=source.name, run_id=run.id)
    linker = KommunenLinker()  # reads the directory once per run
    since = since or last_success(engine, source.name)
    try:
        for item in source.crawl(http, since):
            if isinstance(item, ScraperError):
                _error(summary, item.url, "fetch", item.reason)
            else:
                _process(engine, source, item, summary, linker)
            if on_document:
                on_document(summary)
        summary.status = "partial" if summary.errors else "ok"
    except ScraperError as exc:  # the crawl itself could not go on (e.g. search API down)
        _error(summary, exc.url, "fetch", exc.reason)
        summary.status, summary.message = "failed", str(exc)
    except BaseException as exc:
        summary.status, summary.message = "failed", f"abgebrochen: {type(exc).__name__}"
        raise
    finally:
        _finish(engine, summary, clock())
    return summary


def _process(
    engine: Engine, source: Source, doc: RawDocument, summary: RunSummary, linker: KommunenLinker
) -> None:
    summary.documents += 1
    if doc.status == 304:
        return  # unchanged since the archived copy: nothing to parse
    with session_scope(engine) as session:
        if not archive(session, source.name, doc):
            return  # the same bytes were parsed before; `kommunen reparse` redoes them
        _parse_and_store(session, source, doc, summary, linker)


def _parse_and_store(
    session: Session, source: Source, doc: RawDocument, summary: RunSummary, linker: KommunenLinker
) -> None:
    try:
        records = list(source.parse(doc))
    except ScraperError as exc:
        _error(summary, doc.url, "parse", exc.reason)
        return
    summary.counts += store_records(session, records, linker)


def reparse(engine: Engine, source: Source) -> RunSummary:
    """Rebuild the source's records from every archived body (after a parser fix)."""
    with session_scope(engine) as session:
        run = Run(source=source.name, started=utcnow(), status="running", message="reparse")
        session.add(run)
        session.flush()
        summary = RunSummary(source=source.name, run_id=run.id)
        ids = session.scalars(
            select(RawDocumentRow.id).where(RawDocumentRow.source == source.name).order_by(RawDocumentRow.id)
        ).all()
    linker = KommunenLinker()  # reads the directory once per run
    for raw_id in ids:
        with session_scope(engine) as session:
            raw = session.get_one(RawDocumentRow, raw_id)
            doc = RawDocument(url=raw.url, body=zlib.decompress(raw.body_zlib), fetched_at=raw.fetched_at)
            summary.documents += 1
            _parse_and_store(session, source, doc, summary, linker)
    summary.status = "partial" if summary.errors else "ok"
    _finish(engine, summary, utcnow())
    return summary


def _error(summary: RunSummary, url: str, stage: str, message: str) -> None:
    logger.warning("%s failed source=%s url=%s reason=%s", stage, summary.source, url, message)
    summary.errors.append((url, stage, message))


def _finish(engine: Engine, summary: RunSummary, finished: datetime) -> None:
    with session_scope(engine) as session:
        run = session.get_one(Run, summary.run_id)
        run.finished = finished
        run.status = summary.status
        run.documents = summary.documents
        run.new, run.changed, run.unchanged = (
            summary.counts.new,
            summary.counts.changed,
            summary.counts.unchanged,
        )
        run.errors = len(summary.errors)
        run.message = summary.message
        session.add_all(
            RunError(run_id=summary.run_id, url=url[:2000], stage=stage, message=message)
            for url, stage, message in summary.errors
        )
