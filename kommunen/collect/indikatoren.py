"""Import the INKAR indicators (BBSR) beside the directory: the latest year per indicator and region.

The indicators are derived as a whole from a few parquet files, so they are replaced at once
when a file changed and left alone (one SELECT) when none did: `kommunen run` stays fast.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kommunen.errors import DataFileError
from kommunen.store.models import Indikator, IndikatorWert
from scrapers import inkar
from scrapers.errors import ParseError, os_reason

# Newest first: its kuerzel name the indicators, the older build's are taken over by short name.
SNAPSHOTS = (Path("indikatoren/inkar"), Path("indikatoren/inkar_2022-12"))
DEFINITIONS = "_indikatoren.parquet"
REGIONS = "_regionen.parquet"


@dataclass(slots=True)
class IndikatorResult:
    indikatoren: int = 0  # indicators stored now
    werte: int = 0  # values stored now (latest year per indicator and Kreis, Gemeinde, Gemeindeverband)
    skipped: bool = False  # the files are unchanged since the last import
    missing: bool = False  # no INKAR files under the data directory


def _read(path: Path) -> tuple[str, bytes]:
    try:
        return str(path), path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path}: Datei nicht lesbar ({os_reason(exc)})") from exc


def _snapshots(data_dir: Path) -> list[inkar.Snapshot]:
    found = []
    for folder in (data_dir / s for s in SNAPSHOTS):
        if not (folder / DEFINITIONS).is_file():
            continue
        bereiche = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("_"))
        found.append(
            inkar.Snapshot(
                indikatoren=_read(folder / DEFINITIONS),
                regionen=_read(folder / REGIONS) if (folder / REGIONS).is_file() else None,
                bereiche=tuple(_read(p) for p in bereiche),
            )
        )
    return found


def _inputs_hash(snapshots: list[inkar.Snapshot]) -> str:
    """The files' names within their snapshot folder and their bytes."""
    digest = hashlib.sha256()
    for snap in snapshots:
        for url, body in (snap.indikatoren, *([snap.regionen] if snap.regionen else []), *snap.bereiche):
            path = Path(url)
            digest.update(f"{path.parent.name}/{path.name}".encode())
            digest.update(hashlib.sha256(body).digest())
    return digest.hexdigest()


def import_indikatoren(session: Session, data_dir: Path) -> IndikatorResult:
    """All indicators under today's data directory, replacing the stored ones in the caller's transaction.

    Parsing comes first: a broken file raises DataFileError (one German line naming it) before
    anything is deleted, and the caller's rollback keeps the previous import whole.
    """
    snapshots = _snapshots(data_dir)
    if not snapshots:
        return IndikatorResult(missing=True)
    inputs_hash = _inputs_hash(snapshots)
    if session.scalar(select(Indikator.inputs_hash).limit(1)) == inputs_hash:
        return IndikatorResult(skipped=True)
    try:
        definitions, series = inkar.parse_snapshots(snapshots)
    except ParseError as exc:
        raise DataFileError(str(exc)) from exc
    # A Gemeindeverband's value stands in for its Gemeinden only where they have none of their own.
    by_gemeinde = {s.indikator for s in series if s.ebene == "gemeinde"}
    series = [s for s in series if s.ebene != "verband" or s.indikator not in by_gemeinde]
    used = {s.indikator for s in series}
    session.execute(delete(IndikatorWert))
    session.execute(delete(Indikator))
    session.execute(
        insert(Indikator),
        [
            {
                "key": d.key,
                "kurzname": d.kurzname,
                "name": d.name,
                "einheit": d.einheit,
                "bereich": d.bereich,
                "source_url": d.source_url,
                "inputs_hash": inputs_hash,
            }
            for d in definitions.values()
            if d.key in used
        ],
    )
    rows = [
        (s.indikator, key, s.ebene, jahr, wert)
        for s in series
        for key, jahr, wert in zip(s.keys, s.jahre, s.werte, strict=True)
    ]
    _bulk_insert(session, rows)
    return IndikatorResult(indikatoren=len(used), werte=len(rows))


def _bulk_insert(session: Session, rows: list[tuple[str, str, str, int, float]]) -> None:
    """Several hundred thousand rows: COPY on PostgreSQL, one driver executemany elsewhere.

    The ORM's per-row work took three quarters of the import; the rows are plain values.
    """
    columns = "indikator, key, ebene, jahr, wert"
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        driver: Any = connection.connection.driver_connection  # psycopg's own, in this transaction
        with driver.cursor() as cursor, cursor.copy(f"COPY indikator_werte ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["?"] * 5) if connection.dialect.paramstyle == "qmark" else ", ".join(["%s"] * 5)
    statement = f"INSERT INTO indikator_werte ({columns}) VALUES ({marks})"  # noqa: S608 constants only
    connection.exec_driver_sql(statement, rows)
