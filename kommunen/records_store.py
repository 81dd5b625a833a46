"""Map records onto tables and upsert them: the one place that knows which record goes where."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunen.matching.text import fold_ascii as fold_for_matching
from kommunen.models import Code, Department, Funding, Gebiet, Gemeinde, GemeindePlz, OparlBody, Tender
from kommunen.store import Counts, record_row, upsert
from kommunen.text import fold
from scrapers.records import (
    BodyRecord,
    CodeRecord,
    DepartmentRecord,
    FundingRecord,
    GebietRecord,
    GemeindeRecord,
    PlzRecord,
    Record,
    TenderRecord,
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _json_row(record: Any) -> dict[str, Any]:
    """A record's row with tuples as JSON lists."""
    row = record_row(record)
    return {k: _jsonable(v) if isinstance(v, tuple) else v for k, v in row.items()}


def tender_rows(session: Session, tenders: list[TenderRecord]) -> list[dict[str, Any]]:
    links = link_buyers(session, tenders)
    return [
        record_row(
            t,
            cpv_additional=list(t.cpv_additional),
            place_nuts=list(t.place_nuts),
            lots=_jsonable(t.lots),
            gemeinde_ags=links.get(t.source_id),
            search_text=fold_for_matching(
                " ".join((t.description, t.buyer_department, *(lot.title for lot in t.lots)))
            ),
            cpv_codes=" ".join(t.cpv_codes),
        )
        for t in tenders
    ]


MUNICIPAL_WORDS = frozenset(
    {
        "stadt",
        "gemeinde",
        "markt",
        "landkreis",
        "kreis",
        "amt",
        "samtgemeinde",
        "verbandsgemeinde",
        "stadtverwaltung",
        "gemeindeverwaltung",
        "kreisverwaltung",
        "eigenbetrieb",
        "landeshauptstadt",
        "hansestadt",
    }
)


def is_municipal(t: TenderRecord) -> bool:
    """A local authority (BT-11 "la") or a name that says Stadt/Gemeinde/Kreis/Eigenbetrieb."""
    return t.buyer_legal_type == "la" or not MUNICIPAL_WORDS.isdisjoint(fold(t.buyer_name).split())


KREIS_WORDS = frozenset({"kreis", "landkreis", "kreisverwaltung", "kreistag", "regionalverband"})


def body_rows(session: Session, bodies: list[BodyRecord]) -> list[dict[str, Any]]:
    """Bodies as rows; one without an AGS gets it from its name ("Rat der Stadt Erkelenz")."""
    rows = [record_row(b) for b in bodies]
    if any(not b.ags for b in bodies):
        from kommunen.errors import LookupFailed
        from kommunen.gemeinden import GemeindeIndex

        index = GemeindeIndex(session)
        for row in rows:
            words = row["name"].split()
            if row["ags"] or not KREIS_WORDS.isdisjoint(fold(row["name"]).split()):
                continue  # a Kreis's body is no Gemeinde, even when it is named after its seat
            for start in range(len(words)):
                try:
                    row["ags"] = index.ags[index.find(" ".join(words[start:]))]
                    break
                except LookupFailed:
                    continue
    return rows


def link_buyers(session: Session, tenders: list[TenderRecord]) -> dict[str, str]:
    """source_id → AGS where a municipal German buyer's postal code and name point to one Gemeinde."""
    german = [
        t
        for t in tenders
        if t.buyer_country == "DEU" and t.buyer_postal_code[:5].isdigit() and is_municipal(t)
    ]
    if not german:
        return {}
    postcodes = {t.buyer_postal_code[:5] for t in german}
    by_plz: dict[str, list[tuple[str, str]]] = defaultdict(list)
    rows = session.execute(
        select(GemeindePlz.plz, Gemeinde.ags, Gemeinde.suchname)
        .join(Gemeinde, Gemeinde.ags == GemeindePlz.ags)
        .where(GemeindePlz.plz.in_(postcodes))
        .distinct()
    )
    for plz, ags, suchname in rows:
        by_plz[plz].append((ags, suchname))
    links = {}
    for t in german:
        candidates = by_plz.get(t.buyer_postal_code[:5], [])
        words = f" {fold(t.buyer_name)} {fold(t.buyer_city)} "
        named = [ags for ags, name in candidates if f" {name} " in words]
        if len(named) == 1:
            links[t.source_id] = named[0]
        elif len(candidates) == 1 and fold(t.buyer_city) == candidates[0][1]:
            links[t.source_id] = candidates[0][0]
    return links


def store_records(session: Session, records: Iterable[Record]) -> Counts:
    by_type: dict[type, list[Any]] = defaultdict(list)
    for record in records:
        by_type[type(record)].append(record)
    counts = Counts()
    if gebiete := by_type.pop(GebietRecord, []):
        counts += upsert(session, Gebiet, (record_row(r) for r in gebiete))
    if gemeinden := by_type.pop(GemeindeRecord, []):
        counts += upsert(
            session,
            Gemeinde,
            (
                record_row(
                    g, land_key=g.land_key, kreis_key=g.kreis_key, dichte=g.dichte, suchname=fold(g.kurzname)
                )
                for g in gemeinden
            ),
        )
    if plz := by_type.pop(PlzRecord, []):
        counts += upsert(session, GemeindePlz, (record_row(p) for p in plz))
    if tenders := by_type.pop(TenderRecord, []):
        counts += upsert(session, Tender, tender_rows(session, tenders))
    if funding := by_type.pop(FundingRecord, []):
        counts += upsert(session, Funding, (_json_row(f) for f in funding))
    if bodies := by_type.pop(BodyRecord, []):
        counts += upsert(session, OparlBody, body_rows(session, bodies))
    if departments := by_type.pop(DepartmentRecord, []):
        counts += upsert(session, Department, (_json_row(d) for d in departments))
    if codes := by_type.pop(CodeRecord, []):
        counts += upsert(session, Code, (record_row(c) for c in codes))
    if by_type:
        raise TypeError(f"no table for {', '.join(t.__name__ for t in by_type)}")
    return counts
