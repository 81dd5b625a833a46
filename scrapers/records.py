"""Records: the contract between `scrapers` (which makes them) and `kommunen` (which stores them).

Every record is frozen and says where it came from (`source`, `source_url`) and when it was
seen (`seen_at` = the fetch time of its document, never the clock at parse time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class GebietRecord:
    """A level above the Gemeinde: Land, Regierungsbezirk, Region, Kreis or Gemeindeverband."""

    key: str  # Land "09", RB "097", Kreis "09761", Gemeindeverband "097610000"
    ebene: str  # land | regierungsbezirk | region | kreis | gemeindeverband
    typ: str  # German label of the Textkennzeichen, e.g. "Landkreis"; "" where none
    name: str
    source_url: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class GemeindeRecord:
    ags: str  # Amtlicher Gemeindeschlüssel, 8 digits
    name: str  # official, e.g. "Tübingen, Universitätsstadt"
    kurzname: str  # what people say: "Tübingen"
    textkennzeichen: str  # "61" kreisfreie Stadt ... "67" große Kreisstadt
    typ: str  # German label of the Textkennzeichen
    verband_key: str  # 9 digits: Land, RB, Kreis, Gemeindeverband
    flaeche_km2: float | None
    einwohner: int | None
    maennlich: int | None
    weiblich: int | None
    plz: str
    laengengrad: float | None
    breitengrad: float | None
    reisegebiet: str
    verstaedterung: int | None  # 1 dicht, 2 mittel, 3 gering besiedelt
    verstaedterung_label: str
    source_url: str
    seen_at: datetime

    @property
    def land_key(self) -> str:
        return self.ags[:2]

    @property
    def kreis_key(self) -> str:
        return self.ags[:5]

    @property
    def dichte(self) -> float | None:
        if self.einwohner is None or not self.flaeche_km2:
            return None
        return self.einwohner / self.flaeche_km2


@dataclass(frozen=True, slots=True)
class PlzRecord:
    """One postal code of one Gemeinde; a PLZ can span several Gemeinden and vice versa."""

    plz: str
    ags: str
    ort: str
    source_url: str
    seen_at: datetime


Record = GebietRecord | GemeindeRecord | PlzRecord
