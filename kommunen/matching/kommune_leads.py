"""Kommune leads: which Gemeinden and Kreise to approach, why, and whom to write to.

A lead combines likeness to the references (size, density, type), where it lies (near home or a
reference, in the target Länder), neighbourhood (next to a reference: the reference is easy to
show), what it bought before on the profile's themes, its fitting departments, its need
([bedarf]) and the funding open to it. Every part is continuous or names something, so two
leads tie only when their evidence is the same. Numbers first for every Kommune, Lead objects
only for the few a person reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kommunen.matching.history import history_value
from kommunen.matching.lead import Component, KommuneFacts, Lead, PastTender
from kommunen.matching.score import Matcher
from kommunen.places.distance import haversine_km
from kommunen.places.gemeinden import LAENDER
from kommunen.places.kreise import KREISFREI
from kommunen.places.similar import Places, SimilarityModel, fmt_int
from kommunen.places.verwaltungen import Fachbereich, Verwaltung

WEIGHTS = {
    "aehnlichkeit": 0.25,
    "lage": 0.15,
    "nachbarschaft": 0.10,
    "historie": 0.30,
    "fachbereich": 0.10,
    "foerderung": 0.05,
    "bedarf": 0.05,  # only when the profile names [bedarf]
}
PRECISION = 6  # decimals of a score: at 4, two unrelated Kommunen met now and then (measured)
NEIGHBOURHOOD = {"gemeinde": 1.0, "kreis": 0.7, "nachbarkreis": 0.5}


@dataclass(slots=True)
class KommuneEvidence:
    """What rank() gathered besides the places: history, departments, offices, open funding."""

    history: Mapping[str, list[PastTender]] = field(default_factory=dict)
    departments: Mapping[str, list[Fachbereich]] = field(default_factory=dict)
    offices: Mapping[str, Verwaltung] = field(default_factory=dict)
    funding: Sequence[tuple[Lead, Sequence[str]]] = ()  # open to Kommunen: (lead, Fördergebiet)
    this_year: int = 2026


@dataclass(slots=True)
class _Level:
    """One level (Gemeinden or Kreise) scored as arrays over its index."""

    ix: Places
    model: SimilarityModel
    refs: list[int]
    candidates: np.ndarray
    likeness: np.ndarray
    like_ref: np.ndarray
    lage: np.ndarray
    lage_km: np.ndarray
    lage_anchor: np.ndarray
    nachbar: np.ndarray
    nachbar_ref: np.ndarray
    nachbar_kind: list[str]


class KommuneLeads:
    """Every Gemeinde and Kreis the profile asks for, scored; leads(k) the best, lead(key) any."""

    def __init__(self, matcher: Matcher, evidence: KommuneEvidence) -> None:
        self.m, self.evidence = matcher, evidence
        p, index = matcher.profile, matcher.index
        # Where a lead is measured from: home, then the references (a Kreis by its centre), by name.
        home = [(index.kurzname[matcher.home], matcher.home)] if matcher.home is not None else []
        places = [*home, *((f"Referenzkommune {index.kurzname[r]}", r) for r in matcher.refs)]
        self.anchors = [(name, float(index.lat[r]), float(index.lon[r])) for name, r in places]
        self.anchors += [
            (
                f"Referenzkreis {index.kreise.kurzname[r]}",
                float(index.kreise.lat[r]),
                float(index.kreise.lon[r]),
            )
            for r in matcher.kreis_refs
        ]
        self.levels: list[_Level] = []
        self.stand_in = {} if matcher.kreis_refs else self._kreise_of_references()
        if "gemeinde" in p.arten and matcher.refs:
            self.levels.append(self._level(index, matcher.model, matcher.refs, matcher.refs))
        kreis_refs = matcher.kreis_refs or list(self.stand_in)
        if "kreis" in p.arten and kreis_refs:
            kreise = index.kreise
            own = [kreise.row_of.get(str(index.kreis_key[r])) for r in matcher.refs]
            anchors = [r for r in own if r is not None] + matcher.kreis_refs
            level = self._level(kreise, matcher.kreis_model, kreis_refs, anchors)
            if "gemeinde" in p.arten:  # a kreisfreie Stadt is a Gemeinde lead already
                level.candidates &= ~np.isin(kreise.textkennzeichen, KREISFREI)
            self.levels.append(level)
        self.scores = [self._scores(level) for level in self.levels]

    def _kreise_of_references(self) -> dict[int, str]:
        """Without Kreis references, the Landkreis of each Gemeinde reference stands for it, and for
        a kreisfreie Stadt the Landkreise around it: Kreis row → how it relates to the reference."""
        index = self.m.index
        kreise = index.kreise
        stand_in: dict[int, str] = {}
        for r in self.m.refs:
            own = kreise.row_of.get(str(index.kreis_key[r]))
            if own is None:
                continue
            if kreise.textkennzeichen[own] not in KREISFREI:
                stand_in.setdefault(own, f"Kreis der Referenzkommune {index.kurzname[r]}")
                continue
            for key in sorted(self.m.model.nachbarn.kreise.get(kreise.ags[own], ())):
                row = kreise.row_of.get(key)
                if row is not None and kreise.textkennzeichen[row] not in KREISFREI:
                    stand_in.setdefault(row, f"Umland der Referenzkommune {index.kurzname[r]}")
        return stand_in

    def _level(self, ix: Places, model: SimilarityModel, refs: list[int], anchors: list[int]) -> _Level:
        p = self.m.profile
        candidates = np.ones(len(ix), dtype=bool)
        candidates[[r for r in refs if r not in self.stand_in or ix.ebene != "kreis"]] = False
        if p.min_einwohner is not None:
            candidates &= ix.einwohner >= p.min_einwohner
        if p.max_einwohner is not None:
            candidates &= ix.einwohner <= p.max_einwohner
        likeness, like_ref = _likeness(model, refs)
        lage, km, anchor = self._lage(ix)
        nachbar, nachbar_ref, kinds = self._neighbourhood(ix, model, anchors)
        return _Level(
            ix, model, refs, candidates, likeness, like_ref, lage, km, anchor, nachbar, nachbar_ref, kinds
        )

    def _lage(self, ix: Places) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Near home or a reference within the radius: 1 at the spot, ½ at the radius; in the target
        Länder beyond it 0.4 fading with the distance; without a region, nearer a reference is
        better (a reference next door is easier shown)."""
        p = self.m.profile
        n = len(ix)
        kms = np.array([haversine_km(ix.lat, ix.lon, lat, lon) for _, lat, lon in self.anchors])
        anchor = np.nan_to_num(kms, nan=np.inf).argmin(axis=0)
        km = kms[anchor, np.arange(n)]
        in_land = np.isin(ix.land_key, list(p.laender)) if p.laender else np.zeros(n, dtype=bool)
        if p.radius_km:
            near = km <= p.radius_km
            value = np.where(near, 1.0 - 0.5 * km / p.radius_km, 0.0)
            value = np.where(~near & in_land, 0.4 * np.exp(-(km - p.radius_km) / p.radius_km), value)
        elif p.laender:
            value = np.where(in_land, 0.5 + 0.3 * np.exp(-km / 200), 0.0)
        else:
            value = 0.6 * np.exp(-km / 150)
        return np.nan_to_num(value), km, anchor

    def _neighbourhood(
        self, ix: Places, model: SimilarityModel, anchors: list[int]
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Next to a reference: its neighbour Gemeinde, in its Kreis, in a neighbouring Kreis (for
        Kreise: next to the Kreis of a reference). The closest tie wins, the first reference a tie."""
        n = len(ix)
        value, ref = np.zeros(n), np.full(n, -1, dtype=np.int64)
        kinds = [""] * n
        nachbarn = model.nachbarn
        for r in anchors:
            if ix.ebene == "kreis":
                around = nachbarn.kreise.get(ix.ags[r], set())
                found = [("nachbarkreis", NEIGHBOURHOOD["kreis"], _rows(ix, around))]
            else:
                kreis = str(ix.kreis_key[r])
                found = [
                    (
                        "nachbarkreis",
                        NEIGHBOURHOOD["nachbarkreis"],
                        _rows(ix, nachbarn.kreise.get(kreis, set())),
                    ),
                    ("kreis", NEIGHBOURHOOD["kreis"], _rows(ix, {kreis})),
                    (
                        "gemeinde",
                        NEIGHBOURHOOD["gemeinde"],
                        _gemeinde_rows(ix, nachbarn.gemeinden.get(ix.ags[r], ())),
                    ),
                ]
            for kind, strength, rows in found:
                better = rows[value[rows] < strength]
                value[better], ref[better] = strength, r
                for row in better.tolist():
                    kinds[row] = kind
        return value, ref, kinds

    def _sparse(self, ix: Places) -> dict[str, np.ndarray]:
        """History, departments and funding: few Kommunen have them, read by key."""
        ev = self.evidence
        history = np.zeros(len(ix))
        departments = np.zeros(len(ix))
        for key, past in ev.history.items():
            row = ix.row_of.get(key)
            if row is not None:
                history[row] = history_value(past, ev.this_year)
        for key, found in ev.departments.items():
            row = ix.row_of.get(key)
            if row is not None:
                departments[row] = _departments_value(found)
        funding = np.zeros(len(ix))
        for lead, gebiet in ev.funding:
            open_in = (
                np.ones(len(ix), dtype=bool)
                if "bundesweit" in gebiet
                else np.isin([LAENDER[str(land)][1] for land in ix.land_key], list(gebiet))
            )
            funding = np.where(open_in, np.maximum(funding, lead.score), funding)
        return {"historie": history, "fachbereich": departments, "foerderung": funding}

    def _scores(self, level: _Level) -> np.ndarray:
        parts = {
            "aehnlichkeit": level.likeness,
            "lage": level.lage,
            "nachbarschaft": level.nachbar,
            **self._sparse(level.ix),
        }
        weights = {name: w for name, w in WEIGHTS.items() if name != "bedarf"}
        total = sum(weights[name] * values for name, values in parts.items())
        score = total / (sum(weights.values()) + (WEIGHTS["bedarf"] if self.m.bedarf is not None else 0.0))
        return np.where(level.candidates, np.round(score, PRECISION), -1.0)

    def leads(self, k: int = 100) -> list[Lead]:
        """The best k over both levels, by score (with [bedarf], computed for the best few hundred)."""
        pool = [(float(s[row]), li, int(row)) for li, s in enumerate(self.scores) for row in _top(s, 3 * k)]
        leads = [self._lead(li, row) for _, li, row in sorted(pool, key=lambda x: -x[0])[: 3 * k]]
        leads.sort(key=lambda lead: (-lead.score, -(lead.kommune.einwohner if lead.kommune else 0)))
        return leads[:k]

    def lead(self, key: str) -> Lead | None:
        """Any Gemeinde (8) or Kreis (5) as a lead, when the profile asks for its level."""
        for li, level in enumerate(self.levels):
            row = level.ix.row_of.get(key)
            if row is not None:
                return self._lead(li, row)
        return None

    def _lead(self, li: int, row: int) -> Lead:
        level, m, ev = self.levels[li], self.m, self.evidence
        ix = level.ix
        key = ix.ags[row]
        past, departments = ev.history.get(key, []), ev.departments.get(key, [])
        components = [
            self._likeness(level, row),
            self._lage_component(level, row),
            self._neighbour_component(level, row),
            Component("historie", history_value(past, ev.this_year), _history_words(past)),
            Component("fachbereich", _departments_value(departments), _department_words(departments)),
            self._funding_component(ix, row),
        ]
        weights = [WEIGHTS[c.name] for c in components]
        if m.bedarf is not None:
            need, said = m.bedarf.of(key)
            components.append(Component("bedarf", need, said))
            weights.append(WEIGHTS["bedarf"])
        lead = Lead("kommune", key, ix.label(row), "")
        lead.components = components
        total = sum(w * c.value for w, c in zip(weights, components, strict=True))
        lead.score = round(total / sum(weights), PRECISION)
        lead.kommune = self._facts(level, row)
        lead.url = lead.kommune.website
        return lead

    def _likeness(self, level: _Level, row: int) -> Component:
        ix, r = level.ix, int(level.like_ref[row])
        value = float(level.likeness[row])
        kind = "Referenzkreis" if ix.ebene == "kreis" else "Referenzkommune"
        people = f"{fmt_int(ix.einwohner[row])} zu {fmt_int(ix.einwohner[r])} Einw."
        if ix.ebene == "kreis" and r in self.stand_in:  # not named by the profile: say whose it is
            who = f"{ix.kurzname[r]}, {self.stand_in[r]}"
        else:
            who = f"{kind} {ix.kurzname[r]}"
        why = f"ähnlich groß wie {who} ({people})" if value >= 0.3 else ""
        return Component("aehnlichkeit", value, why)

    def _lage_component(self, level: _Level, row: int) -> Component:
        p = self.m.profile
        value, km = float(level.lage[row]), float(level.lage_km[row])
        named = self.anchors[int(level.lage_anchor[row])][0]
        if value <= 0:
            return Component("lage", 0.0, "außerhalb der Zielregion" if p.laender or p.radius_km else "")
        if (p.radius_km and km <= p.radius_km) or (not p.laender and not p.radius_km and km <= 300):
            return Component("lage", value, f"{km:.0f} km von {named}")
        if p.laender:
            return Component("lage", value, f"in {LAENDER[str(level.ix.land_key[row])][1]}")
        return Component("lage", value, "")

    def _neighbour_component(self, level: _Level, row: int) -> Component:
        ix, r, kind = level.ix, int(level.nachbar_ref[row]), level.nachbar_kind[row]
        if r < 0 or not kind:
            return Component("nachbarschaft", 0.0, "")
        name = ix.kurzname[r]
        if ix.ebene == "kreis":
            return Component("nachbarschaft", float(level.nachbar[row]), f"Nachbarkreis von {name}")
        words = {
            "gemeinde": f"Nachbargemeinde von Referenzkommune {name}",
            "kreis": f"im selben Kreis wie Referenzkommune {name}",
            "nachbarkreis": f"im Nachbarkreis von Referenzkommune {name}",
        }
        return Component("nachbarschaft", float(level.nachbar[row]), words[kind])

    def _funding_component(self, ix: Places, row: int) -> Component:
        land = LAENDER[str(ix.land_key[row])][1]
        best = max(
            (
                (lead.score, lead.title)
                for lead, gebiet in self.evidence.funding
                if "bundesweit" in gebiet or land in gebiet
            ),
            default=(0.0, ""),
        )
        return Component("foerderung", best[0], f"förderfähig: {best[1]}" if best[1] else "")

    def _facts(self, level: _Level, row: int) -> KommuneFacts:
        ix, m = level.ix, self.m
        key = ix.ags[row]
        kreis = ix.ebene == "kreis"
        office = self.evidence.offices.get(key)
        ansprechstelle, adresse, website = (
            (office.name, office.anschrift, office.website) if office else ("", "", "")
        )
        if not office and kreis:  # the Kreis' seat from the Anschriftenverzeichnis
            ansprechstelle, _, adresse = m.index.kreise.anschrift.get(key, "").partition(", ")
        return KommuneFacts(
            ags=key,
            name=ix.kurzname[row],
            art="Kreis" if kreis else "Gemeinde",
            kreis="" if kreis else m.index.kreis_name.get(str(ix.kreis_key[row]), ""),
            land=LAENDER[str(ix.land_key[row])][1],
            einwohner=int(ix.einwohner[row]),
            lat=float(ix.lat[row]),
            lon=float(ix.lon[row]),
            ansprechstelle=ansprechstelle,
            adresse=adresse,
            website=website,
            fachbereiche=[f.name for f in self.evidence.departments.get(key, [])],
            historie=list(self.evidence.history.get(key, [])),
        )


def _likeness(model: SimilarityModel, refs: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(similarity 0..1 of every row to its most alike reference other than itself, that reference)."""
    values = np.exp(-np.array([model.terms(r).sum(axis=0) for r in refs]) / 8)
    values[np.arange(len(refs)), refs] = 0.0  # a stand-in Kreis is a lead, not like itself
    best = values.argmax(axis=0)
    return values[best, np.arange(values.shape[1])], np.asarray(refs)[best]


def _rows(ix: Places, kreise: set[str]) -> np.ndarray:
    return np.flatnonzero(np.isin(ix.kreis_key, list(kreise))) if kreise else np.zeros(0, dtype=np.int64)


def _gemeinde_rows(ix: Places, keys: Iterable[str]) -> np.ndarray:
    rows = [ix.row_of.get(key) for key in keys]
    return np.array([r for r in rows if r is not None], dtype=np.int64)


def _departments_value(found: list[Fachbereich]) -> float:
    return min(1.0, 0.7 + 0.15 * (len(found) - 1)) if found else 0.0


def _top(scores: np.ndarray, k: int) -> list[int]:
    k = min(k, int((scores >= 0).sum()))
    if k <= 0:
        return []
    return np.argpartition(-scores, k - 1)[:k].tolist()


def _history_words(past: list[PastTender]) -> str:
    if not past:
        return ""
    shown = "; ".join(p.sentence() for p in past[:2])
    more = f" (und {len(past) - 2} weitere)" if len(past) > 2 else ""
    return f"{len(past)} passende Ausschreibung{'en' if len(past) > 1 else ''}: {shown}{more}"


def _department_words(found: list[Fachbereich]) -> str:
    return f"Fachbereich: {'; '.join(f.name for f in found[:2])}" if found else ""
