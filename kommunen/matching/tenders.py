"""Browse stored tenders: search words, Land, open deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, String, or_, select
from sqlalchemy.orm import Session

from kommunen.matching.procedures import STAGE_WORDS, as_stage
from kommunen.store.db import session_scope
from kommunen.store.models import Gebiet, Gemeinde, Tender
from kommunen.store.upsert import all_words
from scrapers.records import Stage

# NUTS-1 code of each Land, keyed by the Land's AGS prefix.
NUTS1 = {
    "01": "DEF",
    "02": "DE6",
    "03": "DE9",
    "04": "DE5",
    "05": "DEA",
    "06": "DE7",
    "07": "DEB",
    "08": "DE1",
    "09": "DE2",
    "10": "DEC",
    "11": "DE3",
    "12": "DE4",
    "13": "DE8",
    "14": "DED",
    "15": "DEE",
    "16": "DEG",
}


@dataclass(frozen=True, slots=True)
class TenderRow:
    source: str
    source_id: str
    veroeffentlicht: date | None
    frist: datetime | None
    titel: str
    auftraggeber: str
    amt: str
    ort: str
    kommune: str  # key of the buyer's Gemeinde (8 digits) or Kreis (5), "" when none
    kommune_name: str
    stufe: str
    cpv: str
    art: str
    url: str


def find_tenders(
    engine: Engine,
    *,
    search: str = "",
    land: str | None = None,
    open_after: datetime | None = None,
    limit: int = 50,
) -> list[TenderRow]:
    query = select(Tender).where(*all_words(search, Tender.title, Tender.description, Tender.buyer_name))
    if land:
        nuts = NUTS1[land]
        query = query.where(
            or_(
                Tender.kommune_key.startswith(land),
                Tender.buyer_nuts.startswith(nuts),
                Tender.place_nuts.cast(String).contains(f'"{nuts}'),
            )
        )
    if open_after is not None:  # an award, a modification or a VEAT notice has no deadline, and is no call
        closed = [str(s) for s in (Stage.RESULT, Stage.MODIFICATION, Stage.VEAT)]
        query = query.where(
            or_(Tender.submission_deadline.is_(None), Tender.submission_deadline >= open_after),
            Tender.stage.not_in(closed),
        )
    query = query.order_by(Tender.publication_date.desc(), Tender.source_id).limit(limit)
    with session_scope(engine) as session:
        found = list(session.scalars(query))
        names = kommune_names(session, {t.kommune_key for t in found if t.kommune_key})
        return [
            TenderRow(
                source=t.source,
                source_id=t.source_id,
                veroeffentlicht=t.publication_date,
                frist=t.submission_deadline,
                titel=t.title,
                auftraggeber=t.buyer_name,
                amt=t.buyer_department,
                ort=" ".join(p for p in (t.buyer_postal_code, t.buyer_city) if p),
                kommune=t.kommune_key or "",
                kommune_name=names.get(t.kommune_key or "", ""),
                stufe=STAGE_WORDS.get(as_stage(t.stage), ""),
                cpv=t.cpv_main,
                art=t.notice_type,
                url=t.url,
            )
            for t in found
        ]


def kommune_names(session: Session, keys: set[str]) -> dict[str, str]:
    """Names of Gemeinden (8-digit keys) and Kreise (5-digit keys) as the directory writes them."""
    gemeinden = {k for k in keys if len(k) == 8}
    names = dict(
        session.execute(select(Gemeinde.ags, Gemeinde.name).where(Gemeinde.ags.in_(gemeinden))).all()
    )
    kreise = select(Gebiet.key, Gebiet.typ, Gebiet.name).where(Gebiet.key.in_(keys - gemeinden))
    for key, typ, name in session.execute(kreise):  # "Landkreis Passau", but "Wetteraukreis"
        says_kreis = re.search(r"kreis|region|verband", name, re.IGNORECASE)
        names[key] = name if says_kreis or not typ else f"{typ} {name}"
    return names
