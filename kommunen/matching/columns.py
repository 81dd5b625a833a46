"""The per-tender components (CPV, region, buyer, deadline …) as columns over 100k tenders.

Each component depends on a few fields of a tender, and most tenders share those values with
others (a few hundred buyers, a few thousand region keys). So the distinct inputs are found once
(`TenderKeys`, which does not depend on the profile and is kept with the tenders read inside
`leads.reading_once`), each distinct input is scored once per profile, and a row looks its
component up by index. CPV sets are nearly all distinct (≥ 50k in 100k notices), but they are
made of a few thousand codes: a set's value is the best of its codes' values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kommunen.matching.lead import Component, TenderColumns
from kommunen.matching.tenders import NUTS1
from kommunen.matching.topic import notice_nature, plans_a_building


@dataclass(frozen=True, slots=True)
class Factorized:
    """Distinct inputs and, per row, which one it has."""

    keys: list[Any]
    index: np.ndarray

    @classmethod
    def of(cls, values: Iterable[Hashable], shown: Callable[[Any], Any] | None = None) -> Factorized:
        """shown: what compute receives for a distinct value (the value itself by default)."""
        values = list(values)
        distinct = {value: i for i, value in enumerate(dict.fromkeys(values))}
        index = np.fromiter(map(distinct.__getitem__, values), dtype=np.int64, count=len(values))
        return cls([shown(k) for k in distinct] if shown else list(distinct), index)


@dataclass(frozen=True, slots=True)
class CpvSets:
    """The distinct CPV sets as codes: set k has codes[flat[offsets[k]:offsets[k + 1]]]."""

    sets: Factorized  # keys: the stored "code code …" strings
    codes: list[str]
    flat: np.ndarray
    offsets: np.ndarray

    @classmethod
    def of(cls, cpv_codes: Sequence[str]) -> CpvSets:
        sets = Factorized.of(cpv_codes)
        code_ids: dict[str, int] = {}
        split = [codes.split() or [""] for codes in sets.keys]  # an empty set scores as the code ""
        flat = np.fromiter(
            (code_ids.setdefault(code, len(code_ids)) for codes in split for code in codes), dtype=np.int64
        )
        offsets = np.cumsum([0, *map(len, split)])
        return cls(sets, list(code_ids), flat, offsets)


@dataclass(frozen=True, slots=True)
class TenderKeys:
    """The inputs of each component, factorized: the same for every profile."""

    cpv: CpvSets
    region: Factorized  # keys: Place
    buyer: Factorized  # keys: kommune key or ""
    deadline: Factorized  # keys: (submission deadline, planned date)
    nature: Factorized  # keys: "works" | "supplies" | "services" | ""
    authority: Factorized  # keys: (kommune key, buyer legal type, buyer name)
    main_cpv: Factorized  # keys: the main CPV code (the first stored one), "" when none

    @classmethod
    def of(cls, columns: TenderColumns) -> TenderKeys:
        ags = [a or "" for a in columns.kommune_key]
        region = zip(ags, columns.buyer_country, columns.buyer_nuts, columns.place_nuts, strict=True)
        return cls(
            cpv=CpvSets.of(columns.cpv_codes),
            # one string key: hashing 100k fresh 4-tuples costs 3x as much (measured)
            region=Factorized.of(map("\x1f".join, region), _region),
            buyer=Factorized.of(ags),
            deadline=Factorized.of(zip(columns.submission_deadline, columns.planned_date, strict=True)),
            nature=Factorized.of(
                map(
                    _nature,
                    columns.contract_nature,
                    columns.cpv_codes,
                    columns.notice_type,
                    columns.title,
                    columns.search_text,
                )
            ),
            authority=Factorized.of(zip(ags, columns.buyer_legal_type, columns.buyer_name, strict=True)),
            main_cpv=main_codes(columns.cpv_codes),
        )


def main_codes(cpv_codes: Sequence[str]) -> Factorized:
    """Each tender's main CPV code (the first stored one, "" when none), factorized."""
    return Factorized.of(codes.split(" ", 1)[0] for codes in cpv_codes)


def _nature(contract_nature: str, cpv_codes: str, notice_type: str, title: str, search_text: str) -> str:
    main = cpv_codes.split(" ", 1)[0]
    return notice_nature(contract_nature, main, notice_type, plans_a_building(main, title, search_text))


LAND_OF_NUTS1 = {nuts: land for land, nuts in NUTS1.items()}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a tender is, as its fields say: the buyer's Kommune, the NUTS codes of buyer and
    performance, the Land they name and the first place abroad. The same for every profile, so
    worked out once per reading, not once per profile for each of some 30k distinct places."""

    ags: str
    nuts: list[str]
    country: str
    land: str | None  # AGS prefix of the Land
    foreign: str  # the first NUTS code or country outside Germany, "" when none


def _region(key: str) -> Place:
    ags, country, buyer_nuts, place_nuts = key.split("\x1f")
    nuts = [buyer_nuts, *json.loads(place_nuts or "[]")]
    land = ags[:2] if ags else next((LAND_OF_NUTS1[n[:3]] for n in nuts if n[:3] in LAND_OF_NUTS1), None)
    foreign = next(
        (n for n in nuts if n and not n.startswith("DE")), "" if country in ("", "DEU") else country
    )
    return Place(ags, nuts, country, land, foreign)


class ComponentColumn:
    """One component for every tender: computed once per distinct input, looked up by index."""

    def __init__(self, name: str, keys: Factorized, compute: Callable[[Any], Component | str]) -> None:
        """compute returns the component, or why the lead is excluded (the component is then 0)."""
        self.name = name
        self.index = keys.index
        found = [compute(k) for k in keys.keys]
        self.excludes = np.array([isinstance(c, str) for c in found], dtype=bool)
        self.components = [c if isinstance(c, Component) else Component(name, 0.0, c) for c in found]
        self.values = np.array([c.value for c in self.components], dtype=np.float64)[self.index]

    def at(self, i: int) -> Component:
        return self.components[self.index[i]]


class CpvColumn:
    """The CPV component: values from each code's value, the component built when shown."""

    name = "cpv"

    def __init__(
        self, sets: CpvSets, code_value: Callable[[str], float], component: Callable[[str], Component]
    ) -> None:
        self.sets, self.component = sets, component
        per_code = np.fromiter(map(code_value, sets.codes), dtype=np.float64, count=len(sets.codes))
        per_set = np.maximum.reduceat(per_code[sets.flat], sets.offsets[:-1]) if len(sets.flat) else per_code
        self.index = sets.sets.index
        self.values = per_set[self.index] if len(self.index) else np.zeros(0)
        self.excludes = np.zeros(len(sets.sets.keys), dtype=bool)
        self._built: dict[int, Component] = {}

    def at(self, i: int) -> Component:
        k = int(self.index[i])
        if k not in self._built:
            self._built[k] = self.component(self.sets.sets.keys[k])
        return self._built[k]
