"""What the matcher hands out: leads made of named components, and tenders as columns."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

# What a person reads for a component's name (JSON and the database keep the names themselves).
COMPONENT_LABELS = {
    "text": "Begriffe",
    "cpv": "CPV",
    "region": "Region",
    "auftraggeber": "Auftraggeber",
    "frist": "Frist",
    "leistung": "Leistungsart",
    "verwaltung": "Verwaltung",
    "berechtigt": "Förderberechtigt",
    "gebiet": "Fördergebiet",
    "aehnlichkeit": "Ähnlichkeit",
    "lage": "Lage",
    "nachbarschaft": "Nachbarschaft",
    "historie": "Einkaufshistorie",
    "fachbereich": "Fachbereich",
    "foerderung": "Förderung",
    "bedarf": "Bedarf",
}


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    value: float
    evidence: str


@dataclass(frozen=True, slots=True)
class PastTender:
    """One of a Kommune's notices on the profile's themes: what it bought before, and from whom."""

    ref: str  # "ted:<notice id>"
    year: int | None
    title: str
    stage: str  # German: "Vorinformation", "Ausschreibung", "Vergabe", …
    department: str  # the buyer's department as the notice names it, or ""
    winners: tuple[str, ...]  # "Name (Ort)" of award notices: competitors
    url: str
    score: float  # the tender's own score for the profile

    def sentence(self) -> str:
        """ "2023: Dolmetscherleistungen (Jugendamt) vergeben an Sprachmittler GmbH (Köln)" """
        what = f"{self.title} ({self.department})" if self.department else self.title
        done = f"vergeben an {', '.join(self.winners)}" if self.winners else (self.stage or "ausgeschrieben")
        return f"{self.year or 'o. J.'}: {what} – {done}"


@dataclass(slots=True)
class KommuneFacts:
    """What a Kommune lead says of the place and whom to write to (matching.kommune_leads)."""

    ags: str  # 8 digits (Gemeinde) or 5 (Kreis)
    name: str
    art: str  # "Gemeinde", "Stadt", "Kreis", "Landkreis", …
    kreis: str
    land: str
    einwohner: int
    lat: float | None = None
    lon: float | None = None
    ansprechstelle: str = ""  # the administration that serves it (Amt, Verbandsgemeinde, Rathaus)
    adresse: str = ""
    website: str = ""
    fachbereiche: list[str] = field(default_factory=list)  # fitting departments, best first
    historie: list[PastTender] = field(default_factory=list)  # newest first

    @property
    def kontakt(self) -> str:
        """ "Amt Schenkenländchen, Markt 9, 15755 Teupitz – Fachbereich: Bürgerservice" """
        office = ", ".join(filter(None, (self.ansprechstelle, self.adresse)))
        department = f"Fachbereich: {self.fachbereiche[0]}" if self.fachbereiche else ""
        return " – ".join(filter(None, (office, department)))


@dataclass(frozen=True, slots=True)
class TenderFacts:
    """What the Ausschreibungen sheet and the report show of a tender lead."""

    buyer: str
    ort: str
    kommune_key: str  # the buyer's Gemeinde (8) or Kreis (5), or ""
    cpv: str  # "79540000 Dolmetschdienste"
    stufe: str
    wert: float | None  # estimated or awarded value, EUR


@dataclass(slots=True)
class Lead:
    kind: str  # tender | funding | kommune
    ref: str  # "ted:<notice id>", "foerderdatenbank:<path>", "<AGS>"
    title: str
    url: str
    score: float = 0.0
    components: list[Component] = field(default_factory=list)
    excluded: str = ""  # why the lead was dropped, when it was
    deadline: datetime | None = None  # tenders: the submission deadline
    first_seen: datetime | None = None  # when stored leads were first seen (leads.mark_first_seen)
    stages: str = ""  # tenders: the procedure's notices, "Vorinformation 03/2024 · Ausschreibung …"
    kommune: KommuneFacts | None = None  # kommune leads
    tender: TenderFacts | None = None  # tender leads

    @property
    def lead_id(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def reason(self) -> str:
        found = [c.evidence for c in self.components if c.value > 0 and c.evidence]
        return " · ".join([*found, self.stages] if self.stages else found)


@dataclass(slots=True)
class TenderColumns:
    """Tenders as columns: a ranking reads 100k of them, and only the few a person looks at
    become Lead objects. place_nuts is the stored JSON text, decoded once per distinct value."""

    source: list[str] = field(default_factory=list)
    source_id: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    search_text: Sequence[str] = field(default_factory=list)  # folded (records_store)
    url: list[str] = field(default_factory=list)
    source_url: list[str] = field(default_factory=list)
    kommune_key: list[str | None] = field(default_factory=list)
    buyer_nuts: list[str] = field(default_factory=list)
    buyer_country: list[str] = field(default_factory=list)
    place_nuts: list[str] = field(default_factory=list)
    cpv_codes: list[str] = field(default_factory=list)
    contract_nature: list[str] = field(default_factory=list)
    notice_type: list[str] = field(default_factory=list)  # design contests plan buildings (topic)
    buyer_legal_type: list[str] = field(default_factory=list)
    buyer_name: list[str] = field(default_factory=list)  # what kind of body buys (topic.buyer_kind)
    submission_deadline: list[datetime | None] = field(default_factory=list)
    planned_date: list[date | str | None] = field(default_factory=list)  # str: ISO text as stored
    # What a person reads of the lead (TenderFacts) and of a Kommune's purchase history:
    buyer_city: list[str] = field(default_factory=list)
    buyer_department: list[str] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)
    publication_date: list[str | None] = field(default_factory=list)  # ISO text
    winners: list[str] = field(default_factory=list)  # JSON text as stored
    estimated_value: list[float | None] = field(default_factory=list)
    awarded_value: list[float | None] = field(default_factory=list)
    # Set when notices are grouped into procedures (matching.procedures), else empty:
    lead_ref: list[str] = field(default_factory=list)  # the procedure's first notice
    stages: list[str] = field(default_factory=list)

    @classmethod
    def stored(cls) -> list[str]:
        """The fields read from the tenders table."""
        return [f.name for f in dataclasses.fields(cls) if f.name not in ("lead_ref", "stages")]

    def take(self, rows: list[int], lead_ref: list[str], stages: list[str]) -> TenderColumns:
        taken = TenderColumns(**{name: [getattr(self, name)[i] for i in rows] for name in self.stored()})
        taken.lead_ref, taken.stages = lead_ref, stages
        return taken

    @classmethod
    def of(cls, rows: Iterable[object]) -> TenderColumns:
        """From ORM objects or rows with the same attributes."""
        columns = cls()
        names = cls.stored()
        for row in rows:
            for name in names:
                value = getattr(row, name)
                if name in ("place_nuts", "winners") and not isinstance(value, str):
                    value = json.dumps(value)
                elif name == "publication_date" and value is not None:
                    value = str(value)
                getattr(columns, name).append(value)
        return columns

    def __len__(self) -> int:
        return len(self.source)
