"""Whom to contact in a Kommune: its Ämter (OParl "Verwaltungsbereich") and, as signals of what
it works on, its committees, optionally narrowed to a theme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, or_, select

from kommunen.store.db import session_scope
from kommunen.store.models import Department, OparlBody
from kommunen.text import fold

ADMINISTRATIVE = "Verwaltungsbereich"


@dataclass(frozen=True, slots=True)
class Contact:
    kommune: str
    stelle: str
    art: str
    email: str
    telefon: str
    website: str
    quelle: str
    stand: date


def find_contacts(engine: Engine, ags: str, thema: str = "") -> list[Contact]:
    query = (
        select(Department, OparlBody.name)
        .outerjoin(OparlBody, OparlBody.source_id == Department.body_id)
        .where(or_(OparlBody.ags == ags, Department.ags == ags), Department.end_date.is_(None))
    )
    wanted = fold(thema)
    with session_scope(engine) as session:
        found = [
            Contact(
                kommune=body_name or "",
                stelle=d.name,
                art=d.organization_type or d.classification,
                email=d.email,
                telefon=d.phone,
                website=d.website,
                quelle=d.source_url,
                stand=d.last_changed.date(),
            )
            for d, body_name in session.execute(query)
            if not wanted
            or wanted in fold(f"{d.name} {d.short_name} {d.classification}")
            or thema in d.themen
        ]
    return sorted(found, key=lambda c: (c.art != ADMINISTRATIVE, c.stelle))
