"""INKAR indicators of a Kommune: a readable selection, each compared with the Kommunen of its level.

A Gemeinde lacks many indicators INKAR gives only for Kreise (SGB-II-Quote, Asylbewerber) or for
Gemeindeverbände (Steuerkraft); there its Verband's, then its Kreis's value stands in, and says so.
A comparison counts the Kommunen of the value's level with a value of the same year.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection

from kommunen.errors import LookupFailed
from kommunen.store.models import Gemeinde, Indikator, IndikatorWert
from kommunen.text import fold

# What social enterprises ask of a Kommune first: need (poverty, refugees, care, childcare,
# school), and what it can pay (debt, tax base). INKAR's key → the name shown.
SELECTION: tuple[tuple[str, str], ...] = (
    ("q_SGBII", "SGB-II-Quote"),
    ("q_PBG_bev", "Personen in Bedarfsgemeinschaften"),
    ("q_newfBGu15_bev", "Kinderarmut"),
    ("a_GSa", "Altersarmut"),
    ("q_asyl_bev", "Asylbewerber"),
    ("q_pfl", "Pflegebedürftige"),
    ("a_betr0003_bev0003", "Kita-Betreuung unter 3 Jahren"),
    ("a_schul_oA", "Schulabgänger ohne Abschluss"),
    ("q_gemschuld_bev", "Kommunale Schulden"),
    ("q_gest_bev", "Steuerkraft"),
)
LABEL = dict(SELECTION)
LEVEL_PLURAL = {"kreis": "Kreise", "gemeinde": "Gemeinden", "verband": "Gemeindeverbände"}
STAND_IN = {"verband": "Wert des Gemeindeverbands", "kreis": "Wert des Kreises"}
STAND_IN_SHORT = {"verband": "Gemeindeverband", "kreis": "Kreis"}


def fmt_number(value: float) -> str:
    """German: 1.488 · 14,1 · 0,55."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 1 else 2
    return f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass(frozen=True, slots=True)
class Merkmal:
    """One indicator's value for one Kommune, and where it stands among the others of its level."""

    key: str
    name: str
    wert: float
    einheit: str
    jahr: int
    ebene: str  # the level the value belongs to: "kreis" | "gemeinde" | "verband"
    eigen: bool  # the Kommune's own value, not its Verband's or Kreis's
    niedriger: float  # share of the level's others (same year) with a lower value, 0..1
    hoeher: float  # … with a higher one
    anzahl: int  # how many others were compared

    @property
    def wert_text(self) -> str:
        return f"{fmt_number(self.wert)} {self.einheit}".strip()

    @property
    def vergleich(self) -> str:
        """ "mehr als in 80 % der Kreise" — the larger side, so it is the telling one."""
        plural = LEVEL_PLURAL[self.ebene]
        if not self.anzahl:
            return ""
        if self.niedriger == 1:
            return f"höchster Wert aller {plural}"
        if self.hoeher == 1:
            return f"niedrigster Wert aller {plural}"
        if self.niedriger >= self.hoeher:
            return f"mehr als in {math.floor(100 * self.niedriger)} % der {plural}"
        return f"weniger als in {math.floor(100 * self.hoeher)} % der {plural}"

    @property
    def text(self) -> str:
        """ "Asylbewerber: 4,1 je 1.000 Einwohner (2021, Wert des Kreises)"."""
        when = f"{self.jahr}" if self.eigen else f"{self.jahr}, {STAND_IN[self.ebene]}"
        return f"{self.name}: {self.wert_text} ({when})"

    @property
    def zeile(self) -> str:
        """A value cell of `kommunen gemeinde`: "3,4 % (2021, Wert des Kreises) – weniger als in 78 % …"."""
        when = f"{self.jahr}" if self.eigen else f"{self.jahr}, {STAND_IN[self.ebene]}"
        return f"{self.wert_text} ({when})" + (f" – {self.vergleich}" if self.vergleich else "")

    @property
    def kurz(self) -> str:
        """For a lead's reason: "Asylbewerber (Kreis) 4,7 je 1.000 Einwohner – mehr als in 56 % …"."""
        name = self.name if self.eigen else f"{self.name} ({STAND_IN_SHORT[self.ebene]})"
        return f"{name} {self.wert_text} – {self.vergleich}" if self.vergleich else f"{name} {self.wert_text}"


@dataclass(slots=True)
class _Series:
    values: dict[str, tuple[int, float]]  # region key → (year, value)
    by_year: dict[int, np.ndarray]  # year → that year's values, sorted


