"""A `kommunen similar` query and each Kommune it finds: what the CLI, the report and the tests
pass around, without the model that answers it (places/similar.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
