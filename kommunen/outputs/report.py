"""The HTML report: a map of Germany beside the ranked leads, in one self-contained file.

People would rather look at a map than read a hundred AGS, and a team forwards the report by
email and opens it offline: so everything is inline (SVG, CSS, a little JavaScript), nothing is
fetched, and every text from a notice or a profile goes through Jinja's autoescaping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kommunen.matching.lead import Lead
from kommunen.outputs.cards import (
    Fakten,
    Steckbrief,
    german,
    kommune_card,
    lead_card,
    name_of,
    tender_places,
    web,
)
from kommunen.outputs.map import Karte, karte
from kommunen.outputs.render import BERLIN
from kommunen.places.laender import LAENDER
from scrapers.cleaning import clean_text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kommunen.matching.leads import Ranking
    from kommunen.matching.profile import Profile
    from kommunen.places.gemeinden import GemeindeIndex
    from kommunen.places.similar import SimilarKommune

TEMPLATES = Path(__file__).with_name("templates")
HTML = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), trim_blocks=True
)
KIND_LABEL = {"kommune": "Kommune", "tender": "Ausschreibung", "funding": "Förderprogramm"}
WEEKS = 12  # the chart's weeks from this one on; later deadlines share one bar
LEVELS = 5  # shades of a Kommune lead: 0–19, 20–39, … 80–100 Punkte


@dataclass(frozen=True, slots=True)
class Zeile:
    """One row of the lead table."""

    id: str
    art: str
    land: str
    punkte: int
    frist: str  # "16.12.2026" or ""
    frist_iso: str  # for sorting
    stufe: str
    titel: str
    warum: str
    kontakt: str
    url: str
    kommune: str = ""  # the key of the Kommune's card and area, or ""


@dataclass(frozen=True, slots=True)
class Punkt:
    """A point on the map: a Gemeinde lead seen from afar, a reference or a tender's buyer."""

    key: str  # the card it opens
    x: float
    y: float
    titel: str
    stufe: int = 0
    zeile: str = ""  # the table row it stands for


@dataclass(frozen=True, slots=True)
class Balken:
    label: str
    anzahl: int
    titel: str


@dataclass(frozen=True, slots=True)
class Umkreis:
    x: float
    y: float
    r: float
    titel: str


@dataclass(slots=True)
class Bericht:
    titel: str
    untertitel: str
    erstellt: str
    karte: Karte
    zeilen: list[Zeile] = field(default_factory=list)
    steckbriefe: list[Steckbrief] = field(default_factory=list)
    stufen: dict[str, int] = field(default_factory=dict)  # area key → shade 1..LEVELS
    referenzen: list[Punkt] = field(default_factory=list)
    orte: list[Punkt] = field(default_factory=list)  # Gemeinde leads as dots when zoomed out
    ausschreibungen: list[Punkt] = field(default_factory=list)
    umkreis: Umkreis | None = None
    wochen: list[Balken] = field(default_factory=list)
    legende: str = "Kommune-Leads nach Punkten"

    @property
    def referenz_keys(self) -> set[str]:
        return {p.key for p in self.referenzen}

    @property
    def laender(self) -> list[str]:
        return sorted({z.land for z in self.zeilen if z.land})

    @property
    def arten(self) -> list[str]:
        return [a for a in KIND_LABEL.values() if any(z.art == a for z in self.zeilen)] + sorted(
            {z.art for z in self.zeilen} - set(KIND_LABEL.values())
        )


def level(score: float) -> int:
    return min(LEVELS, 1 + int(score * LEVELS))


def _where(index: GemeindeIndex, key: str) -> tuple[float, float] | None:
    """(lon, lat) of a Gemeinde (8 digits) or a Kreis (5), None when unknown."""
    rows, lon, lat = (
        (index.row_of, index.lon, index.lat)
        if len(key) == 8
        else (index.kreise.row_of, index.kreise.lon, index.kreise.lat)
    )
    i = rows.get(key)
    if i is None or not (lon[i] == lon[i] and lat[i] == lat[i]):  # unknown, or no coordinates (NaN)
        return None
    return float(lon[i]), float(lat[i])


def _point(drawn: Karte, index: GemeindeIndex, key: str, titel: str, **extra: object) -> Punkt | None:
    where = _where(index, key)
    if where is None:
        return None
    x, y = drawn.point(*where)
    return Punkt(key, x, y, titel, **extra)  # type: ignore[arg-type]