class Indikatoren:
    """The values of some indicators for every Kreis, Gemeinde and Gemeindeverband, loaded once.

    Built for many lookups (Kommune leads); one Kommune's selection loads the same few indicators.
    """

    def __init__(self, conn: Connection, keys: Sequence[str]) -> None:
        rows = conn.execute(
            select(Indikator.key, Indikator.kurzname, Indikator.einheit).where(Indikator.key.in_(keys))
        )
        self.meta = {key: (LABEL.get(key, kurzname), einheit) for key, kurzname, einheit in rows}
        self.keys = [k for k in keys if k in self.meta]
        collected: dict[tuple[str, str], dict[str, tuple[int, float]]] = {}
        query = select(
            IndikatorWert.indikator,
            IndikatorWert.ebene,
            IndikatorWert.key,
            IndikatorWert.jahr,
            IndikatorWert.wert,
        )
        for indikator, ebene, key, jahr, wert in conn.execute(
            query.where(IndikatorWert.indikator.in_(self.keys))
        ):
            collected.setdefault((indikator, ebene), {})[key] = (jahr, wert)
        self.series: dict[tuple[str, str], _Series] = {}
        for where, values in collected.items():
            years: dict[int, list[float]] = {}
            for jahr, wert in values.values():
                years.setdefault(jahr, []).append(wert)
            self.series[where] = _Series(values, {y: np.sort(np.array(v)) for y, v in years.items()})
        self.verband: dict[str, str] = {
            a: v for a, v in conn.execute(select(Gemeinde.ags, Gemeinde.verband_key))
        }

    def _found(self, indikator: str, kommune: str) -> tuple[str, int, float, bool] | None:
        """(level, year, value, own) of the Kommune's own value, else (a Gemeinde) its Verband's,
        else its Kreis's; None if none."""
        if len(kommune) == 5:
            steps = [("kreis", kommune)]
        else:
            steps = [
                ("gemeinde", kommune),
                ("verband", self.verband.get(kommune, "")),
                ("kreis", kommune[:5]),
            ]
        for step, (ebene, key) in enumerate(steps):
            series = self.series.get((indikator, ebene))
            if series is not None and key in series.values:
                jahr, wert = series.values[key]
                own = step == 0 or (ebene == "verband" and _is_own_verband(key, kommune))
                return ebene, jahr, wert, own
        return None

    def merkmal(self, indikator: str, kommune: str) -> Merkmal | None:
        """The Kommune's own value, else (a Gemeinde) its Verband's, else its Kreis's; None if none."""
        found = self._found(indikator, kommune) if indikator in self.meta else None
        if found is None:
            return None
        ebene, jahr, wert, eigen = found
        same_year = self.series[(indikator, ebene)].by_year[jahr]
        others = len(same_year) - 1
        lower = int(np.searchsorted(same_year, wert, side="left"))
        higher = len(same_year) - int(np.searchsorted(same_year, wert, side="right"))
        name, einheit = self.meta[indikator]
        return Merkmal(
            key=indikator,
            name=name,
            wert=wert,
            einheit=einheit,
            jahr=jahr,
            ebene=ebene,
            eigen=eigen,
            niedriger=lower / others if others else 0.0,
            hoeher=higher / others if others else 0.0,
            anzahl=others,
        )

    def spalte(self, indikator: str, kommunen: Sequence[str]) -> Spalte:
        """One indicator for many Kommunen at once, in their order: what similarity weighs."""
        found = [self._found(indikator, kommune) for kommune in kommunen]
        name, einheit = self.meta.get(indikator, (indikator, ""))
        return Spalte(
            key=indikator,
            name=name,
            einheit=einheit,
            wert=np.array([f[2] if f else np.nan for f in found], dtype=np.float64),
            eigen=np.array([bool(f and f[3]) for f in found]),
            ebene=tuple(f[0] if f else "" for f in found),
        )


@dataclass(frozen=True, slots=True)
class Spalte:
    """One indicator's value for every row of an index (NaN where none), own or stood in for."""

    key: str
    name: str
    einheit: str
    wert: np.ndarray
    eigen: np.ndarray  # bool: the Kommune's own value, not its Verband's or Kreis's
    ebene: tuple[str, ...]  # the level each value belongs to, "" where none

    def vergleich(self, i: int, r: int) -> str:
        """ "Asylbewerber (Kreis) 4,7 zu 4,9 je 1.000 Einwohner": row i's value, then reference r's."""
        shown = [
            fmt_number(float(self.wert[j])) if not math.isnan(self.wert[j]) else "kein Wert" for j in (i, r)
        ]
        stand_in = next((self.ebene[j] for j in (i, r) if self.ebene[j] and not self.eigen[j]), "")
        name = f"{self.name} ({STAND_IN_SHORT[stand_in]})" if stand_in else self.name
        return f"{name} {shown[0]} zu {shown[1]} {self.einheit}".strip()


