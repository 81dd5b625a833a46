"""Rank everything stored against a profile, remember the leads, and explain one."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine, select

from kommunen.db import session_scope
from kommunen.errors import KommunenError
from kommunen.gemeinden import GemeindeIndex
from kommunen.matching.score import Component, Lead, Matcher
from kommunen.matching.text import count, fold, stem
from kommunen.models import Department, Funding, LeadRow, OparlBody, Tender
from kommunen.profile import Profile
from kommunen.store import Counts, upsert

KINDS = ("tender", "funding", "kommune")


def _department_signals(session, profile: Profile) -> dict[str, tuple[float, str]]:  # type: ignore[no-untyped-def]
    """AGS → (0..1, "Ansprechpartner: …") for departments whose name or topics fit the profile."""
    stems = [stem(w) for w in profile.begriffe]
    found: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Department, OparlBody.ags).outerjoin(OparlBody, OparlBody.source_id == Department.body_id)
    )
    for department, body_ags in rows:
        text = fold(f"{department.name} {' '.join(department.themen)}")
        if any(count(s, text) for s in stems):
            contact = f"{department.name} ({department.email})" if department.email else department.name
            found[department.ags or body_ags or ""].append(contact)
    return {ags: (1.0, f"Ansprechpartner: {'; '.join(names[:2])}") for ags, names in found.items() if ags}


TENDER_COLUMNS = (
    Tender.source,
    Tender.source_id,
    Tender.title,
    Tender.search_text,
    Tender.url,
    Tender.gemeinde_ags,
    Tender.buyer_nuts,
    Tender.place_nuts,
    Tender.cpv_codes,
    Tender.submission_deadline,
    Tender.planned_date,
)


def rank(engine: Engine, profile: Profile, index: GemeindeIndex, now: datetime) -> list[Lead]:
    matcher = Matcher(profile, index, now)
    with session_scope(engine) as session:
        tenders = session.execute(select(*TENDER_COLUMNS)).all()  # rows, not ORM objects: 100k fit
        funding = list(session.scalars(select(Funding)))
        signals = _department_signals(session, profile)
    tf = matcher.scorer.fit([fold(t.title) for t in tenders], [t.search_text for t in tenders], folded=True)
    text_scores = matcher.scorer.scores(tf)
    tender_leads = [
        matcher.tender(t, Component("text", float(score), matcher.text_evidence(row)))
        for t, score, row in zip(tenders, text_scores, tf, strict=True)
    ]
    funding_leads = [matcher.funding(f) for f in funding]
    by_gemeinde: dict[str, int] = defaultdict(int)
    for t, score in zip(tenders, text_scores, strict=True):
        if t.gemeinde_ags and score > 0:
            by_gemeinde[t.gemeinde_ags] += 1
    for ags, found in by_gemeinde.items():
        value, why = signals.get(ags, (0.0, ""))
        tender_why = f"{found} Ausschreibung(en) zu Ihren Themen"
        signals[ags] = (min(1.0, value + 0.5 * found), " · ".join(filter(None, (tender_why, why))))
    leads = tender_leads + funding_leads + matcher.kommunen(signals)
    leads.sort(key=lambda lead: (bool(lead.excluded), -lead.score))
    return leads


def store_leads(engine: Engine, profile: Profile, leads: list[Lead], now: datetime) -> Counts:
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


def find_lead(leads: list[Lead], lead_id: str) -> Lead:
    for lead in leads:
        if lead.lead_id == lead_id or lead.ref == lead_id:
            return lead
    raise KommunenError(f"Kein Lead {lead_id!r} für dieses Profil (IDs zeigt: kommunen leads -f csv)")
