"""The cards of the report: what it says of a Kommune (facts, indicators, purchases, departments,
contact), read with the functions `kommunen gemeinde` uses, so both say the same."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kommunen.matching.lead import Lead
from scrapers.cleaning import clean_text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kommunen.places.gemeinden import GemeindeIndex


@dataclass(slots=True)
class Steckbrief:
    """A Kommune's card: facts, indicators, purchases, departments, contact."""

    key: str
    name: str
    art: str
    punkte: int | None = None
    warum: str = ""
    url: str = ""
    referenz: bool = False
    fakten: list[tuple[str, str]] = field(default_factory=list)
    merkmale: list[tuple[str, str]] = field(default_factory=list)
    historie: list[str] = field(default_factory=list)
    fachbereiche: list[str] = field(default_factory=list)
    kontakt: list[tuple[str, str]] = field(default_factory=list)
    ausschreibungen: list[tuple[str, str]] = field(default_factory=list)  # (row id, title) it bought
    voll: bool = True  # with purchases, departments and contact (False: `similar` knows only facts)


def name_of(index: GemeindeIndex, key: str) -> str:
    if len(key) == 8:
        i = index.row_of.get(key)
        return index.name[i] if i is not None else key
    return index.kreis_name.get(key, key)


def web(url: str) -> str:
    """A link worth a click: http(s) only, never `javascript:` from a notice."""
    return url if url.startswith(("https://", "http://")) else ""


def german(value: object) -> str:
    """23251 → "23.251", 25.22 → "25,22"."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


class Fakten:
    """Facts and indicators of Kommunen under German labels, as `kommunen gemeinde` shows them;
    the indicators are read once for all cards (one Kommune's read takes a third of a second)."""

    def __init__(self, engine: Engine, index: GemeindeIndex) -> None:
        from kommunen.places.indikatoren import SELECTION, Indikatoren
        from kommunen.store.db import session_scope

        self.engine, self.index = engine, index
        with session_scope(engine) as session:
            self.werte = Indikatoren(session.connection(), [key for key, _ in SELECTION])
        self.auswahl = [key for key, _ in SELECTION]

    def of(self, key: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        from kommunen.places.gemeinden import gemeinde_facts
        from kommunen.places.indikatoren import QUELLE
        from kommunen.places.kreise import kreis_facts
        from kommunen.store.db import session_scope

        with session_scope(self.engine) as session:
            if len(key) == 8:
                found = gemeinde_facts(session, key)
            else:
                found = kreis_facts(self.index.kreise, session.connection(), self.index.kreise.row_of[key])
        merkmale = [m for m in (self.werte.merkmal(i, key) for i in self.auswahl) if m is not None]
        shown = [(k, german(v)) for k, v in found.items() if v not in (None, "") and k != "Name"]
        indicators = [(m.name, m.zeile) for m in merkmale]
        return shown, [*indicators, ("Quelle der Merkmale", QUELLE)] if indicators else []


def kommune_card(fakten_of: Fakten, key: str) -> Steckbrief:
    index = fakten_of.index
    fakten, merkmale = fakten_of.of(key)
    art = next((v for k, v in fakten if k == "Typ"), "Gemeinde" if len(key) == 8 else "Kreis")
    card = Steckbrief(key, name_of(index, key), art, fakten=fakten, merkmale=merkmale)
    for label in ("Sitz der Kreisverwaltung", "Anschrift"):
        card.kontakt += [(label, v) for k, v in fakten if k == label]
    return card


def lead_card(fakten_of: Fakten, lead: Lead) -> Steckbrief:
    card = kommune_card(fakten_of, lead.ref)
    card.punkte, card.warum, card.url = round(lead.score * 100), clean_text(lead.reason), web(lead.url)
    facts = lead.kommune
    if facts is not None:
        card.name, card.art = facts.name or card.name, facts.art or card.art
        card.historie = [clean_text(p.sentence()) for p in facts.historie]
        card.fachbereiche = [clean_text(f) for f in facts.fachbereiche]
        contact = [("Ansprechstelle", facts.ansprechstelle), ("Anschrift", facts.adresse)]
        contact.append(("Website", facts.website))
        card.kontakt = [(k, clean_text(v)) for k, v in contact if v] or card.kontakt
    if not card.fachbereiche:
        from kommunen.places.departments import find_contacts

        card.fachbereiche = [clean_text(c.stelle) for c in find_contacts(fakten_of.engine, lead.ref)][:12]
    return card


def tender_places(engine: Engine, leads: Sequence[Lead]) -> dict[str, tuple[str, str, str]]:
    """lead id → (buyer's Kommune key, buyer, "") of tender leads that carry no TenderFacts."""
    from sqlalchemy import select, tuple_

    from kommunen.store.db import session_scope
    from kommunen.store.models import Tender

    wanted = {tuple(lead.ref.split(":", 1)): lead.lead_id for lead in leads if ":" in lead.ref}
    if not wanted:
        return {}
    query = select(Tender.source, Tender.source_id, Tender.kommune_key, Tender.buyer_name)
    with session_scope(engine) as session:
        rows = session.execute(query.where(tuple_(Tender.source, Tender.source_id).in_(list(wanted)))).all()
    return {wanted[(s, i)]: (k or "", b or "", "") for s, i, k, b in rows}