def robust_scale(values: np.ndarray) -> float:
    """What one deviation of an indicator is: IQR / 1.349 (the standard deviation of a normal
    distribution), so that a few extremes (Trier's asylum seekers) do not flatten the rest."""
    known = values[~np.isnan(values)]
    if not len(known):
        return 1.0
    q1, q3 = np.percentile(known, [25, 75])
    return float((q3 - q1) / 1.349) or float(np.std(known)) or 1.0


def _is_own_verband(verband: str, ags: str) -> bool:
    """An Einheitsgemeinde is its own Gemeindeverband: 097610000 for Augsburg 09761000."""
    return verband == ags[:5] + "0" + ags[5:]


def auswahl(conn: Connection, kommune: str) -> list[Merkmal]:
    """The selection (SELECTION) for a Kreis (5-digit key) or Gemeinde (8-digit AGS), in its order."""
    if len(kommune) not in (5, 8) or not kommune.isdigit():
        raise LookupFailed(f"{kommune!r} ist weder ein Kreisschlüssel (5 Ziffern) noch ein AGS (8 Ziffern)")
    werte = Indikatoren(conn, [key for key, _ in SELECTION])
    found = (werte.merkmal(key, kommune) for key, _ in SELECTION)
    return [m for m in found if m is not None]


QUELLE = "BBSR, INKAR (www.inkar.de), Datenlizenz Deutschland – Namensnennung 2.0"


def facts(conn: Connection, kommune: str) -> dict[str, str]:
    """The selection as rows for `kommunen gemeinde` (name → value cell), with the source; {} if none."""
    merkmale = auswahl(conn, kommune)
    if not merkmale:
        return {}
    return {**{m.name: m.zeile for m in merkmale}, "Quelle der Merkmale": QUELLE}


def catalog(conn: Connection) -> dict[str, tuple[str, ...]]:
    """Every stored indicator: key → the names a profile may use (the shown one first, INKAR's)."""
    rows = conn.execute(select(Indikator.key, Indikator.kurzname))
    return {key: tuple(dict.fromkeys((LABEL.get(key, kurzname), kurzname))) for key, kurzname in rows}


def _folded(text: str) -> str:
    return fold(text).replace(" ", "")


def resolve(name: str, names: Mapping[str, tuple[str, ...]]) -> str:
    """The key of the indicator a person named ("sgb-ii-quote", "SGB II - Quote", "q_SGBII").

    Case, ß/umlauts, spaces and hyphens do not matter; an unknown name is a LookupFailed that
    suggests the closest names.
    """
    wanted = _folded(name)
    by_name: dict[str, set[str]] = {}
    for key, variants in names.items():
        for variant in (*variants, key):
            by_name.setdefault(_folded(variant), set()).add(key)
    hits = by_name.get(wanted, set())
    if len(hits) == 1:
        return next(iter(hits))
    if hits:
        listed = ", ".join(f"{names[k][0]} ({k})" for k in sorted(hits))
        raise LookupFailed(f"Merkmal {name!r} ist mehrdeutig: {listed}")
    shown = sorted({variants[0] for variants in names.values()})
    close = difflib.get_close_matches(name, shown, n=3, cutoff=0.6)
    close += [s for s in shown if wanted and wanted in _folded(s) and s not in close][: 3 - len(close)]
    hint = f"; meinten Sie {' oder '.join(close)}?" if close else "; kommunen gemeinde <Ort> zeigt einige"
    raise LookupFailed(f"Merkmal {name!r} unbekannt{hint}")


class Bedarf:
    """A profile's [bedarf]: how much need its named indicators show in a Kommune, and the words for it.

    The need of one indicator is the share of the level's Kommunen below (merkmale) or above
    (niedrig) the Kommune's value; the mean of them is the lead component's value.
    """

    def __init__(self, conn: Connection, hoch: Sequence[str], niedrig: Sequence[str] = ()) -> None:
        names = catalog(conn)
        self.hoch = [resolve(name, names) for name in hoch]
        self.niedrig = [resolve(name, names) for name in niedrig]
        self.werte = Indikatoren(conn, [*self.hoch, *self.niedrig])

    def of(self, kommune: str) -> tuple[float, str]:
        """(0..1, "Bedarf: Asylbewerber (Kreis) 4,7 je 1.000 Einwohner – mehr als in 56 % der Kreise; …").

        The reason names the indicators that point to need (at least half of the level below, or
        for niedrig above); the others count in the value all the same.
        """
        shares, said = [], []
        for keys, high in ((self.hoch, True), (self.niedrig, False)):
            for key in keys:
                m = self.werte.merkmal(key, kommune)
                if m is not None:
                    shares.append(m.niedriger if high else m.hoeher)
                    if shares[-1] >= 0.5:
                        said.append(m.kurz)
        if not shares:
            return 0.0, ""
        return sum(shares) / len(shares), ("Bedarf: " + "; ".join(said)) if said else ""
