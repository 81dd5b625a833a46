"""Find similar Kommunen: the k Gemeinden or Kreise most like one or more reference Kommunen.

A Kommune is a comparable customer when it has about as many inhabitants (log scale), lives
at a similar density, has the same kind of administration (a kreisfreie Stadt buys like a
kreisfreie Stadt) and is about as urban. Each feature is scaled so that one unit means "a
noticeable difference"; the distance is the root of the summed squares and every result says
which feature weighed most. Gemeinden are compared with Gemeinden, Kreise with Kreise (over the
same columns, `KreisIndex`); for Kreise the Land counts too, as Kreis law and money differ by Land.
A query may weigh INKAR indicators as well (`merkmale`): a value one robust standard deviation
apart counts as much as twice the population.

`find` computes in plain Python (places/distance.py), so that a query from the index cache never
imports numpy; the matcher's `terms` for all rows at once stay numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from kommunen.errors import ConfigError
from kommunen.places.columns import Columns
from kommunen.places.distance import (
    EARTH_KM,
    FEATURES,
    SCALE_DICHTE,
    SCALE_EINWOHNER,
    SIEDLUNGSTYP,
    TYPE_NAMES,
    WEIGHT_LAND,
    WEIGHT_TYP,
    WEIGHT_URBAN,
    Features,
    km_between,
)
from kommunen.places.gemeinden import LAENDER, GemeindeIndex
from kommunen.places.nachbarn import Nachbarn
from kommunen.places.query import SimilarKommune, SimilarQuery

if TYPE_CHECKING:  # numpy for the matcher's columns and --merkmal; the database where not cached
    import numpy as np
    from sqlalchemy import Engine

    from kommunen.places.indikatoren import Spalte


class Places(Protocol):
    """The columns similarity reads: a GemeindeIndex or a KreisIndex."""

    ebene: str
    ags: list[str]
    kurzname: list[str]
    columns: Columns
    kreis_name: dict[str, str]
    row_of: dict[str, int]

    def __len__(self) -> int: ...

    @property
    def features(self) -> Features: ...
    @property
    def textkennzeichen(self) -> np.ndarray: ...
    @property
    def einwohner(self) -> np.ndarray: ...
    @property
    def dichte(self) -> np.ndarray: ...
    @property
    def verstaedterung(self) -> np.ndarray: ...
    @property
    def lat(self) -> np.ndarray: ...
    @property
    def lon(self) -> np.ndarray: ...
    @property
    def kreis_key(self) -> np.ndarray: ...
    @property
    def land_key(self) -> np.ndarray: ...
    @property
    def engine(self) -> Engine: ...

    def find(self, query: str) -> int: ...

    def label(self, i: int) -> str: ...


def fmt_int(value: float) -> str:
    return f"{round(value):,}".replace(",", ".")


class SimilarityModel:
    """The feature columns of a GemeindeIndex or KreisIndex, computed once per process, and the
    stored neighbours."""

    def __init__(self, index: Places, nachbarn: Nachbarn | None = None) -> None:
        self.index = index
        c = index.columns
        self.typ_label = [SIEDLUNGSTYP.get(t, (0, "Gemeinde"))[1] for t in c.textkennzeichen]
        self._nachbarn = nachbarn
        self._spalten: dict[tuple[str, ...], list[tuple[Spalte, float]]] = {}

    @property
    def features(self) -> Features:
        return self.index.features

    @cached_property
    def log_einwohner(self) -> np.ndarray:
        import numpy as np

        return np.log10(self.index.einwohner)

    @cached_property
    def log_dichte(self) -> np.ndarray:
        import numpy as np

        return np.log10(np.maximum(self.index.dichte, 1.0))

    @cached_property
    def rank(self) -> np.ndarray:
        import numpy as np

        return np.array(self.features.rank)

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
        kreis, ref_kreis = ix.columns.kreis_key[i], ix.columns.kreis_key[r]
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
        import numpy as np

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
        ix, c = self.index, self.index.columns
        return "; ".join(
            f"{ix.kurzname[i]} ({fmt_int(c.einwohner[i])} Einw., {fmt_int(c.dichte[i])}/km²)"
            for i in dict.fromkeys(ix.find(r) for r in references)
        )

    def km(self, i: int, r: int) -> float:
        c = self.index.columns
        return km_between(c.lat[i], c.lon[i], c.lat[r], c.lon[r])

    def find(self, query: SimilarQuery) -> list[SimilarKommune]:
        ix = self.index
        if not query.references:
            raise ConfigError("Mindestens eine Referenzkommune angeben (Name, AGS oder PLZ).")
        if query.k < 1:
            raise ConfigError("--k muss mindestens 1 sein.")
        refs = list(dict.fromkeys(ix.find(r) for r in query.references))
        spalten = self.spalten(query.merkmale)
        for r in refs:
            for spalte, _ in spalten:
                if math.isnan(spalte.wert[r]):
                    raise ConfigError(
                        f"Für {ix.kurzname[r]} ist kein Wert des Merkmals {spalte.name} gespeichert."
                    )
        merkmale = [(spalte.wert.tolist(), scale) for spalte, scale in spalten]
        scores = self.features.nearest(refs, merkmale, self._candidates(query, refs), query.k)
        einwohner = ix.columns.einwohner
        # Nearest first; of equally near ones the larger, then the first by AGS.
        ordered = sorted(scores, key=lambda i: (scores[i][0], -einwohner[i], i))[: query.k]
        names = [spalte for spalte, _ in spalten]
        return [
            self._result(rank, i, scores[i][1], self.features.terms(i, scores[i][1], merkmale), names)
            for rank, i in enumerate(ordered, start=1)
        ]

    def _candidates(self, query: SimilarQuery, refs: list[int]) -> list[int]:
        """The rows that meet the query's conditions, in order of population."""
        f, c = self.features, self.index.columns
        order = f.by_einwohner
        if query.min_einwohner is not None:
            least, einwohner = query.min_einwohner, c.einwohner
            order = [i for i in order if einwohner[i] >= least]
        if query.max_einwohner is not None:
            most, einwohner = query.max_einwohner, c.einwohner
            order = [i for i in order if einwohner[i] <= most]
        if query.laender:
            laender, land = set(query.laender), c.land_key
            order = [i for i in order if land[i] in laender]
        if query.nachbarkreise:
            if not self.nachbarn.kreise:
                raise ConfigError(
                    "Keine Kreisgrenzen gespeichert: kommunen import-gemeinden liest sie aus "
                    "KOMMUNEN_DATA_DIR/gebiete/vg5000_0101_2021/"
                )
            kreise, kreis_key = set().union(*(self.nachbarkreise(c.kreis_key[r]) for r in refs)), c.kreis_key
            order = [i for i in order if kreis_key[i] in kreise]
        if query.types:
            unknown = [t for t in query.types if t not in TYPE_NAMES]
            if unknown:
                raise ConfigError(f"Unbekannter Typ {unknown[0]!r}; erlaubt: {', '.join(TYPE_NAMES)}")
            ranks, rank = {TYPE_NAMES[t] for t in query.types}, f.rank
            order = [i for i in order if rank[i] in ranks]
        if query.within_km is not None:
            within, lat = query.within_km, c.lat
            # No two places are nearer than their difference in latitude: most rows end there.
            degrees = within / math.radians(EARTH_KM) * 1.01
            bands = [(c.lat[r] - degrees, c.lat[r] + degrees) for r in refs]
            if len(bands) == 1:
                low, high = bands[0]
                order = [i for i in order if low <= lat[i] <= high]
            else:
                order = [i for i in order if any(low <= lat[i] <= high for low, high in bands)]
            order = [i for i in order if any(self.km(i, r) <= within for r in refs)]  # NaN: never near
        return order

    def _result(self, rank: int, i: int, r: int, terms: list[float], spalten: list[Spalte]) -> SimilarKommune:
        ix, c = self.index, self.index.columns
        total = 0.0
        for term in terms:  # one by one, in the order distance_to adds them (sum() may compensate)
            total += term
        names = (*FEATURES, *(s.name for s in spalten))
        heaviest = names[terms.index(max(terms))] if total >= 0.25 else "überall nah"
        typ = self.typ_label[i]
        rank_of = self.features.rank
        same_typ = "gleicher Typ" if rank_of[i] == rank_of[r] else f"Typ {typ}"
        km = self.km(i, r)
        km_text = f"{km:.0f} km von {ix.kurzname[r]}" if not math.isnan(km) else "Entfernung unbekannt"
        kreis = ix.ebene == "kreis"
        land = LAENDER[c.land_key[i]][1]
        reason = " · ".join(
            (
                f"{fmt_int(c.einwohner[i])} Einw. (Ref. {ix.kurzname[r]} {fmt_int(c.einwohner[r])})",
                f"{fmt_int(c.dichte[i])}/km² (Ref. {fmt_int(c.dichte[r])})",
                f"{same_typ} ({typ})" if same_typ == "gleicher Typ" else same_typ,
                *(
                    [f"Land {land}" if c.land_key[i] == c.land_key[r] else f"anderes Land ({land})"]
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
            kreis="" if kreis else ix.kreis_name.get(c.kreis_key[i], ""),
            land=land,
            typ=typ,
            einwohner=int(c.einwohner[i]),
            dichte=round(c.dichte[i]),
            entfernung_km=None if math.isnan(km) else round(km, 1),
            aehnlichkeit=round(math.exp(-total / 8), 3),
            referenz=ix.kurzname[r],
            referenz_einwohner=int(c.einwohner[r]),
            referenz_dichte=round(c.dichte[r]),
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
