"""Rank everything stored against a profile, remember the leads, and explain one."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import overload

import numpy as np
from sqlalchemy import Engine, Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from kommunen.errors import KommunenError
from kommunen.matching.codelists import CodeLists
from kommunen.matching.columns import TenderKeys
from kommunen.matching.history import purchase_history
from kommunen.matching.kommune_leads import KommuneEvidence, KommuneLeads
from kommunen.matching.lead import Lead, TenderColumns
from kommunen.matching.procedures import NoticeKeys, group
from kommunen.matching.profile import Profile
from kommunen.matching.score import Matcher, ScoredTenders
from kommunen.matching.text import Corpus
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.verwaltungen import fitting_departments, notice_departments, verwaltungen
from kommunen.store.db import session_scope
from kommunen.store.models import Funding, LeadRow, Tender
from kommunen.store.upsert import Counts, upsert

KINDS = ("tender", "funding", "kommune")
STORED_PER_KIND = 1000  # more is not read by a person; excluded leads are not stored


RAW_COLUMNS = (
    "place_nuts",
    "submission_deadline",
    "planned_date",
    "previous_notices",
    "winners",
    "publication_date",
)


def _utc(text: str | None) -> datetime | None:
    """A stored deadline read as text (SQLite: naive UTC; PostgreSQL: with its offset)."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def tender_columns(session, grouped: bool = True) -> TenderColumns:  # type: ignore[no-untyped-def]
    """One column set per procedure (its newest notice; every notice when not grouped), read as
    plain columns through Core with JSON and dates as their text: the ORM's row objects and type
    handling cost more than the scoring itself at 100k rows (measured)."""
    wanted = TenderColumns.stored()
    keys = [f.name for f in dataclasses.fields(NoticeKeys) if f.name not in wanted]
    table = Tender.__table__.c
    names = wanted + keys
    query = select(*(cast(table[name], Text) if name in RAW_COLUMNS else table[name] for name in names))
    rows = session.connection().execute(query).all()
    values = dict(
        zip(names, (list(v) for v in zip(*rows, strict=True)) if rows else ([] for _ in names), strict=True)
    )
    columns = TenderColumns(**{name: values[name] for name in wanted})
    parsed = {text: _utc(text) for text in set(columns.submission_deadline)}  # type: ignore[arg-type]
    columns.submission_deadline = list(map(parsed.__getitem__, columns.submission_deadline))
    if not grouped:
        return columns
    procedures = group(NoticeKeys(**{f.name: values[f.name] for f in dataclasses.fields(NoticeKeys)}))
    first_ref = [f"{columns.source[i]}:{columns.source_id[i]}" for i in procedures.first]
    return columns.take(procedures.newest, first_ref, procedures.stages)


@dataclasses.dataclass(frozen=True, slots=True)
class TendersRead:
    """The procedures' columns, their texts joined for counting, their components' inputs."""

    stamp: str
    columns: TenderColumns
    texts: Corpus
    keys: TenderKeys
    departments: list[tuple[str, str, str]]  # places.verwaltungen.notice_departments


