"""Imports from files: the Gemeindeverzeichnis and its postal codes, parsed whole, then stored;
beside them the Gebietsänderungen (successors of merged Gemeinden) and the Kreis seats.

Each directory file's bytes go into the raw archive like any fetched body, so a file that is
unchanged since it was last imported (the newest archived body of that path) is skipped: the warm
`kommunen run` no longer re-parses 11,000 Gemeinden, and `kommunen reparse` can rebuild them.
A complete directory (all 16 Länder) is the whole truth: Gemeinden and Gebiete it no longer
lists (merged since an older file) are removed. The derived tables are replaced as a whole,
and not touched while the hash of their files is the stored one.
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
from kommunen.collect.verwaltungen_import import import_verwaltungen
from kommunen.errors import DataFileError
from kommunen.store.models import Gebiet, Gebietsaenderung, Gemeinde, KreisSitz, RawDocumentRow
from kommunen.store.records import store_records
from kommunen.store.upsert import Counts, derived_unchanged, replace_derived
from scrapers import anschriften, gebietsaenderungen
from scrapers.base import RawDocument
from scrapers.errors import ParseError, os_reason
from scrapers.gemeindeverzeichnis import Gemeindeverzeichnis
from scrapers.records import GebietRecord, GemeindeRecord, PlzRecord

# Gebietsstand 31.12.2024; the 2019 CSV and the 2023 XLSX import too when named.
GV_FILE = Path("gemeinden/AuszugGV4QAktuell_2024.xlsx")
PLZ_FILE = Path("gemeinden/zuordnung_plz_ort_landkreis.csv")
CHANGES_FILES = (
    Path("gemeinden/Gebietsaenderungen_2024.xlsx"),
    Path("gemeinden/Gebietsaenderungen_2025-01-01_bis_2025-02-28.xlsx"),
)
SITZ_FILE = Path(
    "municipal/organisationseinheiten/anschriftenverzeichnis-destatis/"
    "Anschriften_der_Gemeinde_und_Stadtverwaltungen_Stand_31012023_final.xlsx"
)


@dataclass(slots=True)
class ImportResult:
    gebiete: Counts = field(default_factory=Counts)
    gemeinden: Counts = field(default_factory=Counts)
    plz: Counts = field(default_factory=Counts)
    parsed: list[str] = field(default_factory=list)  # the documents' URLs (file paths)
    skipped: list[str] = field(default_factory=list)  # unchanged since their last import
    removed: int = 0  # Gemeinden a complete directory no longer lists


def read_document(path: Path) -> RawDocument:
    """A local file as a RawDocument; its modification time stands for the fetch time."""
    try:
        body = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise DataFileError(f"{path}: Datei nicht lesbar ({os_reason(exc)})") from exc
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
    if {g.key for g in gebiete if g.ebene == "land"} >= ALL_LAENDER:
        result.removed = _remove_absent(session, gebiete, gemeinden)
    return result


ALL_LAENDER = {f"{n:02d}" for n in range(1, 17)}


def _remove_absent(session: Session, gebiete: list[GebietRecord], gemeinden: list[GemeindeRecord]) -> int:
    """Gemeinden and Gebiete that a complete directory does not list are gone (merged, renamed)."""
    listed = {g.ags for g in gemeinden}
    stale = [a for a in session.scalars(select(Gemeinde.ags)) if a not in listed]
    for start in range(0, len(stale), 500):
        session.execute(delete(Gemeinde).where(Gemeinde.ags.in_(stale[start : start + 500])))
    keys = {g.key for g in gebiete}
    old = [k for k in session.scalars(select(Gebiet.key)) if k not in keys]
    for start in range(0, len(old), 500):
        session.execute(delete(Gebiet).where(Gebiet.key.in_(old[start : start + 500])))
    return len(stale)


@dataclass(slots=True)
class DerivedResult:
    aenderungen: int | None = None  # rows stored now; None when the files were unchanged or absent
    kreissitze: int | None = None
    verwaltungen: int | None = None


CHANGE_COLUMNS = (
    *("alt_ags", "neu_ags", "art", "alt_name", "neu_name"),
    *("einwohner", "flaeche_m2", "wirksam", "kennziffer", "source_url"),
)


def _inputs_hash(bodies: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for body in bodies:
        digest.update(hashlib.sha256(body).digest())
    return digest.hexdigest()


def _read_present(data_dir: Path, paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    return [(str(data_dir / p), read_document(data_dir / p).body) for p in paths if (data_dir / p).is_file()]


def import_derived(session: Session, data_dir: Path) -> DerivedResult:
    """Gebietsänderungen, Kreis seats and Verwaltungen from KOMMUNEN_DATA_DIR; absent files leave
    the tables."""
    result = DerivedResult()
    changes = _read_present(data_dir, CHANGES_FILES)
    digest = _inputs_hash(body for _, body in changes)
    if changes and not derived_unchanged(session, Gebietsaenderung, digest):
        try:
            records = [r for url, body in changes for r in gebietsaenderungen.parse(url, body)]
        except ParseError as exc:
            raise DataFileError(str(exc)) from exc
        rows = {(r.alt_ags, r.neu_ags, r.art): r for r in records}  # a split names a pair once per part
        stored = [{c: getattr(r, c) for c in CHANGE_COLUMNS} for r in rows.values()]
        result.aenderungen = replace_derived(session, Gebietsaenderung, stored, digest)
    sitze = _read_present(data_dir, [SITZ_FILE])
    digest = _inputs_hash(body for _, body in sitze)
    if sitze and not derived_unchanged(session, KreisSitz, digest):
        url, body = sitze[0]
        try:
            found = anschriften.kreis_sitze(url, body)
        except ParseError as exc:
            raise DataFileError(str(exc)) from exc
        result.kreissitze = replace_derived(
            session,
            KreisSitz,
            [{"key": k.key, "sitz": k.sitz, "anschrift": k.anschrift, "source_url": url} for k in found],
            digest,
        )
    result.verwaltungen = import_verwaltungen(session, data_dir, SITZ_FILE)
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
