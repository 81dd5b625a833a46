"""Browse stored Förderprogramme: search words, who may apply, where."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from kommunen.store.db import session_scope
from kommunen.store.models import Funding
from kommunen.store.upsert import all_words
from kommunen.text import fold


@dataclass(frozen=True, slots=True)
class FundingRow:
    source_id: str
    titel: str
    foerderart: str
    gebiet: str
    berechtigte: str
    geber: str
    kurz: str
    ansprechpunkt: str
    url: str


def _matches(values: list[str], wanted: str) -> bool:
    return not wanted or any(fold(wanted) in fold(v) for v in values)


def find_funding(
    engine: Engine, *, search: str = "", berechtigt: str = "", gebiet: str = "", limit: int = 50
) -> list[FundingRow]:
    """Programmes whose text has every search word; berechtigt/gebiet match the vocabularies
    in Python (a few thousand rows), since JSON lists compare differently per database."""
    query = select(Funding).where(*all_words(search, Funding.title, Funding.beschreibung, Funding.stichworte))
    with session_scope(engine) as session:
        found = [
            f
            for f in session.scalars(query.order_by(Funding.title))
            if _matches(f.foerderberechtigte, berechtigt) and _matches(f.foerdergebiet, gebiet)
        ]
        return [
            FundingRow(
                source_id=f.source_id,
                titel=f.title,
                foerderart=", ".join(f.foerderart),
                gebiet=", ".join(f.foerdergebiet),
                berechtigte=", ".join(f.foerderberechtigte),
                geber=", ".join(f.foerdergeber),
                kurz=f.kurzbeschreibung,
                ansprechpunkt=" | ".join(f.ansprechpunkt),
                url=f.url,
            )
            for f in found[:limit]
        ]
