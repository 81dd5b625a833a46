"""Gemeinden: find a Gemeinde by name, AGS or PLZ, and tell its facts.

`GemeindeIndex` holds every inhabited Gemeinde in memory as numpy columns (11,000 rows, a few
MB): name lookups and similarity queries then cost microseconds, not database round-trips.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kommunen.errors import AmbiguousGemeinde, ConfigError, UnknownGemeinde
from kommunen.store.models import Gebiet, Gemeinde, GemeindePlz
from kommunen.text import fold

LAENDER = {
    "01": ("SH", "Schleswig-Holstein"),
    "02": ("HH", "Hamburg"),
    "03": ("NI", "Niedersachsen"),
    "04": ("HB", "Bremen"),
    "05": ("NW", "Nordrhein-Westfalen"),
    "06": ("HE", "Hessen"),
    "07": ("RP", "Rheinland-Pfalz"),
    "08": ("BW", "Baden-Württemberg"),
    "09": ("BY", "Bayern"),
    "10": ("SL", "Saarland"),
    "11": ("BE", "Berlin"),
    "12": ("BB", "Brandenburg"),
    "13": ("MV", "Mecklenburg-Vorpommern"),
    "14": ("SN", "Sachsen"),
    "15": ("ST", "Sachsen-Anhalt"),
    "16": ("TH", "Thüringen"),
}
NAME_PREFIXES = ("stadt ", "gemeinde ", "markt ", "hansestadt ", "landeshauptstadt ")


def land_key(value: str) -> str:
    """Accept "BW", "Baden-Württemberg", "baden-wuerttemberg" or "08"; return "08"."""
    wanted = fold(value)
    for key, (short, name) in LAENDER.items():
        if wanted in (key, short.lower(), fold(name)) or wanted == key.lstrip("0"):
            return key
    raise ConfigError(f"Unbekanntes Land {value!r}; erlaubt: {', '.join(s for s, _ in LAENDER.values())}")


class GemeindeIndex:
    """Every inhabited Gemeinde, with its Kreis and Land, as columns for fast lookups."""

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        kreis_names = dict(conn.execute(select(Gebiet.key, Gebiet.name).where(Gebiet.ebene == "kreis")).all())
        query = (
            select(
                Gemeinde.ags,
                Gemeinde.suchname,
                Gemeinde.name,
                Gemeinde.kurzname,
                Gemeinde.textkennzeichen,
                Gemeinde.einwohner,
                Gemeinde.flaeche_km2,
                Gemeinde.laengengrad,
                Gemeinde.breitengrad,
                Gemeinde.verstaedterung,
            )
            .where(Gemeinde.einwohner > 0)
            .order_by(Gemeinde.ags)
        )
        # Plain columns only, so the DB-API tuples can skip SQLAlchemy's Row objects (3x faster).
        rows = conn.execute(query).cursor.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [()] * 10
        self.ags: list[str] = list(columns[0])
        suchname = columns[1]
        self.name: list[str] = list(columns[2])
        self.kurzname: list[str] = list(columns[3])
        self.textkennzeichen = np.array(columns[4], dtype=str)
        self.einwohner = np.array(columns[5], dtype=np.float64)
        self.flaeche = np.array(columns[6], dtype=np.float64)
        self.lon = np.array(columns[7], dtype=np.float64)
        self.lat = np.array(columns[8], dtype=np.float64)
        self.verstaedterung = np.nan_to_num(np.array(columns[9], dtype=np.float64), nan=2.0)
        self.dichte = self.einwohner / self.flaeche
        self.kreis_key = np.array([a[:5] for a in self.ags], dtype=str)
        self.land_key = np.array([a[:2] for a in self.ags], dtype=str)
        self.kreis_name: dict[str, str] = kreis_names
        self.row_of = {a: i for i, a in enumerate(self.ags)}
        self._by_name: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(suchname):
            self._by_name[key].append(i)
        bind = session.get_bind()
        self._engine = bind if isinstance(bind, Engine) else bind.engine

    def __len__(self) -> int:
        return len(self.ags)

    @property
    def engine(self) -> Engine:
        """The database the index was read from, for what is loaded later (neighbours)."""
        return self._engine

    def label(self, i: int) -> str:
        """Label a row for people: "Neustadt (Hessen), Stadt (Marburg-Biedenkopf, Hessen) – AGS 06534016"."""
        land = LAENDER[self.land_key[i]][1]
        kreis = self.kreis_name.get(str(self.kreis_key[i]), "")
        where = land if kreis == self.name[i] else f"{kreis}, {land}"
        return f"{self.name[i]} ({where}) – AGS {self.ags[i]}"

    def find(self, query: str) -> int:
        """The row of the one Gemeinde `query` names (AGS, PLZ or name); raises when unsure."""
        query = query.strip()
        if re.fullmatch(r"\d{8}", query):
            if query in self.row_of:
                return self.row_of[query]
            raise UnknownGemeinde(query, [])
        if re.fullmatch(r"\d{5}", query):
            with self._engine.connect() as conn:
                found = conn.scalars(select(GemeindePlz.ags).where(GemeindePlz.plz == query)).all()
            return self._one(query, sorted({self.row_of[a] for a in found if a in self.row_of}))
        wanted = fold(query.split(",", 1)[0])
        for prefix in NAME_PREFIXES:
            if wanted.startswith(prefix) and wanted[len(prefix) :] in self._by_name:
                wanted = wanted[len(prefix) :]
        # "Halle" could be Halle (Saale) as well as the two Gemeinden called just Halle.
        exact = self._by_name.get(wanted, [])
        longer = [i for key, found in self._by_name.items() if key.startswith(wanted + " ") for i in found]
        return self._one(query, exact + longer)

    def _one(self, query: str, rows: list[int]) -> int:
        if len(rows) == 1:
            return rows[0]
        if rows:
            ordered = sorted(set(rows), key=lambda i: -self.einwohner[i])
            raise AmbiguousGemeinde(query, [self.label(i) for i in ordered])
        raise UnknownGemeinde(query, self.suggest(query))

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        from rapidfuzz import fuzz, process

        choices = {i: fold(k) for i, k in enumerate(self.kurzname)}
        found = process.extract(fold(query), choices, scorer=fuzz.ratio, limit=limit, score_cutoff=70)
        return [self.label(i) for _, _, i in found]


def gemeinde_facts(session: Session, ags: str) -> dict[str, str | int | float | None]:
    """One Gemeinde's facts under German labels, for `kommunen gemeinde`."""
    g = session.get(Gemeinde, ags)
    if g is None:
        raise UnknownGemeinde(ags, [])
    names = {
        key: (name, typ)
        for key, name, typ in session.execute(
            select(Gebiet.key, Gebiet.name, Gebiet.typ).where(Gebiet.key.in_([g.kreis_key, g.verband_key]))
        )
    }
    postcodes = sorted(
        set(session.scalars(select(GemeindePlz.plz).where(GemeindePlz.ags == ags))) | {g.plz} - {""}
    )
    kreis_name, kreis_typ = names.get(g.kreis_key, ("", ""))
    verband = names.get(g.verband_key)
    return {
        "Name": g.name,
        "AGS": g.ags,
        "Typ": g.typ,
        "Gemeindeverband": f"{verband[0]} ({verband[1]})" if verband and verband[0] != g.name else None,
        "Kreis": f"{kreis_name} ({kreis_typ})",
        "Land": LAENDER[g.land_key][1],
        "Einwohner": g.einwohner,
        "Fläche km²": g.flaeche_km2,
        "Einwohner je km²": round(g.dichte, 1) if g.dichte is not None else None,
        "PLZ": ", ".join(postcodes),
        "Koordinaten": f"{g.breitengrad:.5f} N, {g.laengengrad:.5f} O" if g.breitengrad else None,
        "Verstädterung": g.verstaedterung_label,
        "Reisegebiet": g.reisegebiet,
        "Gebietsstand": _day(g.gebietsstand),
        "Einwohner am": _day(g.einwohner_stand),
        "Quelle": f"{PUBLISHER} ({_file_name(g.source_url)})",
    }


PUBLISHER = "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis"
NOT_IN_FILE = "in der Datei nicht angegeben"


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else NOT_IN_FILE


def _file_name(url: str) -> str:
    """ "file:///…/AuszugGV4QAktuell_2024.xlsx" or Destatis' "…/AuszugGV4QAktuell.xlsx?__blob=…"."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