_READ: ContextVar[dict[str, TendersRead] | None] = ContextVar("kommunen_tenders_read", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Rankings inside read, group and join the stored tenders once while they stay unchanged:
    `kommunen run` ranks for the export and again for the digest. Outside, nothing is kept."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def _stamp(session) -> str:  # type: ignore[no-untyped-def]
    """What the stored tenders are now: every row's key and content hash (any change moves it),
    joined by the database into one string: 100k rows as Python tuples cost half a second."""
    keys = (Tender.source, Tender.source_id)
    row = Tender.source + "\x1f" + Tender.source_id + "\x1f" + Tender.content_hash
    if session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(row, aggregate_order_by(literal("\x1e"), *keys))
        query = select(joined)
    else:  # SQLite's group_concat follows the order of its ordered subquery
        rows = select(row.label("row")).order_by(*keys).subquery()
        query = select(func.group_concat(rows.c.row, "\x1e"))
    joined_rows = session.connection().execute(query).scalar() or ""
    return hashlib.sha256(joined_rows.encode()).hexdigest()


def read_tenders(session) -> TendersRead:  # type: ignore[no-untyped-def]
    """Inside reading_once() read again only when the stored tenders changed."""
    cache = _READ.get()
    stamp = _stamp(session) if cache is not None else ""
    key = str(session.get_bind().url)
    if cache is not None and (read := cache.get(key)) is not None and read.stamp == stamp:
        return read
    columns = tender_columns(session)
    texts = Corpus(columns.title, columns.search_text, bodies_folded=True)
    columns.search_text = texts.bodies()  # the joined text serves each lead's evidence: no second copy
    read = TendersRead(stamp, columns, texts, TenderKeys.of(columns), notice_departments(session))
    if cache is not None:
        cache[key] = read
    return read


class Ranking(Sequence[Lead]):
    """Every lead of one ranking, best first (excluded ones last). Tenders stay arrays until a
    lead is asked for: 100k tenders would be 600k objects, built for a page that shows 30."""

    def __init__(
        self, tenders: ScoredTenders | None, others: list[Lead], kommunen: KommuneLeads | None = None
    ) -> None:
        self._tenders, self._others, self._kommunen = tenders, others, kommunen
        n = len(tenders) if tenders is not None else 0
        self._n_tenders = n
        score = np.concatenate([tenders.score if tenders else np.zeros(0), [x.score for x in others]])
        excluded = [bool(x) for x in tenders.excluded] if tenders else []
        self.excluded = np.array(excluded + [bool(x.excluded) for x in others], dtype=bool)
        self.kinds = np.array(["tender"] * n + [x.kind for x in others], dtype=str)
        self.scores = score
        self.order = np.lexsort((-score, self.excluded))  # stable: ties keep their stored order

    @classmethod
    def of(cls, leads: list[Lead]) -> Ranking:
        return cls(None, leads)

    def _lead(self, at: int) -> Lead:
        if at < self._n_tenders:
            return self._tenders.lead(at)  # type: ignore[union-attr]
        return self._others[at - self._n_tenders]

    def __len__(self) -> int:
        return len(self.order)

    @overload
    def __getitem__(self, i: int) -> Lead: ...
    @overload
    def __getitem__(self, i: slice) -> list[Lead]: ...
    def __getitem__(self, i: int | slice) -> Lead | list[Lead]:
        if isinstance(i, slice):
            return [self._lead(at) for at in self.order[i].tolist()]
        return self._lead(int(self.order[i]))

    def select(
        self,
        kind: str | None = None,
        *,
        limit: int | None = None,
        min_score: float = 0.0,
        include_excluded: bool = False,
    ) -> list[Lead]:
        """The best leads of a kind (or all kinds), built only up to the limit."""
        wanted = self.scores[self.order] >= min_score
        if kind is not None:
            wanted &= self.kinds[self.order] == kind
        if not include_excluded:  # nothing in common with the profile (score 0) is no lead either
            wanted &= ~self.excluded[self.order] & (self.scores[self.order] > 0)
        return [self._lead(at) for at in self.order[wanted][:limit].tolist()]

    def count_of(self, kind: str) -> int:
        """How many leads of this kind there are: not excluded, and with something in common."""
        return int(((self.kinds == kind) & ~self.excluded & (self.scores > 0)).sum())

    def find(self, lead_id: str) -> Lead:
        if self._tenders is not None:
            columns = self._tenders.columns
            newest = list(map("{}:{}".format, columns.source, columns.source_id))
            for i, (ref, first) in enumerate(zip(newest, columns.lead_ref or newest, strict=True)):
                if lead_id.removeprefix("tender:") in (ref, first):  # the procedure's first or newest
                    return self._tenders.lead(i)
        for lead in self._others:
            if lead.lead_id == lead_id or lead.ref == lead_id:
                return lead
        if self._kommunen is not None and lead_id.startswith("kommune:"):
            beyond = self._kommunen.lead(lead_id.removeprefix("kommune:"))  # beyond the best 100
            if beyond is not None:
                return beyond
        raise KommunenError(f"Kein Lead {lead_id!r} für dieses Profil (IDs zeigt: kommunen leads -f csv)")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A ranking's 100k rows, tuples and strings form no reference cycles; the cyclic collector
    would only walk them again and again as they pile up (a fifth of the ranking's time, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _strong_words(profile: Profile) -> list[str]:
    """The words that carry the profile: a light one ("App", "Digitalisierung" for an integration
    app) would find every Organisationsamt, as it alone finds little in a tender's text."""
    top = max(profile.begriffe.values(), default=0.0)
    return [word for word, weight in profile.begriffe.items() if weight >= 0.6 * top]


def _evidence(  # type: ignore[no-untyped-def]
    session, profile: Profile, funding: list[tuple[Funding, Lead]], now: datetime, read: TendersRead
) -> KommuneEvidence:
    """Departments, offices and the funding open to Kommunen; the history comes from the scores."""
    open_to_kommunen = [
        (lead, tuple(f.foerdergebiet))
        for f, lead in funding
        if "Kommune" in f.foerderberechtigte and not lead.excluded and lead.components[0].value > 0
    ]
    return KommuneEvidence(
        departments=fitting_departments(session, _strong_words(profile), read.departments),
        offices=verwaltungen(session),
        funding=open_to_kommunen,
        this_year=now.year,
    )


def rank(engine: Engine, profile: Profile, index: GemeindeIndex, now: datetime) -> Ranking:
    with _collector_paused():
        with session_scope(engine) as session:
            read = read_tenders(session)
            matcher = Matcher(profile, index, now, CodeLists.load(session))
            funding = [(f, matcher.funding(f)) for f in session.scalars(select(Funding))]
            evidence = _evidence(session, profile, funding, now, read)
        tenders = matcher.tenders(read.columns, texts=read.texts, keys=read.keys)
        evidence.history = purchase_history(tenders)
        kommunen = KommuneLeads(matcher, evidence)
        return Ranking(tenders, [lead for _, lead in funding] + kommunen.leads(), kommunen)


def store_leads(engine: Engine, profile: Profile, ranking: Ranking, now: datetime) -> Counts:
    """Remember the best leads of each kind, so later runs know what is new and what changed."""
    leads = [lead for kind in KINDS for lead in ranking.select(kind, limit=STORED_PER_KIND)]
    rows = [
        {
            "profile": profile.name,
            "lead_id": lead.lead_id,
            "kind": lead.kind,
            "title": lead.title,
            "url": lead.url,
            "score": lead.score,
            "components": [dataclasses.asdict(c) for c in lead.components],
            "reason": lead.reason,
            "excluded": lead.excluded,
            "seen_at": now,
        }
        for lead in leads
    ]
    with session_scope(engine) as session:
        return upsert(session, LeadRow, rows)


def mark_first_seen(engine: Engine, profile: Profile, leads: list[Lead]) -> list[Lead]:
    """Tell each stored lead when it was first seen for this profile (excluded ones stay None)."""
    with session_scope(engine) as session:
        query = select(LeadRow.lead_id, LeadRow.first_seen).where(
            LeadRow.profile == profile.name, LeadRow.lead_id.in_([lead.lead_id for lead in leads])
        )
        seen = {lead_id: first for lead_id, first in session.execute(query)}
    for lead in leads:
        lead.first_seen = seen.get(lead.lead_id)
    return leads
