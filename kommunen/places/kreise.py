"""Kreise: the 400 Landkreise, Kreise, kreisfreie Städte and Stadtkreise as Kommunen of their own.

The directory's Kreis rows carry only key, type and name; population, area and a centre come from
their Gemeinden (summed, population-weighted), the seat of the administration from the
Anschriftenverzeichnis. `KreisIndex` has the columns `GemeindeIndex` has, under the same names,
so that similarity and leads treat both alike.

A kreisfreie Stadt is a Gemeinde and a Kreis at once. A plain name ("Augsburg") means the Gemeinde,
as it always did; a Kreis is asked for by its word ("Landkreis Augsburg", "Kreis Pinneberg",
"kreisfreie Stadt Augsburg"), by its own name where no Gemeinde has it ("Wartburgkreis",
"Region Hannover") or by its five-digit key ("09772", "Kreis 09772").
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kommunen.errors import AmbiguousGemeinde, UnknownKreis
from kommunen.places.columns import Column, Columns
from kommunen.places.laender import LAENDER
from kommunen.text import fold

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from kommunen.places.distance import Features

# Textkennzeichen of the directory's Kreis rows (scrapers.gemeindeverzeichnis.TEXTKENNZEICHEN).
KREIS_TYPEN = {
    "Kreisfreie Stadt": "41",
    "Stadtkreis": "42",
    "Kreis": "43",
    "Landkreis": "44",
    "Regionalverband": "45",
}
KREISFREI = ("41", "42")
# Words that ask for a Kreis, folded: "Landkreis Augsburg", "Lkr. Augsburg", "kreisfreie Stadt Augsburg".
KREIS_WORDS = {
    "landkreis": False,
    "lkr": False,
    "lk": False,
    "kreis": False,
    "kr": False,
    "kreisfreie stadt": True,
    "stadtkreis": True,
}
_ASKS = re.compile(rf"^({'|'.join(sorted(KREIS_WORDS, key=len, reverse=True))})\s+(.+)$")
_ASKS_AFTER = re.compile(rf"^(.+?)\s+({'|'.join(sorted(KREIS_WORDS, key=len, reverse=True))})$")
_KEY = re.compile(r"^(?:(?:land)?kreis\s+)?(\d{5})$")
_OWN_WORD = re.compile(r"kreis|region|verband", re.IGNORECASE)
_LEADING = re.compile(r"^(landkreis|kreis|region|staedteregion|regionalverband)\s+")


def kreis_label(name: str, textkennzeichen: str) -> str:
    """What people call it: "Landkreis Tübingen", "Kreis Pinneberg", "Stadt Augsburg",
    "Stadtkreis Heidelberg"; a name that says Kreis or Region itself ("Wartburgkreis") as it is."""
    short = name.split(",", 1)[0].strip()
    if textkennzeichen == "41":
        return f"Stadt {short}"
    if textkennzeichen == "42":
        return f"Stadtkreis {short}"
    if _OWN_WORD.search(short):
        return short
    return f"{'Landkreis' if textkennzeichen == '44' else 'Kreis'} {short}"


def asks_for_kreis(query: str) -> bool:
    """Whether the words of a query name a Kreis rather than a Gemeinde."""
    folded = fold(query)
    return bool(_KEY.match(folded) and not folded.isdigit()) or bool(
        _ASKS.match(folded) or _ASKS_AFTER.match(folded)
    )


class Bound:
    """An index read from a database that it reads more from later (postal codes, neighbours), with
    its columns as plain lists (`columns`) and as numpy arrays (by their names, made when first used).

    Pickled without its engine and its arrays (the cache of places/cache.py); `rebind` names the
    database again and the engine is made when first needed, so a query answered from the cache
    never imports SQLAlchemy.
    """

    ebene: str
    columns: Columns
    textkennzeichen = Column(str)
    einwohner = Column(float)
    flaeche = Column(float)
    dichte = Column(float)
    lon = Column(float)
    lat = Column(float)
    verstaedterung = Column(float)
    kreis_key = Column(str)
    land_key = Column(str)

    _engine: Engine | None = None
    _url: str = ""

    def bind_to(self, engine: Engine) -> None:
        self._engine = engine

    def rebind(self, url: str) -> None:
        self._engine, self._url = None, url

    @property
    def engine(self) -> Engine:
        """The database the index was read from, for what is loaded later (neighbours)."""
        if self._engine is None:
            from kommunen.store.db import make_engine

            self._engine = make_engine(self._url)
        return self._engine

    @cached_property
    def features(self) -> Features:
        """What similarity compares, per row (places/distance.py): kept in the cache with the index."""
        from kommunen.places.distance import Features

        return Features.of(self.columns, self.ebene)

    def __getstate__(self) -> dict[str, Any]:
        arrays = {name for name, value in vars(Bound).items() if isinstance(value, Column)}
        return {k: v for k, v in self.__dict__.items() if k not in arrays} | {"_engine": None}


class KreisIndex(Bound):
    """Every Kreis with population, area, density, centre, urbanisation, Land and seat."""

    ebene = "kreis"

    def __init__(self, conn: Connection, engine: Engine) -> None:
        from sqlalchemy import func, select

        from kommunen.store.models import Gebiet, Gemeinde, KreisSitz

        self.bind_to(engine)
        rows = conn.execute(
            select(Gebiet.key, Gebiet.name, Gebiet.typ).where(Gebiet.ebene == "kreis").order_by(Gebiet.key)
        ).all()
        people = func.coalesce(Gemeinde.einwohner, 0)
        sums = {
            key: rest
            for key, *rest in conn.execute(
                select(
                    Gemeinde.kreis_key,
                    func.sum(people),
                    func.sum(Gemeinde.flaeche_km2),
                    func.sum(people * Gemeinde.laengengrad),
                    func.sum(people * Gemeinde.breitengrad),
                    func.sum(people * func.coalesce(Gemeinde.verstaedterung, 2)),
                    func.count(),
                ).group_by(Gemeinde.kreis_key)
            )
        }
        rows = [r for r in rows if (sums.get(r[0]) or [0])[0]]  # a Kreis with people
        self.ags: list[str] = [key for key, _, _ in rows]
        self.name: list[str] = [name for _, name, _ in rows]
        textkennzeichen = [KREIS_TYPEN.get(typ, "44") for _, _, typ in rows]
        self.typ: list[str] = [typ for _, _, typ in rows]
        self.kurzname: list[str] = [
            kreis_label(n, t) for n, t in zip(self.name, textkennzeichen, strict=True)
        ]
        total = [[float(v or 0) for v in sums[key][:5]] for key in self.ags]
        einwohner = [t[0] for t in total]
        flaeche = [t[1] for t in total]
        self.columns = Columns(
            textkennzeichen=textkennzeichen,
            einwohner=einwohner,
            flaeche=flaeche,
            dichte=[e / max(f, 1e-9) for e, f in zip(einwohner, flaeche, strict=True)],
            lon=[t[2] / t[0] for t in total],
            lat=[t[3] / t[0] for t in total],
            verstaedterung=[t[4] / t[0] for t in total],
            kreis_key=list(self.ags),
            land_key=[key[:2] for key in self.ags],
        )
        self.gemeinden: list[int] = [int(sums[key][5] or 0) for key in self.ags]
        self.kreis_name: dict[str, str] = dict(zip(self.ags, self.kurzname, strict=True))
        self.row_of = {key: i for i, key in enumerate(self.ags)}
        seats = conn.execute(select(KreisSitz.key, KreisSitz.sitz, KreisSitz.anschrift)).all()
        self.sitz = {key: sitz for key, sitz, _ in seats}
        self.anschrift = {key: anschrift for key, _, anschrift in seats}
        self._by_label: dict[str, list[int]] = defaultdict(list)
        self._by_base: dict[str, list[int]] = defaultdict(list)
        for i, (name, label) in enumerate(zip(self.name, self.kurzname, strict=True)):
            for text in {fold(label), fold(name.split(",", 1)[0])}:
                self._by_label[text].append(i)
            self._by_base[_LEADING.sub("", fold(name.split(",", 1)[0]))].append(i)

    def __len__(self) -> int:
        return len(self.ags)

    def label(self, i: int) -> str:
        """ "Landkreis Augsburg (Bayern) – Kreis 09772"."""
        return f"{self.kurzname[i]} ({LAENDER[self.columns.land_key[i]][1]}) – Kreis {self.ags[i]}"

    def find(self, query: str) -> int:
        """The row of the one Kreis `query` names; raises when unsure."""
        folded = fold(query)
        if key := _KEY.match(folded):
            if key.group(1) in self.row_of:
                return self.row_of[key.group(1)]
            raise UnknownKreis(query, [])
        rows = self.named(query)
        if len(rows) == 1:
            return rows[0]
        if rows:
            ordered = sorted(set(rows), key=lambda i: -self.columns.einwohner[i])
            raise AmbiguousGemeinde(query, [self.label(i) for i in ordered])
        raise UnknownKreis(query, self.suggest(query))

    def named(self, query: str) -> list[int]:
        """Rows whose name the query is; a Kreis word ("Landkreis", "kreisfreie Stadt") also decides
        between a Landkreis and its kreisfreie namesake."""
        folded = fold(query)
        if exact := self._by_label.get(folded):
            return list(dict.fromkeys(exact))
        asked = _ASKS.match(folded)
        word, base = (asked.group(1), asked.group(2)) if asked else ("", folded)
        if not asked and (after := _ASKS_AFTER.match(folded)):  # "Augsburg (Landkreis)"
            word, base = after.group(2), after.group(1)
        rows = self._by_base.get(base, []) or self._by_label.get(base, [])
        if word:
            kreisfrei = KREIS_WORDS[word]
            rows = [i for i in rows if (self.columns.textkennzeichen[i] in KREISFREI) == kreisfrei]
        return list(dict.fromkeys(rows))

    def suggest(self, query: str, limit: int = 5) -> list[str]:
        from rapidfuzz import fuzz, process

        folded = fold(query)
        asked = _ASKS.match(folded) or _ASKS_AFTER.match(folded)
        base = (asked.group(2) if _ASKS.match(folded) else asked.group(1)) if asked else folded
        choices = {i: _LEADING.sub("", fold(n.split(",", 1)[0])) for i, n in enumerate(self.name)}
        found = process.extract(base, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=70)
        return [self.label(i) for _, _, i in found]


def kreis_facts(index: KreisIndex, conn: Connection, i: int) -> dict[str, str | int | float | None]:
    """One Kreis's facts under German labels, for `kommunen gemeinde "Landkreis …"`."""
    from sqlalchemy import select

    from kommunen.store.models import Gemeinde

    key = index.ags[i]
    neighbours = sorted(
        {b if a == key else a for a, b in conn.execute(_neighbour_query(key))},
        key=lambda k: index.kurzname[index.row_of[k]] if k in index.row_of else k,
    )
    stand = conn.execute(
        select(Gemeinde.gebietsstand, Gemeinde.einwohner_stand, Gemeinde.source_url)
        .where(Gemeinde.kreis_key == key)
        .limit(1)
    ).first()
    gebietsstand, einwohner_stand, url = stand if stand else (None, None, "")
    biggest = conn.execute(
        select(Gemeinde.kurzname)
        .where(Gemeinde.kreis_key == key)
        .order_by(Gemeinde.einwohner.desc())
        .limit(1)
    ).scalar()
    return {
        "Name": index.kurzname[i],
        "Kreisschlüssel": key,
        "Typ": index.typ[i],
        "Land": LAENDER[str(index.land_key[i])][1],
        "Sitz der Kreisverwaltung": index.sitz.get(key) or NOT_STORED,
        "Anschrift": index.anschrift.get(key) or None,
        "Einwohner": int(index.einwohner[i]),
        "Fläche km²": round(float(index.flaeche[i]), 2),
        "Einwohner je km²": round(float(index.dichte[i]), 1),
        "Gemeinden": int(index.gemeinden[i]),
        "Größte Gemeinde": biggest if index.textkennzeichen[i] not in KREISFREI else None,
        "Nachbarkreise": ", ".join(index.kreis_name.get(k, k) for k in neighbours) or None,
        "Gebietsstand": day(gebietsstand),
        "Einwohner am": day(einwohner_stand),
        "Quelle": f"{PUBLISHER} ({file_name(url)}); Einwohner und Fläche: Summe seiner Gemeinden",
    }


NOT_STORED = "nicht gespeichert (Anschriftenverzeichnis nicht importiert)"
PUBLISHER = "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis"


def _neighbour_query(key: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from kommunen.store.models import Nachbar

    return select(Nachbar.key_a, Nachbar.key_b).where(
        Nachbar.kind == "kreis", (Nachbar.key_a == key) | (Nachbar.key_b == key)
    )


NOT_IN_FILE = "in der Datei nicht angegeben"


def day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else NOT_IN_FILE


def file_name(url: str) -> str:
    """ "file:///…/AuszugGV4QAktuell_2024.xlsx" or Destatis' "…/AuszugGV4QAktuell.xlsx?__blob=…"."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
