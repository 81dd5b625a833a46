"""Imports from files: the Gemeindeverzeichnis and its postal codes, parsed whole, then stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from kommunen.errors import DataFileError
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


def read_document(path: Path) -> RawDocument:
    """A local file as a RawDocument; its modification time stands for the fetch time."""
    try:
        body = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise DataFileError(f"{path}: Datei nicht lesbar ({exc.strerror})") from exc
    return RawDocument(url=str(path), body=body, fetched_at=mtime)


def import_gemeindeverzeichnis(session: Session, docs: Iterable[RawDocument]) -> ImportResult:
    """Parse every document fully, then upsert: a bad row leaves the database as it was."""
    source = Gemeindeverzeichnis()
    gebiete: list[GebietRecord] = []
    gemeinden: list[GemeindeRecord] = []
    plz: list[PlzRecord] = []
    for doc in docs:
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
    result = ImportResult()
    result.gebiete = store_records(session, gebiete)
    result.gemeinden = store_records(session, gemeinden)
    result.plz = store_records(session, plz)
    return result
