"""Gemeinden: find a Gemeinde (or a Kreis) by name, AGS or PLZ, and tell its facts.

`GemeindeIndex` holds every inhabited Gemeinde in memory as columns (11,000 rows, a few MB; plain
lists, and numpy arrays of them made at first use): name lookups and similarity queries then cost
microseconds, not database round-trips.
A merged Gemeinde's old AGS or name still resolves, to its successor (Gebietsänderungen), and
says so; the Kreise (`kreise`) and the successors are read only when first asked for.
SQLAlchemy and the models are imported where the database is read: `kommunen similar` with the
index from its cache (places/cache.py) never needs them.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from kommunen.errors import AmbiguousGemeinde, UnknownGemeinde
from kommunen.places.columns import Columns, as_float
from kommunen.places.kreise import NOT_IN_FILE as NOT_IN_FILE
from kommunen.places.kreise import PUBLISHER, Bound, KreisIndex, asks_for_kreis, day, file_name
from kommunen.places.laender import LAENDER
from kommunen.places.laender import land_key as land_key  # where callers have always found it
from kommunen.text import fold

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

NAME_PREFIXES = ("stadt ", "gemeinde ", "markt ", "hansestadt ", "landeshauptstadt ")


@dataclass(frozen=True, slots=True)
class Nachfolge:
    """Where a Gemeinde that is gone went (the receiver of most of its people)."""

    alt_ags: str
    alt_name: str
    neu_ags: str
    neu_name: str
    wirksam: date
    art: int  # 1 Auflösung, 3 Schlüsseländerung

    def hinweis(self) -> str:
        """ "Birkenfelde (AGS 16061007) ist seit 01.01.2024 Teil von Uder (AGS 16061119)"."""
        since = f"seit {self.wirksam:%d.%m.%Y}"
        if self.art == 3:
            return f"{self.alt_name} (AGS {self.alt_ags}) hat {since} den AGS {self.neu_ags}"
        return (
            f"{self.alt_name} (AGS {self.alt_ags}) ist {since} Teil von {self.neu_name} (AGS {self.neu_ags})"
        )


@dataclass(frozen=True, slots=True)
class Kommune:
    """What a query named: a Gemeinde or a Kreis (its row in that index), and a note for people
    when an old AGS or name led to a successor."""

    ebene: str  # "gemeinde" | "kreis"
    row: int
    key: str
    hinweis: str = ""


def load_nachfolger(conn: Connection) -> dict[str, Nachfolge]:
    """Old AGS → where it went (Gebietsänderungen); a split Gemeinde → the receiver of most people."""
    from sqlalchemy import select

    from kommunen.store.models import Gebietsaenderung

    query = select(
        Gebietsaenderung.alt_ags,
        Gebietsaenderung.alt_name,
        Gebietsaenderung.neu_ags,
        Gebietsaenderung.neu_name,
        Gebietsaenderung.wirksam,
        Gebietsaenderung.art,
    ).where(Gebietsaenderung.art.in_((1, 3)), Gebietsaenderung.alt_ags != Gebietsaenderung.neu_ags)
    rows = conn.execute(query.order_by(Gebietsaenderung.einwohner, Gebietsaenderung.flaeche_m2))
    return {row[0]: Nachfolge(*row) for row in rows}


def follow(
    nachfolger: Mapping[str, Nachfolge], ags: str, current: Container[str]
) -> tuple[str, Nachfolge] | None:
    """(the current AGS, the first change) an AGS that is gone leads to, through later changes too."""
    first = step = nachfolger.get(ags)
    seen = {ags}
    while first is not None and step is not None:
        if step.neu_ags in current:
            return step.neu_ags, first
        if step.neu_ags in seen:
            return None
        seen.add(step.neu_ags)
        step = nachfolger.get(step.neu_ags)
    return None


class GemeindeIndex(Bound):
    """Every inhabited Gemeinde, with its Kreis and Land, as columns for fast lookups."""

    ebene = "gemeinde"

    def __init__(self, session: Session) -> None:
        from sqlalchemy import select

        from kommunen.store.models import Gebiet, Gemeinde

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
        einwohner = [float(e) for e in columns[5]]
        flaeche = [as_float(f) for f in columns[6]]
        self.columns = Columns(
            textkennzeichen=[str(t) for t in columns[4]],
            einwohner=einwohner,
            flaeche=flaeche,
            dichte=[_per(e, f) for e, f in zip(einwohner, flaeche, strict=True)],
            lon=[as_float(v) for v in columns[7]],
            lat=[as_float(v) for v in columns[8]],
            verstaedterung=[as_float(v, missing=2.0) for v in columns[9]],
            kreis_key=[a[:5] for a in self.ags],
            land_key=[a[:2] for a in self.ags],
        )
        self.kreis_name: dict[str, str] = kreis_names
        self.row_of = {a: i for i, a in enumerate(self.ags)}
        # Search names in order with their rows: a name and every longer one ("halle …") are a slice,
        # and two flat lists unpickle from the cache 4x faster than a dict of lists.
        by_name = sorted(zip(suchname, range(len(self.ags)), strict=True))
        self._names: list[str] = [name for name, _ in by_name]
        self._name_rows: list[int] = [row for _, row in by_name]
        bind = session.get_bind()
        self.bind_to(bind.engine)

    def __len__(self) -> int:
        return len(self.ags)

    def rebind(self, url: str) -> None:
        super().rebind(url)
        if "kreise" in self.__dict__:  # read with the index, pickled with it
            self.kreise.rebind(url)

    def label(self, i: int) -> str:
        """Label a row for people: "Neustadt (Hessen), Stadt (Marburg-Biedenkopf, Hessen) – AGS 06534016"."""
        land = LAENDER[self.columns.land_key[i]][1]
        kreis = self.kreis_name.get(self.columns.kreis_key[i], "")
        where = land if kreis == self.name[i] else f"{kreis}, {land}"
        return f"{self.name[i]} ({where}) – AGS {self.ags[i]}"

    @cached_property
    def kreise(self) -> KreisIndex:
        with self.engine.connect() as conn:
            return KreisIndex(conn, self.engine)

    @cached_property
    def nachfolger(self) -> dict[str, Nachfolge]:
        """Old AGS → where it went, most inhabitants first where a Gemeinde was split."""
        with self.engine.connect() as conn:
            return load_nachfolger(conn)

    def successor(self, ags: str) -> tuple[int, Nachfolge] | None:
        """The row an AGS that is no longer in the directory went to, through later changes too."""
        found = follow(self.nachfolger, ags, self.row_of)
        return (self.row_of[found[0]], found[1]) if found else None

    def _old_names(self, wanted: str) -> list[tuple[int, Nachfolge]]:
        hits = [n for n in self.nachfolger.values() if fold(n.alt_name.split(",", 1)[0]) == wanted]
        return [found for n in hits if (found := self.successor(n.alt_ags)) is not None]

    def resolve(self, query: str) -> tuple[int, str]:
        """find(), and the note when an old AGS or name led to the successor."""
        query = query.strip()
        if re.fullmatch(r"\d{8}", query) and query not in self.row_of and (hit := self.successor(query)):
            return hit[0], hit[1].hinweis()
        try:
            return self.find(query), ""
        except UnknownGemeinde:
            hits = {row: n for row, n in self._old_names(fold(query.split(",", 1)[0]))}
            if len(hits) == 1:
                row, n = next(iter(hits.items()))
                return row, n.hinweis()
            raise

    def find_kommune(self, query: str) -> Kommune:
        """The Gemeinde or the Kreis a query names: a Kreis by its word ("Landkreis Augsburg"), by
        its key, or by its own name where no Gemeinde has it ("Wartburgkreis")."""
        text = query.strip()
        if asks_for_kreis(text):
            row = self.kreise.find(text)
            return Kommune("kreis", row, self.kreise.ags[row])
        if re.fullmatch(r"\d{5}", text) and text in self.kreise.row_of:
            plz = self._postcode_rows(text, limit=1)
            row = self.kreise.row_of[text]
            if not plz:
                return Kommune("kreis", row, text)
            raise AmbiguousGemeinde(
                text,
                [
                    f"{self.kreise.label(row)} (als „Kreis {text}“)",
                    f"Postleitzahl {text} (als „PLZ {text}“)",
                ],
            )
        text = re.sub(r"^(plz|postleitzahl)\s+(?=\d{5}$)", "", text, flags=re.IGNORECASE)
        try:
            row, hinweis = self.resolve(text)
        except UnknownGemeinde as unknown:
            rows = self.kreise.named(text)
            if len(rows) == 1:
                return Kommune("kreis", rows[0], self.kreise.ags[rows[0]])
            raise unknown from None
        return Kommune("gemeinde", row, self.ags[row], hinweis)

    def find(self, query: str) -> int:
        """The row of the one Gemeinde `query` names (AGS, PLZ or name); raises when unsure."""
        query = query.strip()
        if re.fullmatch(r"\d{8}", query):
            if query in self.row_of:
                return self.row_of[query]
            if hit := self.successor(query):
                return hit[0]
            raise UnknownGemeinde(query, [])
        if re.fullmatch(r"\d{5}", query):
            found = self._postcode_rows(query)
            return self._one(query, sorted({self.row_of[a] for a in found if a in self.row_of}))
        wanted = fold(query.split(",", 1)[0])
        for prefix in NAME_PREFIXES:
            if wanted.startswith(prefix) and self._named(wanted[len(prefix) :]):
                wanted = wanted[len(prefix) :]
        # "Halle" could be Halle (Saale) as well as the two Gemeinden called just Halle.
        return self._one(query, self._named(wanted) + self._named(wanted + " ", prefix=True))

    def _named(self, name: str, prefix: bool = False) -> list[int]:
        """The rows of a search name, or of every name that starts with it."""
        start = end = bisect_left(self._names, name)
        names = self._names
        while end < len(names) and (names[end].startswith(name) if prefix else names[end] == name):
            end += 1
        return self._name_rows[start:end]

    def _postcode_rows(self, plz: str, limit: int | None = None) -> list[str]:
        """The AGS a postal code is given to (table gemeinde_plz)."""
        from sqlalchemy import select

        from kommunen.store.models import GemeindePlz

        with self.engine.connect() as conn:
            return list(conn.scalars(select(GemeindePlz.ags).where(GemeindePlz.plz == plz).limit(limit)))

    def _one(self, query: str, rows: list[int]) -> int:
        if len(rows) == 1:
            return rows[0]
        if rows:
            ordered = sorted(set(rows), key=lambda i: -self.columns.einwohner[i])
            raise AmbiguousGemeinde(query, [self.label(i) for i in ordered])
        raise UnknownGemeinde(query, self.suggest(query))

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        from rapidfuzz import fuzz, process

        choices = {i: fold(k) for i, k in enumerate(self.kurzname)}
        found = process.extract(fold(query), choices, scorer=fuzz.ratio, limit=limit, score_cutoff=70)
        return [self.label(i) for _, _, i in found]


def _per(einwohner: float, flaeche: float) -> float:
    """Inhabitants per km²; without an area inf (or nan), as numpy divides."""
    if flaeche:
        return einwohner / flaeche
    return math.inf if einwohner else math.nan


def gemeinde_facts(session: Session, ags: str) -> dict[str, str | int | float | None]:
    """One Gemeinde's facts under German labels, for `kommunen gemeinde`."""
    from sqlalchemy import select

    from kommunen.store.models import Gebiet, Gebietsaenderung, Gemeinde, GemeindePlz

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
    later = session.execute(
        select(Gebietsaenderung.neu_name, Gebietsaenderung.neu_ags, Gebietsaenderung.wirksam)
        .where(Gebietsaenderung.alt_ags == ags, Gebietsaenderung.art.in_((1, 3)))
        .where(Gebietsaenderung.neu_ags != ags)
        .order_by(Gebietsaenderung.einwohner.desc())
        .limit(1)
    ).first()
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
        # a change after the directory's Gebietsstand (the 2025 list beside the 2024 directory)
        **(
            {"Gebietsänderung": f"seit {later[2]:%d.%m.%Y} Teil von {later[0]} (AGS {later[1]})"}
            if later
            else {}
        ),
        "Gebietsstand": day(g.gebietsstand),
        "Einwohner am": day(g.einwohner_stand),
        "Quelle": f"{PUBLISHER} ({file_name(g.source_url)})",
    }
