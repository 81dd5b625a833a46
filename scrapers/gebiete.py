"""BKG VG5000 boundaries: which Kreise and which Gemeinden share a border.

Quelle   https://gdz.bkg.bund.de (VG5000, Ebenen, Stand 01.01.2021), © GeoBasis-DE / BKG 2021
Format   Shapefile (.shp/.shx/.dbf) je Ebene, EPSG:31467, Schlüssel AGS; BBSR-Umsteigeschlüssel und
         Destatis-Gebietsänderungen (XLSX) für die Nachfolger späterer Fusionen
Caveats  Gebietsstand 01.01.2021: Eisenach (16056) gehört seit 01.07.2021 zum Wartburgkreis (16063),
         Gemeinden sind seither fusioniert. Grenzen sind generalisiert, aber zwischen Nachbarn
         gemeinsam gezeichnet: Nachbarn teilen Grenzlinien, ein Punkt allein zählt nicht.

Pure: bytes in, records out. Borders are compared as lines (the rings of each area, holes
included), so an enclave is its surrounding Gemeinde's neighbour and no polygon is assembled.
"""

from __future__ import annotations

import io
import itertools
import struct
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scrapers.errors import ParseError

# Kreis changes since the Gebietsstand of VG5000 (SOURCES.md): old Kreis key → the Kreis it is part of.
KREIS_SUCCESSORS = {"16056": "16063"}  # Eisenach → Wartburgkreis, 01.07.2021
MIN_BORDER_M = 1.0  # a common border shorter than this is a point of contact, not a border


@dataclass(frozen=True, slots=True)
class Shapefile:
    """The three files of one shapefile layer, and where they came from."""

    url: str
    shp: bytes
    shx: bytes
    dbf: bytes


@dataclass(frozen=True, slots=True)
class NachbarRecord:
    """Two Kreise or two Gemeinden (current keys, key_a < key_b) with a common border."""

    kind: str  # "kreis" | "gemeinde"
    key_a: str
    key_b: str
    grenze_km: float
    source_url: str


def read_borders(layer: Shapefile) -> tuple[list[str], np.ndarray]:
    """Each area's AGS and its boundary as one MultiLineString (outer rings and holes)."""
    import shapefile  # pyshp
    import shapely

    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(layer.shp), shx=io.BytesIO(layer.shx), dbf=io.BytesIO(layer.dbf), encoding="utf-8"
        )
        keys = [str(rec["AGS"]) for rec in reader.iterRecords(fields=["AGS"])]
        coords: list[tuple[float, float]] = []
        ring_index: list[int] = []
        area_of_ring: list[int] = []
        for area, shape in enumerate(reader.iterShapes()):
            points = shape.points
            bounds = [*shape.parts, len(points)]
            for start, end in itertools.pairwise(bounds):
                ring_index.extend([len(area_of_ring)] * (end - start))
                area_of_ring.append(area)
            coords.extend((float(p[0]), float(p[1])) for p in points)
    except (shapefile.ShapefileException, KeyError, ValueError, struct.error) as exc:
        raise ParseError(layer.url, f"kein lesbares Shapefile mit AGS ({exc})") from exc
    if len(area_of_ring) == 0 or area_of_ring[-1] != len(keys) - 1:
        raise ParseError(layer.url, f"{len(keys)} Einträge, aber Flächen für {len(set(area_of_ring))}")
    lines = shapely.linestrings(np.asarray(coords), indices=np.asarray(ring_index))
    return keys, shapely.multilinestrings(lines, indices=np.asarray(area_of_ring))


def neighbours(
    kind: str, layer: Shapefile, successors: Mapping[str, str] | None = None
) -> list[NachbarRecord]:
    """Pairs of areas whose boundaries share a line, under their current keys: an area merged
    into another lends it its borders, and the two are no longer neighbours of each other."""
    import shapely

    keys, borders = read_borders(layer)
    tree = shapely.STRtree(borders)
    left, right = tree.query(borders, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    lengths = shapely.length(shapely.intersection(borders[left], borders[right]))
    succ = successors or {}
    shared: dict[tuple[str, str], float] = defaultdict(float)
    for i, j, metres in zip(left.tolist(), right.tolist(), lengths.tolist(), strict=True):
        if metres < MIN_BORDER_M:
            continue
        a, b = succ.get(keys[i], keys[i]), succ.get(keys[j], keys[j])
        if a != b:
            shared[min(a, b), max(a, b)] += metres
    return [
        NachbarRecord(kind, a, b, round(metres / 1000, 3), layer.url)
        for (a, b), metres in sorted(shared.items())
    ]


def chain(steps: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Successor maps of consecutive years composed: old key → key after the last step."""
    result: dict[str, str] = {}
    for step in steps:
        result = {old: step.get(new, new) for old, new in result.items()}
        for old, new in step.items():
            result.setdefault(old, new)
    return {old: new for old, new in result.items() if old != new}


def bbsr_successors(url: str, body: bytes) -> list[dict[str, str]]:
    """One map per sheet of the BBSR Umsteigeschlüssel (31.12.N → 31.12.N+1, sheets in order):
    each Gemeinde to the successor that took the largest share of its area."""
    sheets: list[dict[str, str]] = []
    for name, rows in _sheets(url, body):
        best: dict[str, tuple[float, str]] = {}
        for row in rows:
            # 2020/2021: AGS, Name, Flächenanteil … AGS neu (column 9); 2022 adds Regionalschlüssel.
            old, share, new = (row[0], row[3], row[7]) if name == "2022" else (row[0], row[2], row[8])
            if not isinstance(old, int | float) or not isinstance(new, int | float):
                continue
            key, successor = f"{int(old):08d}", f"{int(new):08d}"
            weight = float(share) if isinstance(share, int | float) else 0.0
            if key not in best or weight > best[key][0]:
                best[key] = (weight, successor)
        sheets.append({old: new for old, (_, new) in best.items() if old != new})
    return sheets


def dissolved_gemeinden(url: str, body: bytes) -> dict[str, str]:
    """Destatis Gebietsänderungen: each dissolved Gemeinde (Änderungsart 1) → the Gemeinde it went to.
    Boundary corrections (Änderungsart 2) leave both Gemeinden in place."""
    result: dict[str, str] = {}
    for _, rows in _sheets(url, body, only="Gebietsaenderungen"):
        for row in rows:
            if len(row) < 10 or row[1] != "Gemeinde" or str(row[5]).strip() != "1":
                continue
            old, new = str(row[3] or "").strip(), str(row[9] or "").strip()
            if len(old) == 8 and len(new) == 8 and old != new:
                result[old] = new
    return result


def _sheets(url: str, body: bytes, only: str = "") -> Iterable[tuple[str, Iterable[tuple[object, ...]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise ParseError(url, f"keine lesbare XLSX-Datei ({exc})") from exc
    names = [n for n in book.sheetnames if not only or n == only]
    if not names:
        raise ParseError(url, f"Tabellenblatt {only!r} fehlt")
    for name in names:
        yield name, book[name].iter_rows(min_row=2, max_col=13, values_only=True)