def _land(key: str) -> str:
    return LAENDER[key[:2]][0] if key[:2] in LAENDER else ""


def weeks(deadlines: Iterable[datetime], now: datetime) -> list[Balken]:
    """Leads due per calendar week, from this week on, the later ones in one last bar."""
    today = now.astimezone(BERLIN).date()
    monday = today - timedelta(days=today.weekday())
    counts = [0] * (WEEKS + 1)
    for deadline in deadlines:
        day = deadline.astimezone(BERLIN).date()
        if day >= today:
            counts[min(WEEKS, (day - monday).days // 7)] += 1
    bars = []
    for i, n in enumerate(counts[:WEEKS]):
        start = monday + timedelta(weeks=i)
        end = start + timedelta(days=6)
        kw = start.isocalendar().week
        bars.append(Balken(f"KW {kw}", n, f"KW {kw} ({start:%d.%m.}–{end:%d.%m.}): {n} Fristen"))
    later = monday + timedelta(weeks=WEEKS)
    bars.append(Balken("später", counts[WEEKS], f"ab {later:%d.%m.%Y}: {counts[WEEKS]} Fristen"))
    return bars


def _row(lead: Lead, kommune: str, kontakt: str, stufe: str) -> Zeile:
    when = lead.deadline.astimezone(BERLIN) if lead.deadline else None
    return Zeile(
        id=lead.lead_id,
        art=KIND_LABEL.get(lead.kind, lead.kind),
        land=_land(kommune),
        punkte=round(lead.score * 100),
        frist=f"{when:%d.%m.%Y}" if when else "",
        frist_iso=when.isoformat() if when else "",
        stufe=clean_text(stufe),
        titel=clean_text(lead.title),
        warum=clean_text(lead.excluded or lead.reason),
        kontakt=clean_text(kontakt),
        url=web(lead.url),
        kommune=kommune,
    )


def bericht(
    engine: Engine,
    profile: Profile,
    ranking: Ranking,
    index: GemeindeIndex,
    data_dir: Path,
    now: datetime,
    limit: int = 100,
) -> Bericht:
    """The report of a ranking: the best `limit` leads of each kind, the profile's references
    and home radius, and the cards of every Kommune on the map."""
    leads = sorted(
        (lead for kind in KIND_LABEL for lead in ranking.select(kind, limit=limit)), key=lambda x: -x.score
    )
    refs = [index.find_kommune(r) for r in profile.referenzen]
    kommunen = [x for x in leads if x.kind == "kommune"]
    wanted = {x.ref for x in kommunen if len(x.ref) == 8} | {r.key for r in refs if r.ebene == "gemeinde"}
    drawn = karte(data_dir, wanted)
    made = Bericht(
        f"Bericht für {profile.name}",
        f"{len(leads)} Leads: je Art die besten {limit}",
        f"{now.astimezone(BERLIN):%d.%m.%Y %H:%M}",
        drawn,
        wochen=weeks([x.deadline for x in leads if x.deadline], now),
    )
    cards: dict[str, Steckbrief] = {}
    fakten_of = Fakten(engine, index)
    for lead in kommunen:
        cards[lead.ref] = card = lead_card(fakten_of, lead)
        made.stufen[lead.ref] = level(lead.score)
        kontakt = lead.kommune.kontakt if lead.kommune else next((v for _, v in card.kontakt), "")
        made.zeilen.append(_row(lead, lead.ref, kontakt, ""))
        if len(lead.ref) == 8:
            dot = _point(drawn, index, lead.ref, card.name, stufe=level(lead.score), zeile=lead.lead_id)
            made.orte += [dot] if dot else []
    stored = tender_places(engine, [x for x in leads if x.kind == "tender" and x.tender is None])
    for lead in leads:
        if lead.kind == "tender":
            facts = lead.tender
            key, buyer, stufe = (
                (facts.kommune_key, facts.buyer, facts.stufe)
                if facts
                else stored.get(lead.lead_id, ("", "", ""))
            )
            stufe = stufe or lead.stages.rsplit(" · ", 1)[-1]
            made.zeilen.append(_row(lead, key, buyer, stufe))
            if not key or (key not in index.row_of and key not in index.kreise.row_of):
                continue  # a buyer that is no Kommune (a ministry, a hospital) has no place on the map
            if key not in cards:
                cards[key] = kommune_card(fakten_of, key)
            cards[key].ausschreibungen.append((lead.lead_id, clean_text(lead.title)))
            if not stufe.startswith("vergeben") and (lead.deadline is None or lead.deadline >= now):
                dot = _point(drawn, index, key, clean_text(lead.title), zeile=lead.lead_id)
                made.ausschreibungen += [dot] if dot else []  # open: a point at its buyer
        elif lead.kind == "funding":
            made.zeilen.append(_row(lead, "", "", ""))
    made.zeilen.sort(key=lambda z: -z.punkte)
    for ref in refs:
        if ref.key not in cards:
            cards[ref.key] = kommune_card(fakten_of, ref.key)
        card = cards[ref.key]
        card.referenz = True
        dot = _point(drawn, index, ref.key, f"Referenzkommune {card.name}")
        made.referenzen += [dot] if dot else []
    if profile.heimat and profile.radius_km:
        home = index.find(profile.heimat)
        x, y = drawn.point(float(index.lon[home]), float(index.lat[home]))
        titel = f"{round(profile.radius_km)} km um {index.name[home]}"
        made.umkreis = Umkreis(x, y, float(profile.radius_km), titel)
    made.steckbriefe = list(cards.values())
    return made


def aehnliche(
    results: Sequence[SimilarKommune],
    references: Sequence[str],
    index: GemeindeIndex,
    data_dir: Path,
    now: datetime,
) -> Bericht:
    """The map of `kommunen similar`: the references and the Kommunen like them, shaded by likeness."""
    refs = [index.find_kommune(r) for r in references]
    wanted = {r.ags for r in results if r.ebene == "gemeinde"} | {
        r.key for r in refs if r.ebene == "gemeinde"
    }
    drawn = karte(data_dir, wanted)
    names = ", ".join(name_of(index, r.key) for r in refs)
    made = Bericht(
        f"Ähnlich wie {names}",
        f"{len(results)} ähnliche Kommunen",
        f"{now.astimezone(BERLIN):%d.%m.%Y %H:%M}",
        drawn,
        legende="Ähnlichkeit in %",
    )
    for r in results:
        punkte = round(r.aehnlichkeit * 100)
        facts = [("AGS", r.ags), ("Typ", r.typ), ("Kreis", r.kreis), ("Land", r.land)]
        facts += [("Einwohner", german(r.einwohner)), ("Einwohner je km²", german(r.dichte))]
        if r.entfernung_km is not None:
            facts.append(("Entfernung zur Referenz", f"{round(r.entfernung_km)} km"))
        card = Steckbrief(r.ags, r.name, r.typ, punkte, clean_text(r.begruendung), fakten=facts, voll=False)
        made.steckbriefe.append(card)
        made.stufen[r.ags] = level(r.aehnlichkeit)
        row_id = f"kommune:{r.ags}"
        made.zeilen.append(
            Zeile(row_id, "Kommune", _land(r.ags), punkte, "", "", "", r.name, card.warum, "", "", r.ags)
        )
        if r.ebene == "gemeinde":
            dot = _point(drawn, index, r.ags, r.name, stufe=level(r.aehnlichkeit), zeile=row_id)
            made.orte += [dot] if dot else []
    for ref in refs:
        name = name_of(index, ref.key)
        made.steckbriefe.append(
            Steckbrief(ref.key, name, "Referenz", referenz=True, fakten=[("AGS", ref.key)], voll=False)
        )
        dot = _point(drawn, index, ref.key, f"Referenzkommune {name}")
        made.referenzen += [dot] if dot else []
    return made


def render(report: Bericht) -> str:
    return HTML.get_template("bericht.html.j2").render(b=report, levels=range(1, LEVELS + 1))


def write(report: Bericht, path: Path) -> int:
    """Write the report; its size in bytes."""
    data = render(report).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def anhang(
    engine: Engine,
    profile: Profile,
    ranking: Ranking,
    index: GemeindeIndex,
    data_dir: Path,
    now: datetime,
) -> tuple[str, bytes] | None:
    """The day's report as the digest's attachment ("bericht-2026-12-03.html"); None without the
    boundary files: the digest matters more than its map."""
    from kommunen.errors import DataFileError

    try:
        made = bericht(engine, profile, ranking, index, data_dir, now)
    except DataFileError:
        return None
    return f"bericht-{now.astimezone(BERLIN):%Y-%m-%d}.html", render(made).encode("utf-8")
