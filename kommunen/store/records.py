"""Map records onto tables and upsert them: the one place that knows which record goes where."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy.orm import Session

from kommunen.store.models import Code, Department, Funding, Gebiet, Gemeinde, GemeindePlz, OparlBody, Tender
from kommunen.store.upsert import Counts, record_row, upsert
from kommunen.text import fold, fold_ascii
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


def tender_rows(
    session: Session, tenders: list[TenderRecord], linker: PlaceLinker | None = None
) -> list[dict[str, Any]]:
    links = linker.link_buyers(session, tenders) if linker else {}
    return [
        record_row(
            t,
            cpv_additional=list(t.cpv_additional),
            place_nuts=list(t.place_nuts),
            lots=_jsonable(t.lots),
            winners=_jsonable(t.winners),
            previous_notices=list(t.previous_notices),
            stage=str(t.stage),
            kommune_key=links.get(t.source_id),
            search_text=fold_ascii(search_text(t)),
            cpv_codes=" ".join(t.cpv_codes),
        )
        for t in tenders
    ]


SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def search_text(t: TenderRecord) -> str:
    """What the matcher reads besides the title: descriptions of the whole and of each lot, the
    department, the lot titles."""
    lot_texts = (text for lot in t.lots for text in (lot.title, lot.description))
    return each_sentence_once((t.description, t.buyer_department, *lot_texts))


def each_sentence_once(texts: Iterable[str]) -> str:
    """A lot often repeats the whole's description, or its first sentences before adding its own:
    a word in a repeated sentence is one mention, not two."""
    seen: dict[str, None] = {}
    for text in texts:
        for sentence in SENTENCE_END.split(text):
            if sentence := " ".join(sentence.split()):
                seen.setdefault(sentence)
    return " ".join(seen)


class PlaceLinker(Protocol):
    """Says which Kommune a buyer or a council body is; places provides it, store only asks."""

    def link_buyers(self, session: Session, tenders: list[TenderRecord]) -> dict[str, str]:
        """source_id → key of the Kommune that bought."""
        ...

    def link_bodies(self, session: Session, bodies: list[BodyRecord]) -> dict[str, str]:
        """source_id → AGS, for bodies that carry none."""
        ...


def body_rows(session: Session, bodies: list[BodyRecord], linker: PlaceLinker | None) -> list[dict[str, Any]]:
    links = linker.link_bodies(session, bodies) if linker else {}
    return [record_row(b, ags=b.ags or links.get(b.source_id, "")) for b in bodies]


def store_records(session: Session, records: Iterable[Record], linker: PlaceLinker | None = None) -> Counts:
    """Upsert records by type; without a linker, tenders and bodies stay unlinked to Kommunen."""
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
        counts += upsert(session, Tender, tender_rows(session, tenders, linker))
    if funding := by_type.pop(FundingRecord, []):
        counts += upsert(session, Funding, (_json_row(f) for f in funding))
    if bodies := by_type.pop(BodyRecord, []):
        counts += upsert(session, OparlBody, body_rows(session, bodies, linker))
    if departments := by_type.pop(DepartmentRecord, []):
        counts += upsert(session, Department, (_json_row(d) for d in departments))
    if codes := by_type.pop(CodeRecord, []):
        counts += upsert(session, Code, (record_row(c) for c in codes))
    if by_type:
        raise TypeError(f"no table for {', '.join(t.__name__ for t in by_type)}")
    return counts
