"""Imports from files: the Gemeindeverzeichnis and its postal codes, parsed whole, then stored.

Each file's bytes go into the raw archive like any fetched body, so a file that is unchanged
since it was last imported (the newest archived body of that path) is skipped: the warm
`kommunen run` no longer re-parses 11,000 Gemeinden, and `kommunen reparse` can rebuild them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kommunen.collect.pipeline import archive
from kommunen.errors import DataFileError
from kommunen.store.models import RawDocumentRow
from kommunen.store.records import store_records
from kommunen.store.upsert import Counts
from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.gemeindeverzeichnis import Gemeindeverzeichnis
from scrapers.records import GebietRecord, GemeindeRecord, PlzRecord

GV_FILE = Path("gemeinden/AuszugGV4QAktuell.csv")
PLZ_FILE = Path("gemeinden/zuordnung_plz_ort_landkreis.csv")


@dataclass(slots=True)
class ImportResult:
    gebiete: Counts = field(default_factory=Counts)
    gemeinden: Counts = field(default_factory=Counts)
    plz: Counts = field(default_factory=Counts)
    parsed: list[str] = field(default_factory=list)  # the documents' URLs (file paths)
    skipped: list[str] = field(default_factory=list)  # unchanged since their last import


def read_document(path: Path) -> RawDocument:
    """A local file as a RawDocument; its modification time stands for the fetch time."""
    try:
        body = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise DataFileError(f"{path}: Datei nicht lesbar ({exc.strerror})") from exc
    return RawDocument(url=str(path), body=body, fetched_at=mtime)


def import_gemeindeverzeichnis(
    session: Session, docs: Iterable[RawDocument], *, skip_unchanged: bool = False
) -> ImportResult:
    """Parse every document fully, then upsert: a bad row leaves the database as it was (the
    archive too, it is written in the same transaction)."""
    source = Gemeindeverzeichnis()
    result = ImportResult()
    gebiete: list[GebietRecord] = []
    gemeinden: list[GemeindeRecord] = []
    plz: list[PlzRecord] = []
    for doc in docs:
        digest = hashlib.sha256(doc.body).hexdigest()
        if skip_unchanged and _newest_archived(session, doc.url) == digest:
            result.skipped.append(doc.url)
            continue
        _archive_as_newest(session, doc, digest)
        result.parsed.append(doc.url)
        try:
            for record in source.parse(doc):
                if isinstance(record, GemeindeRecord):
                    gemeinden.append(record)
                elif isinstance(record, GebietRecord):
                    gebiete.append(record)
                elif isinstance(record, PlzRecord):
                    plz.append(record)
        except ParseError as exc:
            raise DataFileError(str(exc)) from exc
    result.gebiete = store_records(session, gebiete)
    result.gemeinden = store_records(session, gemeinden)
    result.plz = store_records(session, plz)
    return result


def _newest_archived(session: Session, url: str) -> str | None:
    return session.scalar(
        select(RawDocumentRow.sha256)
        .where(RawDocumentRow.source == Gemeindeverzeichnis.name, RawDocumentRow.url == url)
        .order_by(RawDocumentRow.id.desc())
        .limit(1)
    )


def _archive_as_newest(session: Session, doc: RawDocument, digest: str) -> None:
    """Archive the body as the newest of its path: a file imported again after another one
    (A, B, then A) is A's data now, so A counts as unchanged the next time."""
    session.execute(
        delete(RawDocumentRow).where(
            RawDocumentRow.source == Gemeindeverzeichnis.name,
            RawDocumentRow.url == doc.url,
            RawDocumentRow.sha256 == digest,
        )
    )
    archive(session, Gemeindeverzeichnis.name, doc)
