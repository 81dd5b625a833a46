"""The report's map: Kreise (and a few Gemeinden) from the VG5000 boundaries, as SVG path data.

The shapefiles are in Gauß-Krüger zone 3 (metres, conformal), so the map draws them as they are,
one SVG unit per kilometre, north up; points given as longitude/latitude (the Gemeindeverzeichnis'
centres) are projected onto the same grid by the Gauß-Krüger formulas on the Bessel ellipsoid.
The DHDN datum shift (about 150 m) is left out: at this scale it is less than a line's width.
Building all 400 Kreise takes about half a second, so nothing is cached.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from kommunen.errors import DataFileError
from scrapers import umrisse
from scrapers.errors import ParseError
from scrapers.gebiete import KREIS_SUCCESSORS, Shapefile

VG5000 = Path("gebiete/vg5000_0101_2021")  # as kommunen.collect.borders reads it
KREIS_TOLERANCE_M = 1200.0  # a pixel of a 900-pixel map of Germany; keeps the 400 Kreise near 250 kB
GEMEINDE_TOLERANCE_M = 150.0  # Gemeinden are looked at zoomed in
MARGIN_KM = 8.0
DIGITS = 1  # 100 m

# Bessel 1841 (DHDN), Gauß-Krüger zone 3: central meridian 9° E, false easting 3,500 km.
_A = 6377397.155
_F = 1 / 299.1528128
_E2 = 2 * _F - _F * _F
_EP2 = _E2 / (1 - _E2)
_LON0 = math.radians(9.0)
_FALSE_EASTING = 3_500_000.0


def gauss_krueger(lon: float, lat: float) -> tuple[float, float]:
    """(Rechtswert, Hochwert) in metres of zone 3 for a longitude/latitude in degrees."""
    phi, lam = math.radians(lat), math.radians(lon)
    e4, e6 = _E2 * _E2, _E2 * _E2 * _E2
    n = _A / math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    t = math.tan(phi) ** 2
    c = _EP2 * math.cos(phi) ** 2
    a = math.cos(phi) * (lam - _LON0)
    m = _A * (
        (1 - _E2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
        - (3 * _E2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * math.sin(2 * phi)
        + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
        - (35 * e6 / 3072) * math.sin(6 * phi)
    )
    x = n * (a + (1 - t + c) * a**3 / 6 + (5 - 18 * t + t * t + 72 * c - 58 * _EP2) * a**5 / 120)
    y = m + n * math.tan(phi) * (
        a * a / 2
        + (5 - t + 9 * c + 4 * c * c) * a**4 / 24
        + (61 - 58 * t + t * t + 600 * c - 330 * _EP2) * a**6 / 720
    )
    return _FALSE_EASTING + x, y


@dataclass(frozen=True, slots=True)
class Flaeche:
    """One drawn area: its key (AGS), its name and its SVG path data."""

    key: str
    name: str
    d: str


@dataclass(slots=True)
class Karte:
    """Kreise and Gemeinden in map units (km from the top left corner), and the map's size."""

    west: float  # Rechtswert of x = 0, metres
    north: float  # Hochwert of y = 0, metres
    width: float
    height: float
    kreise: list[Flaeche] = field(default_factory=list)
    gemeinden: list[Flaeche] = field(default_factory=list)

    def xy(self, easting: float, northing: float) -> tuple[float, float]:
        return (round((easting - self.west) / 1000, DIGITS), round((self.north - northing) / 1000, DIGITS))

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Where a longitude/latitude lies on the map."""
        return self.xy(*gauss_krueger(lon, lat))

    def path(self, area: object) -> str:
        """SVG path data of a (Multi)Polygon: each ring "M x y x y … Z" (implicit line-to)."""
        import shapely

        rings = []
        for polygon in shapely.get_parts(area):
            for ring in (polygon.exterior, *polygon.interiors):
                points = [self.xy(x, y) for x, y in ring.coords[:-1]]
                rings.append("M" + " ".join(f"{x:g} {y:g}" for x, y in points) + "Z")
        return "".join(rings)


def _layer(data_dir: Path, name: str) -> Shapefile:
    stem = data_dir / VG5000 / name
    paths = [stem.with_suffix(ext) for ext in (".shp", ".shx", ".dbf")]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise DataFileError(f"{missing[0]}: fehlt – die Karte braucht die VG5000-Grenzen (KOMMUNEN_DATA_DIR)")
    return Shapefile(str(paths[0]), *(p.read_bytes() for p in paths))


def karte(data_dir: Path, gemeinden: Collection[str] = ()) -> Karte:
    """The 400 Kreise of today (Eisenach merged into the Wartburgkreis) and the given Gemeinden
    (those found in VG5000: a Gemeinde formed after 2021 has no outline and stays a point)."""
    import shapely

    try:
        kreise = umrisse.outlines(_layer(data_dir, "VG5000_KRS"), KREIS_TOLERANCE_M, None, KREIS_SUCCESSORS)
        orte = (
            umrisse.outlines(_layer(data_dir, "VG5000_GEM"), GEMEINDE_TOLERANCE_M, set(gemeinden))
            if gemeinden
            else []
        )
    except ParseError as exc:
        raise DataFileError(str(exc)) from exc
    west, south, east, north = shapely.total_bounds([k.area for k in kreise]).tolist()
    margin = MARGIN_KM * 1000
    drawn = Karte(
        west=west - margin,
        north=north + margin,
        width=round((east - west + 2 * margin) / 1000, DIGITS),
        height=round((north - south + 2 * margin) / 1000, DIGITS),
    )
    drawn.kreise = [Flaeche(k.key, k.name, drawn.path(k.area)) for k in kreise]
    drawn.gemeinden = [Flaeche(g.key, g.name, drawn.path(g.area)) for g in orte]
    return drawn
