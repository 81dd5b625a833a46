"""What the matcher hands out: leads made of named components, and tenders as columns."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    value: float
    evidence: str


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
    buyer_legal_type: list[str] = field(default_factory=list)
    buyer_name: list[str] = field(default_factory=list)  # what kind of body buys (topic.buyer_kind)
    submission_deadline: list[datetime | None] = field(default_factory=list)
    planned_date: list[date | str | None] = field(default_factory=list)  # str: ISO text as stored
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
                if name == "place_nuts" and not isinstance(value, str):
                    value = json.dumps(value)
                getattr(columns, name).append(value)
        return columns

    def __len__(self) -> int:
        return len(self.source)
