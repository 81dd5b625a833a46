"""Find similar Kommunen: the k Gemeinden or Kreise most like one or more reference Kommunen.

A Kommune is a comparable customer when it has about as many inhabitants (log scale), lives
at a similar density, has the same kind of administration (a kreisfreie Stadt buys like a
kreisfreie Stadt) and is about as urban. Each feature is scaled so that one unit means "a
noticeable difference"; the distance is the root of the summed squares and every result says
which feature weighed most. Gemeinden are compared with Gemeinden, Kreise with Kreise (over the
same columns, `KreisIndex`); for Kreise the Land counts too, as Kreis law and money differ by Land.
A query may weigh INKAR indicators as well (`merkmale`): a value one robust standard deviation
apart counts as much as twice the population.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np

from kommunen.errors import ConfigError
from kommunen.places.gemeinden import LAENDER, GemeindeIndex
from kommunen.places.nachbarn import Nachbarn

if TYPE_CHECKING:  # read from the database only for --merkmal and where the cache has no neighbours
    from sqlalchemy import Engine

    from kommunen.places.indikatoren import Spalte

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
    # Kreise (Satzart 40): a kreisfreie Stadt or Stadtkreis is a city, the others are rural or mixed
    "41": (3, "kreisfreie Stadt"),
    "42": (3, "Stadtkreis"),
    "43": (0, "Kreis"),
    "44": (0, "Landkreis"),
    "45": (0, "Regionalverband"),
}
TYPE_NAMES = {"kreisfrei": 3, "grosse-kreisstadt": 2, "stadt": 1, "gemeinde": 0}
EARTH_KM = 6371.0

# One unit of distance per feature: x2 population ≈ 2 units, x2 density ≈ 0.9, one type step 2.
SCALE_EINWOHNER = 0.15  # log10 units
SCALE_DICHTE = 0.35  # log10 units
WEIGHT_TYP = 2.0
WEIGHT_URBAN = 1.0
WEIGHT_LAND = 1.0  # Kreise only: another Land counts as much as one step of urbanisation
WEIGHT_MERKMAL = 2.0  # per robust standard deviation (IQR / 1.349) of the indicator over the index
MISSING_MERKMAL = (2 * WEIGHT_MERKMAL) ** 2  # a Kommune without a value: as if two deviations apart
FEATURES = ("Einwohnerzahl", "Dichte", "Siedlungstyp", "Verstädterung", "Land")


class Places(Protocol):
    """The columns similarity reads: a GemeindeIndex or a KreisIndex."""

    ebene: str
    ags: list[str]
    kurzname: list[str]
    textkennzeichen: np.ndarray
    einwohner: np.ndarray
    dichte: np.ndarray
    verstaedterung: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    kreis_key: np.ndarray
    land_key: np.ndarray
    kreis_name: dict[str, str]
    row_of: dict[str, int]

    def __len__(self) -> int: ...

    @property
    def engine(self) -> Engine: ...

    def find(self, query: str) -> int: ...

    def label(self, i: int) -> str: ...


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
    merkmale: Sequence[str] = ()  # INKAR indicators to weigh, by name or key ("Asylbewerber")


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
    ebene: str = "gemeinde"  # or "kreis"


def fmt_int(value: float) -> str:
    return f"{round(value):,}".replace(",", ".")


def haversine_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(v) for v in (lat, lon, lat0, lon0))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


class SimilarityModel:
    """The feature columns of a GemeindeIndex or KreisIndex, computed once per process, and the
    stored neighbours."""

    def __init__(self, index: Places, nachbarn: Nachbarn | None = None) -> None:
        self.index = index
        self.log_einwohner = np.log10(index.einwohner)
        self.log_dichte = np.log10(np.maximum(index.dichte, 1.0))
        self.rank = np.array([SIEDLUNGSTYP.get(t, (0, ""))[0] for t in index.textkennzeichen])
        self.typ_label = [SIEDLUNGSTYP.get(t, (0, "Gemeinde"))[1] for t in index.textkennzeichen]
        self._nachbarn = nachbarn
        self._spalten: dict[tuple[str, ...], list[tuple[Spalte, float]]] = {}

    @property
    def nachbarn(self) -> Nachbarn:
        if self._nachbarn is None:
            self._nachbarn = Nachbarn.load(self.index.engine)
        return self._nachbarn

    def nachbarkreise(self, kreis: str) -> set[str]:
        """The Kreis and those it shares a border with (VG5000); only itself while none are stored."""
        return {kreis} | self.nachbarn.kreise.get(kreis, set())

    def merkmal_keys(self, names: Sequence[str]) -> list[str]:
        """The INKAR keys of the indicators named; a wrong name is a LookupFailed ("meinten Sie …")."""
        if not names:
            return []
        from kommunen.places.indikatoren import catalog, resolve

        with self.index.engine.connect() as conn:
            known = catalog(conn)
        if not known:
            raise ConfigError(
                "Keine Merkmale gespeichert: kommunen import-gemeinden liest sie aus "
                "KOMMUNEN_DATA_DIR/indikatoren/"
            )
        return list(dict.fromkeys(resolve(name, known) for name in names))

    def spalten(self, names: Sequence[str]) -> list[tuple[Spalte, float]]:
        """The named indicators as columns over the index, each with its scale, read once per process."""
        keys = tuple(self.merkmal_keys(names))
        if keys and keys not in self._spalten:
            from kommunen.places.indikatoren import Indikatoren, robust_scale

            with self.index.engine.connect() as conn:
                werte = Indikatoren(conn, keys)
            columns = [werte.spalte(key, self.index.ags) for key in keys]
            self._spalten[keys] = [(c, robust_scale(c.wert)) for c in columns]
        return self._spalten.get(keys, [])

    def lage(self, i: int, r: int, name: str) -> str:
        """Where row i lies seen from reference r, when that is a neighbourhood: a true statement or ""."""
        ix = self.index
        if ix.ebene == "kreis":
            return f"Nachbarkreis von {name}" if ix.ags[i] in self.nachbarn.kreise.get(ix.ags[r], ()) else ""
        if ix.ags[i] in self.nachbarn.gemeinden.get(ix.ags[r], ()):
            return f"Nachbargemeinde von {name}"
        kreis, ref_kreis = str(ix.kreis_key[i]), str(ix.kreis_key[r])
        if kreis == ref_kreis:
            return f"im selben Kreis wie {name}"
        if kreis in self.nachbarn.kreise.get(ref_kreis, ()):
            return f"im Nachbarkreis von {name}"
        return ""

    def similarity(self, i: int, r: int) -> float:
        """How alike rows i and r are, 0..1: the aehnlichkeit `find` gives i for reference r."""
        return math.exp(-float(self.terms(r)[:, i].sum()) / 8)

    def terms(self, r: int) -> np.ndarray:
        """The squared scaled differences of every row to row r, one line per feature of FEATURES."""
        ix = self.index
        terms = np.zeros((len(FEATURES), len(ix)))
        terms[0] = ((self.log_einwohner - self.log_einwohner[r]) / SCALE_EINWOHNER) ** 2
        terms[1] = ((self.log_dichte - self.log_dichte[r]) / SCALE_DICHTE) ** 2
        terms[2] = (WEIGHT_TYP * (self.rank - self.rank[r])) ** 2
        terms[3] = (WEIGHT_URBAN * (ix.verstaedterung - ix.verstaedterung[r])) ** 2
        if ix.ebene == "kreis":
            terms[4] = WEIGHT_LAND**2 * (ix.land_key != ix.land_key[r])
        return terms

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
        spalten = self.spalten(query.merkmale)
        n = len(ix)
        terms = np.zeros((len(refs), len(FEATURES) + len(spalten), n))
        dist_km = np.empty((len(refs), n))
        for j, r in enumerate(refs):
            terms[j, : len(FEATURES)] = self.terms(r)
            for m, (spalte, scale) in enumerate(spalten, start=len(FEATURES)):
                if math.isnan(spalte.wert[r]):
                    raise ConfigError(
                        f"Für {ix.kurzname[r]} ist kein Wert des Merkmals {spalte.name} gespeichert."
                    )
                diff = (WEIGHT_MERKMAL * (spalte.wert - spalte.wert[r]) / scale) ** 2
                terms[j, m] = np.where(np.isnan(diff), MISSING_MERKMAL, diff)
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
                [spalte for spalte, _ in spalten],
            )
            for rank, i in enumerate(ordered, start=1)
        ]

    def _result(
        self, rank: int, i: int, r: int, terms: np.ndarray, km: float, spalten: list[Spalte]
    ) -> SimilarKommune:
        ix = self.index
        total = float(terms.sum())
        names = (*FEATURES, *(s.name for s in spalten))
        heaviest = names[int(terms.argmax())] if total >= 0.25 else "überall nah"
        typ = self.typ_label[i]
        same_typ = "gleicher Typ" if self.rank[i] == self.rank[r] else f"Typ {typ}"
        km_text = f"{km:.0f} km von {ix.kurzname[r]}" if not math.isnan(km) else "Entfernung unbekannt"
        kreis = ix.ebene == "kreis"
        land = LAENDER[str(ix.land_key[i])][1]
        reason = " · ".join(
            (
                f"{fmt_int(ix.einwohner[i])} Einw. (Ref. {ix.kurzname[r]} {fmt_int(ix.einwohner[r])})",
                f"{fmt_int(ix.dichte[i])}/km² (Ref. {fmt_int(ix.dichte[r])})",
                f"{same_typ} ({typ})" if same_typ == "gleicher Typ" else same_typ,
                *(
                    [f"Land {land}" if ix.land_key[i] == ix.land_key[r] else f"anderes Land ({land})"]
                    if kreis
                    else []
                ),
                *(spalte.vergleich(i, r) for spalte in spalten),
                km_text,
                *filter(None, [self.lage(i, r, ix.kurzname[r])]),
                f"größter Unterschied: {heaviest}" if total >= 0.25 else heaviest,
            )
        )
        return SimilarKommune(
            rang=rank,
            ags=ix.ags[i],
            name=ix.kurzname[i],
            kreis="" if kreis else ix.kreis_name.get(str(ix.kreis_key[i]), ""),
            land=land,
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
            ebene=ix.ebene,
        )


class KommunenModel:
    """Similar Kommunen for references that may be Gemeinden or Kreise: Gemeinden for Gemeinden,
    Kreise for Kreise, one list ranked by likeness when both are asked for."""

    def __init__(self, index: GemeindeIndex, nachbarn: Nachbarn | None = None) -> None:
        self.index = index
        self.gemeinden = SimilarityModel(index, nachbarn)

    @cached_property
    def kreise(self) -> SimilarityModel:
        return SimilarityModel(self.index.kreise, self.gemeinden._nachbarn)

    def _split(self, references: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
        """(Gemeinde AGS, Kreis keys, notes on old names or AGS) of the references."""
        gemeinden: list[str] = []
        kreise: list[str] = []
        hinweise: list[str] = []
        for ref in references:
            found = self.index.find_kommune(ref)
            (kreise if found.ebene == "kreis" else gemeinden).append(found.key)
            if found.hinweis:
                hinweise.append(found.hinweis)
        return gemeinden, kreise, hinweise

    def merkmal_keys(self, names: Sequence[str]) -> list[str]:
        return self.gemeinden.merkmal_keys(names)

    def hinweise(self, references: Sequence[str]) -> list[str]:
        return self._split(references)[2]

    def describe(self, references: Sequence[str]) -> str:
        gemeinden, kreise, _ = self._split(references)
        parts = [self.gemeinden.describe(gemeinden)] if gemeinden else []
        return "; ".join([*parts, *([self.kreise.describe(kreise)] if kreise else [])])

    def find(self, query: SimilarQuery) -> list[SimilarKommune]:
        if not query.references:
            raise ConfigError("Mindestens eine Referenzkommune angeben (Name, AGS oder PLZ).")
        gemeinden, kreise, _ = self._split(query.references)
        found = [
            *(self.gemeinden.find(replace(query, references=gemeinden)) if gemeinden else []),
            *(self.kreise.find(replace(query, references=kreise)) if kreise else []),
        ]
        if not (gemeinden and kreise):
            return found
        found.sort(key=lambda s: (-s.aehnlichkeit, -s.einwohner))
        return [replace(s, rang=rank) for rank, s in enumerate(found[: query.k], start=1)]
