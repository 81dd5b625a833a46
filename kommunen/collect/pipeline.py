"""Run one source: crawl → archive each raw body → parse (pure) → upsert → a `runs` row.

Each document is stored in its own transaction, so a run that is killed keeps everything up
to the last finished document, and the next run (which starts from the last successful run)
finds those unchanged. A document that fails to fetch or parse is recorded on the run with its
URL, and the run goes on.

Errors are written the moment they happen and the run carries its holder (host:pid), so after a
kill -9 the next start closes the orphaned run as failed with its errors kept. A document its
parser rejected is marked in the archive and tried again (and reported again) on every later
run until it parses: re-reading the same broken files never reports "Fehler 0".
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, defer

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
FOREIGN_RUN_STALE = timedelta(hours=24)  # a run held on another host cannot be asked if it lives


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


@dataclass(frozen=True, slots=True)
class Archived:
    """The row to parse into (the new one, or the archived one its parser rejected before), or
    None when these bytes were parsed before: then the records they gave are unchanged."""

    row: RawDocumentRow | None
    unchanged: int = 0


def archive(session: Session, source: str, doc: RawDocument) -> Archived:
    """Store the body unless it is the newest archived body of this URL (`kommunen reparse` parses
    archived bodies again). A body that comes back after another one (A, B, then A) is archived
    anew as the newest and parsed: its records are A's again."""
    digest = hashlib.sha256(doc.body).hexdigest()
    versions = session.execute(
        select(RawDocumentRow.id, RawDocumentRow.sha256, RawDocumentRow.parse_error, RawDocumentRow.records)
        .where(RawDocumentRow.source == source, RawDocumentRow.url == doc.url)
        .order_by(RawDocumentRow.id.desc())
    ).all()
    if versions and versions[0].sha256 == digest:
        newest = versions[0]
        if newest.parse_error:
            return Archived(session.get(RawDocumentRow, newest.id, options=[defer(RawDocumentRow.body_zlib)]))
        return Archived(None, newest.records or 0)
    if doc.status == 304:
        return Archived(None)  # Http answered from an archived copy that is not this source's
    if earlier := [v.id for v in versions if v.sha256 == digest]:
        session.execute(delete(RawDocumentRow).where(RawDocumentRow.id.in_(earlier)))
    headers = {k.lower(): v for k, v in doc.headers.items()}
    row = RawDocumentRow(
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
        parse_error="",
    )
    session.add(row)
    return Archived(row)


def this_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(holder: str, now: datetime, started: datetime) -> bool:
    host, _, pid = holder.rpartition(":")
    if not pid.isdigit():
        return False  # no holder: a run from before holders were recorded
    if host != socket.gethostname():
        return now - started < FOREIGN_RUN_STALE
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process, alive
    return True


def close_stale_runs(engine: Engine, now: datetime) -> list[int]:
    """Close runs left "running" by a process that died (kill -9, power cut): failed, errors kept."""
    closed: list[int] = []
    with session_scope(engine) as session:
        for run in session.scalars(select(Run).where(Run.status == "running")):
            if _alive(run.holder, now, run.started):
                continue
            run.status, run.finished = "failed", now
            run.errors = session.scalar(select(func.count()).where(RunError.run_id == run.id)) or 0
            run.message = (
                f"abgebrochen: der Prozess {run.holder or '(unbekannt)'} endete mitten im Lauf "
                f"(Absturz oder kill -9); beim nächsten Start am {now:%d.%m.%Y %H:%M} UTC geschlossen"
            )
            closed.append(run.id)
    if closed:
        logger.warning("closed stale runs %s", closed)
    return closed


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
    close_stale_runs(engine, clock())
    with session_scope(engine) as session:
        run = Run(source=source.name, started=clock(), status="running", holder=this_holder())
        session.add(run)
        session.flush()
        summary = RunSummary(source=source.name, run_id=run.id)
    linker = KommunenLinker()  # reads the directory once per run
    since = since or last_success(engine, source.name)
    try:
        for item in source.crawl(http, since):
            if isinstance(item, ScraperError):
                _error(engine, summary, item.url, "fetch", item.reason)
            else:
                _process(engine, source, item, summary, linker)
            if on_document:
                on_document(summary)
        summary.status = "partial" if summary.errors else "ok"
    except ScraperError as exc:  # the crawl itself could not go on (e.g. search API down)
        _error(engine, summary, exc.url, "fetch", exc.reason)
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
    with session_scope(engine) as session:
        archived = archive(session, source.name, doc)
        summary.counts.unchanged += archived.unchanged  # 304 or the same bytes, parsed before
        if archived.row is None:
            return  # the run's row gets the count at its end (_finish)
        _parse_and_store(session, source, doc, summary, linker, archived.row)
        session.execute(  # progress, in the document's own transaction: kept if the run is killed
            update(Run)
            .where(Run.id == summary.run_id)
            .values(
                documents=summary.documents,
                new=summary.counts.new,
                changed=summary.counts.changed,
                unchanged=summary.counts.unchanged,
                errors=len(summary.errors),
            )
        )


def _parse_and_store(
    session: Session,
    source: Source,
    doc: RawDocument,
    summary: RunSummary,
    linker: KommunenLinker,
    raw: RawDocumentRow,
) -> None:
    try:
        records = list(source.parse(doc))
    except ScraperError as exc:
        raw.parse_error = exc.reason or "abgelehnt"
        _error(session, summary, doc.url, "parse", exc.reason)
        return
    raw.parse_error = ""
    counts = store_records(session, records, linker)
    raw.records = counts.total  # records of the same key counted once, as stored
    summary.counts += counts


def reparse(engine: Engine, source: Source) -> RunSummary:
    """Rebuild the source's records from every archived body (after a parser fix)."""
    close_stale_runs(engine, utcnow())
    with session_scope(engine) as session:
        run = Run(
            source=source.name, started=utcnow(), status="running", message="reparse", holder=this_holder()
        )
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
            _parse_and_store(session, source, doc, summary, linker, raw)
    summary.status = "partial" if summary.errors else "ok"
    _finish(engine, summary, utcnow())
    return summary


def _error(target: Engine | Session, summary: RunSummary, url: str, stage: str, message: str) -> None:
    """Record the error on the run at once (in the document's transaction when there is one)."""
    logger.warning("%s failed source=%s url=%s reason=%s", stage, summary.source, url, message)
    summary.errors.append((url, stage, message))
    row = RunError(run_id=summary.run_id, url=url[:2000], stage=stage, message=message)
    if isinstance(target, Session):
        target.add(row)
        return
    with session_scope(target) as session:
        session.add(row)


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
