"""Find similar Kommunen: the k Gemeinden most like one or more reference Kommunen.

A Kommune is a comparable customer when it has about as many inhabitants (log scale), lives
at a similar density, has the same kind of administration (a kreisfreie Stadt buys like a
kreisfreie Stadt) and is about as urban. Each feature is scaled so that one unit means "a
noticeable difference"; the distance is the root of the summed squares and every result says
which feature weighed most.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select

from kommunen.errors import ConfigError
from kommunen.places.gemeinden import LAENDER, GemeindeIndex
from kommunen.store.models import Nachbar

# Settlement type: Textkennzeichen → (rank, label). The rank difference is the type distance.
SIEDLUNGSTYP = {
    "61": (3, "kreisfreie Stadt"),
    "62": (3, "kreisfreie Stadt"),
    "67": (2, "große Kreisstadt"),
    "63": (1, "Stadt"),
    "60": (0, "Gemeinde"),
    "64": (0, "Gemeinde"),
    "65": (0, "Gemeinde"),
    "66": (0, "Gemeinde"),
}
TYPE_NAMES = {"kreisfrei": 3, "grosse-kreisstadt": 2, "stadt": 1, "gemeinde": 0}
EARTH_KM = 6371.0

# One unit of distance per feature: x2 population ≈ 2 units, x2 density ≈ 0.9, one type step 2.
SCALE_EINWOHNER = 0.15  # log10 units
SCALE_DICHTE = 0.35  # log10 units
WEIGHT_TYP = 2.0
WEIGHT_URBAN = 1.0
FEATURES = ("Einwohnerzahl", "Dichte", "Siedlungstyp", "Verstädterung")


@dataclass(frozen=True, slots=True)
class SimilarQuery:
    references: Sequence[str]
    k: int = 20
    within_km: float | None = None
    laender: Sequence[str] = ()  # Land keys, "08"
    nachbarkreise: bool = False
    min_einwohner: int | None = None
    max_einwohner: int | None = None
    types: Sequence[str] = ()  # keys of TYPE_NAMES


@dataclass(frozen=True, slots=True)
class SimilarKommune:
    rang: int
    ags: str
    name: str
    kreis: str
    land: str
    typ: str
    einwohner: int
    dichte: int
    entfernung_km: float | None
    aehnlichkeit: float  # 0..1
    referenz: str
    referenz_einwohner: int
    referenz_dichte: int
    ausschlaggebend: str
    begruendung: str


def fmt_int(value: float) -> str:
    return f"{round(value):,}".replace(",", ".")


def haversine_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(v) for v in (lat, lon, lat0, lon0))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


class Nachbarn:
    """Stored neighbours (table nachbarn), each pair both ways: Kreis → Kreise, Gemeinde → Gemeinden."""

    def __init__(self, pairs: Iterable[tuple[str, str, str]]) -> None:
        self.kreise: dict[str, set[str]] = defaultdict(set)
        self.gemeinden: dict[str, set[str]] = defaultdict(set)
        for kind, a, b in pairs:
            target = self.kreise if kind == "kreis" else self.gemeinden
            target[a].add(b)
            target[b].add(a)

    @classmethod
    def load(cls, engine: Engine) -> Nachbarn:
        with engine.connect() as conn:
            rows = conn.execute(select(Nachbar.kind, Nachbar.key_a, Nachbar.key_b))
            return cls((kind, a, b) for kind, a, b in rows)


class SimilarityModel:
    """The feature columns of a GemeindeIndex, computed once per process, and the stored neighbours."""

    def __init__(self, index: GemeindeIndex, nachbarn: Nachbarn | None = None) -> None:
        self.index = index
        self.log_einwohner = np.log10(index.einwohner)
        self.log_dichte = np.log10(np.maximum(index.dichte, 1.0))
        self.rank = np.array([SIEDLUNGSTYP.get(t, (0, ""))[0] for t in index.textkennzeichen])
        self.typ_label = [SIEDLUNGSTYP.get(t, (0, "Gemeinde"))[1] for t in index.textkennzeichen]
        self._nachbarn = nachbarn

    @property
    def nachbarn(self) -> Nachbarn:
        if self._nachbarn is None:
            self._nachbarn = Nachbarn.load(self.index.engine)
        return self._nachbarn

    def nachbarkreise(self, kreis: str) -> set[str]:
        """The Kreis and those it shares a border with (VG5000); only itself while none are stored."""
        return {kreis} | self.nachbarn.kreise.get(kreis, set())

    def lage(self, i: int, r: int, name: str) -> str:
        """Where row i lies seen from reference r, when that is a neighbourhood: a true statement or ""."""
        ix = self.index
        if ix.ags[i] in self.nachbarn.gemeinden.get(ix.ags[r], ()):
            return f"Nachbargemeinde von {name}"
        kreis, ref_kreis = str(ix.kreis_key[i]), str(ix.kreis_key[r])
        if kreis == ref_kreis:
            return f"im selben Kreis wie {name}"
        if kreis in self.nachbarn.kreise.get(ref_kreis, ()):
            return f"im Nachbarkreis von {name}"
        return ""

    def describe(self, references: Sequence[str]) -> str:
        """ "Tübingen (91.506 Einw., 847/km²); Marburg (…)" for a title line."""
        ix = self.index
        return "; ".join(
            f"{ix.kurzname[i]} ({fmt_int(ix.einwohner[i])} Einw., {fmt_int(ix.dichte[i])}/km²)"
            for i in dict.fromkeys(ix.find(r) for r in references)
        )

    def find(self, query: SimilarQuery) -> list[SimilarKommune]:
        ix = self.index
        if not query.references:
            raise ConfigError("Mindestens eine Referenzkommune angeben (Name, AGS oder PLZ).")
        if query.k < 1:
            raise ConfigError("--k muss mindestens 1 sein.")
        refs = list(dict.fromkeys(ix.find(r) for r in query.references))
        n = len(ix)
        terms = np.full((len(refs), 4, n), np.inf)
        dist_km = np.empty((len(refs), n))
        for j, r in enumerate(refs):
            terms[j, 0] = ((self.log_einwohner - self.log_einwohner[r]) / SCALE_EINWOHNER) ** 2
            terms[j, 1] = ((self.log_dichte - self.log_dichte[r]) / SCALE_DICHTE) ** 2
            terms[j, 2] = (WEIGHT_TYP * (self.rank - self.rank[r])) ** 2
            terms[j, 3] = (WEIGHT_URBAN * (ix.verstaedterung - ix.verstaedterung[r])) ** 2
            dist_km[j] = haversine_km(ix.lat, ix.lon, ix.lat[r], ix.lon[r])
        total = terms.sum(axis=1)
        best_ref = total.argmin(axis=0)
        cols = np.arange(n)
        score = total[best_ref, cols]
        nearest_km = np.nanmin(dist_km, axis=0)

        keep = np.ones(n, dtype=bool)
        keep[refs] = False
        if query.within_km is not None:
            keep &= nearest_km <= query.within_km
        if query.laender:
            keep &= np.isin(ix.land_key, list(query.laender))
        if query.nachbarkreise:
            if not self.nachbarn.kreise:
                raise ConfigError(
                    "Keine Kreisgrenzen gespeichert: kommunen import-gemeinden liest sie aus "
                    "KOMMUNEN_DATA_DIR/gebiete/vg5000_0101_2021/"
                )
            kreise = set().union(*(self.nachbarkreise(str(ix.kreis_key[r])) for r in refs))
            keep &= np.isin(ix.kreis_key, list(kreise))
        if query.min_einwohner is not None:
            keep &= ix.einwohner >= query.min_einwohner
        if query.max_einwohner is not None:
            keep &= ix.einwohner <= query.max_einwohner
        if query.types:
            unknown = [t for t in query.types if t not in TYPE_NAMES]
            if unknown:
                raise ConfigError(f"Unbekannter Typ {unknown[0]!r}; erlaubt: {', '.join(TYPE_NAMES)}")
            keep &= np.isin(self.rank, [TYPE_NAMES[t] for t in query.types])

        candidates = np.flatnonzero(keep)
        k = min(query.k, len(candidates))
        if k == 0:
            return []
        part = candidates[np.argpartition(score[candidates], k - 1)[:k]]
        ordered = part[np.lexsort((ix.einwohner[part] * -1, score[part]))]
        return [
            self._result(
                rank,
                int(i),
                refs[int(best_ref[i])],
                terms[best_ref[i], :, i],
                dist_km[best_ref[i], i],
            )
            for rank, i in enumerate(ordered, start=1)
        ]

    def _result(self, rank: int, i: int, r: int, terms: np.ndarray, km: float) -> SimilarKommune:
        ix = self.index
        total = float(terms.sum())
        heaviest = FEATURES[int(terms.argmax())] if total >= 0.25 else "überall nah"
        typ = self.typ_label[i]
        same_typ = "gleicher Typ" if self.rank[i] == self.rank[r] else f"Typ {typ}"
        km_text = f"{km:.0f} km von {ix.kurzname[r]}" if not math.isnan(km) else "Entfernung unbekannt"
        reason = " · ".join(
            (
                f"{fmt_int(ix.einwohner[i])} Einw. (Ref. {ix.kurzname[r]} {fmt_int(ix.einwohner[r])})",
                f"{fmt_int(ix.dichte[i])}/km² (Ref. {fmt_int(ix.dichte[r])})",
                f"{same_typ} ({typ})" if same_typ == "gleicher Typ" else same_typ,
                km_text,
                *filter(None, [self.lage(i, r, ix.kurzname[r])]),
                f"größter Unterschied: {heaviest}" if total >= 0.25 else heaviest,
            )
        )
        return SimilarKommune(
            rang=rank,
            ags=ix.ags[i],
            name=ix.kurzname[i],
            kreis=ix.kreis_name.get(str(ix.kreis_key[i]), ""),
            land=LAENDER[str(ix.land_key[i])][1],
            typ=typ,
            einwohner=int(ix.einwohner[i]),
            dichte=round(float(ix.dichte[i])),
            entfernung_km=None if math.isnan(km) else round(float(km), 1),
            aehnlichkeit=round(math.exp(-total / 8), 3),
            referenz=ix.kurzname[r],
            referenz_einwohner=int(ix.einwohner[r]),
            referenz_dichte=round(float(ix.dichte[r])),
            ausschlaggebend=heaviest,
            begruendung=reason,
        )
