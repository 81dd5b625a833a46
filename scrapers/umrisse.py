"""BKG VG5000 boundaries as outlines for a map: one simplified area per current key.

Pure: the shapefile's bytes in (scrapers.gebiete.Shapefile), areas out. The coordinates stay in
the file's projection (DHDN / Gauß-Krüger zone 3, metres); drawing them is the caller's business.
Neighbours are simplified together (shapely's coverage simplification), so shared borders stay
shared: no gaps and no overlaps between Kreise, however coarse the map.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from scrapers.errors import ParseError
from scrapers.gebiete import Shapefile


@dataclass(frozen=True, slots=True)
class Umriss:
    """One area under its current key: a shapely (Multi)Polygon in Gauß-Krüger metres."""

    key: str
    name: str
    area: object  # shapely.Geometry; object keeps shapely out of the types other modules see


def outlines(
    layer: Shapefile,
    tolerance_m: float,
    wanted: Collection[str] | None = None,
    successors: Mapping[str, str] | None = None,
) -> list[Umriss]:
    """The areas of a layer (only `wanted` keys, after successors, when given), simplified together
    to about `tolerance_m` and merged where an old key is now part of another (Eisenach → Wartburgkreis)."""
    import shapefile  # pyshp
    import shapely
    from shapely.geometry import shape

    succ = successors or {}
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(layer.shp), shx=io.BytesIO(layer.shx), dbf=io.BytesIO(layer.dbf), encoding="utf-8"
        )
        records = [(str(ags), str(name)) for ags, name in reader.iterRecords(fields=["AGS", "GEN"])]
        rows = [i for i, (ags, _) in enumerate(records) if wanted is None or succ.get(ags, ags) in wanted]
        areas = [shape(reader.shape(i).__geo_interface__) for i in rows]
    except (shapefile.ShapefileException, KeyError, ValueError, struct.error) as exc:
        raise ParseError(layer.url, f"kein lesbares Shapefile mit AGS und GEN ({exc})") from exc
    simplified = shapely.coverage_simplify(areas, tolerance_m) if areas else []
    parts: dict[str, list[object]] = {}
    names: dict[str, str] = {}
    for i, area in zip(rows, simplified, strict=True):
        ags, name = records[i]
        key = succ.get(ags, ags)
        parts.setdefault(key, []).append(area)
        if key == ags:  # the surviving area names the merged one
            names[key] = name
    return [
        Umriss(key, names.get(key, ""), pieces[0] if len(pieces) == 1 else shapely.union_all(pieces))
        for key, pieces in sorted(parts.items())
    ]
