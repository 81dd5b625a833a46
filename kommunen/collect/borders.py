"""Import the neighbours of Kreise and Gemeinden from the VG5000 boundaries, beside the directory.

The pairs are derived as a whole from a few files, so each kind is replaced at once when its
files changed and left alone (one SELECT) when they did not: `kommunen run` stays fast.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kommunen.errors import DataFileError
from kommunen.store.models import Nachbar
from scrapers import gebiete
from scrapers.errors import ParseError, os_reason

VG5000 = Path("gebiete/vg5000_0101_2021")
KREIS_LAYER = VG5000 / "VG5000_KRS"
GEMEINDE_LAYER = VG5000 / "VG5000_GEM"
# Gemeinde successors since 01.01.2021: BBSR 31.12.2020 → 2023, then Destatis' changes of 2024.
BBSR_FILE = Path("gemeinden/bbsr_ref-gemeinden-ab-2020.xlsx")
CHANGES_FILES = (Path("gemeinden/Gebietsaenderungen_2024.xlsx"),)


@dataclass(slots=True)
class BorderResult:
    pairs: dict[str, int] = field(default_factory=dict)  # kind → pairs stored now
    skipped: list[str] = field(default_factory=list)  # kinds whose files are unchanged
    missing: list[str] = field(default_factory=list)  # kinds whose boundary files are not there


def _layer(data_dir: Path, stem: Path) -> gebiete.Shapefile | None:
    paths = [data_dir / stem.with_suffix(ext) for ext in (".shp", ".shx", ".dbf")]
    if not all(p.is_file() for p in paths):
        return None
    try:
        return gebiete.Shapefile(str(paths[0]), *(p.read_bytes() for p in paths))
    except OSError as exc:
        raise DataFileError(f"{paths[0]}: Datei nicht lesbar ({os_reason(exc)})") from exc


def import_borders(session: Session, data_dir: Path) -> BorderResult:
    """Kreis and Gemeinde neighbours under today's keys; absent boundary files leave the table as it is."""
    result = BorderResult()
    for kind, stem in (("kreis", KREIS_LAYER), ("gemeinde", GEMEINDE_LAYER)):
        layer = _layer(data_dir, stem)
        if layer is None:
            result.missing.append(kind)
            continue
        extra = [data_dir / p for p in (BBSR_FILE, *CHANGES_FILES)] if kind == "gemeinde" else []
        extra = [p for p in extra if p.is_file()]
        bodies = [(str(p), p.read_bytes()) for p in extra]
        digest = hashlib.sha256()
        for body in (layer.shp, layer.shx, layer.dbf, *(b for _, b in bodies)):
            digest.update(hashlib.sha256(body).digest())
        inputs_hash = digest.hexdigest()
        stored = session.scalar(select(Nachbar.inputs_hash).where(Nachbar.kind == kind).limit(1))
        if stored == inputs_hash:
            result.skipped.append(kind)
            continue
        try:
            successors = gebiete.KREIS_SUCCESSORS if kind == "kreis" else _gemeinde_successors(bodies)
            records = gebiete.neighbours(kind, layer, successors)
        except ParseError as exc:
            raise DataFileError(str(exc)) from exc
        session.execute(delete(Nachbar).where(Nachbar.kind == kind))
        rows = [
            {
                "kind": r.kind,
                "key_a": r.key_a,
                "key_b": r.key_b,
                "grenze_km": r.grenze_km,
                "source_url": r.source_url,
                "inputs_hash": inputs_hash,
            }
            for r in records
        ]
        if rows:
            session.execute(insert(Nachbar), rows)
        result.pairs[kind] = len(rows)
    return result


def _gemeinde_successors(bodies: list[tuple[str, bytes]]) -> dict[str, str]:
    steps: list[dict[str, str]] = []
    for url, body in bodies:
        if url.endswith(BBSR_FILE.name):
            steps.extend(gebiete.bbsr_successors(url, body))
        else:
            steps.append(gebiete.dissolved_gemeinden(url, body))
    return gebiete.chain(steps)
