"""Whom to write to in a Kommune: the administration that serves it (Anschriftenverzeichnis) and
its departments that fit a profile's themes (OParl organizations, the buyer's department in
notices, website pages).

A department fits when a profile word's stem is in its name ("Integration" in "Büro für
Integration") or when both share a theme of the vocabulary below: a profile that says
"Dolmetschen" or "Sprachmittlung" finds the "Amt für Migration und Integration", though neither
word is in its name. Committees (Ausschüsse, Fraktionen, Beiräte) are not departments: OParl
says so by organizationType, Karlsruhe only by the id path (`/organizations/gr/`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import Stemmer
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunen.store.models import Department, OparlBody, Tender
from kommunen.store.verwaltungen_model import Verwaltung as VerwaltungRow
from kommunen.text import fold, fold_ascii, fold_stemmed

MAX_PER_KOMMUNE = 3

# Department words by theme, folded (ae/oe/ue); found inside compounds ("Jugendamt"), the short
# ones ("IT", "IKT") only as whole words. A profile's words map to themes through the same list.
THEMEN: dict[str, tuple[str, ...]] = {
    "Integration": (
        "integration", "migration", "auslaender", "zuwander", "fluechtling", "gefluechtete", "asyl",
        "dolmetsch", "sprachmittl", "uebersetz", "mehrsprach", "interkultur", "teilhabe",
    ),
    "Jugend": ("jugend", "kinder", "kita", "familie", "schul", "bildung"),
    "Klima": ("klima", "umwelt", "energie", "nachhaltig", "mobilitaet"),
    "Digital": ("digital", "e government", "egovernment", "informationstechnik", "it", "ikt", "organisation"),
    "Soziales": ("senior", "pflege", "sozial", "gesundheit", "inklusion", "behindert"),
}  # fmt: skip
MIN_INSIDE = 4  # shorter words must stand alone

ADMINISTRATIVE_TYPES = ("verwaltungsbereich", "dienststelle", "dienststellen", "verwaltung")
UNDECIDED_TYPES = ("", "sonstiges", "institution")
COMMITTEE = re.compile(
    r"ausschuss|ausschuesse|fraktion|\brat\b|gemeinderat|stadtrat|kreistag|beirat|kommission|gremium|partei|versammlung"
)
OFFICE = re.compile(
    r"\w*(?<!ges)amt\b|aemter|\w*buero\b|fachbereich|fachdienst|referat|dezernat|abteilung|"
    r"\w*stelle\b|beauftragte|sachgebiet|eigenbetrieb|geschaeftsbereich|verwaltung|\w*behoerde\b|"
    r"\w*dienst\b|\w*zentrum\b"  # Koordinierungsstelle, Sozialdienst, Kommunales Integrationszentrum
)
PERSON = re.compile(  # "Frau Dr. Weber", "Anna Weber": a name, not an office
    r"(?:(?:Herr|Frau|Hr\.|Fr\.|Dr\.|Prof\.)\s+)+\S.*|[A-ZÄÖÜ][a-zäöüß]+(?:[- ][A-ZÄÖÜ][a-zäöüß]+){1,2}"
)


@dataclass(frozen=True, slots=True)
class Verwaltung:
    name: str  # "Amt Schenkenländchen"
    anschrift: str  # "Markt 9, 15755 Teupitz"
    website: str  # "" when unknown
    quelle: str  # source URL/file


@dataclass(frozen=True, slots=True)
class Fachbereich:
    name: str  # "Amt für Integration und Migration"
    quelle: str  # "OParl", "Bekanntmachung", "Website"
    kontakt: str  # e-mail/phone where the source gives one, else ""


def verwaltungen(session: Session) -> dict[str, Verwaltung]:
    """Key (AGS 8 or Kreis 5) → the administration to write to; empty before the first import."""
    v = VerwaltungRow
    rows = session.execute(select(v.key, v.name, v.anschrift, v.website, v.source_url))  # no ORM: 11k rows
    return {key: Verwaltung(*fields) for key, *fields in rows}


def themen(text: str) -> tuple[str, ...]:
    """The themes of the vocabulary a text names, in the vocabulary's order."""
    folded = f" {fold(text)} "
    return tuple(theme for theme, words in THEMEN.items() if any(_has(folded, w) for w in words))


def _has(folded: str, word: str) -> bool:
    return (word in folded) if len(word) >= MIN_INSIDE else (f" {word} " in folded)


_STEMMER = Stemmer.Stemmer("german")


@lru_cache(maxsize=1024)
def _stem_pattern(begriff: str) -> re.Pattern[str] | None:
    """The begriff's Snowball stems as a pattern over fold_ascii text (as kommunen.matching
    stems it; places may not import matching): parts joined by a hyphen, space or nothing."""
    parts = [
        re.sub(r"[^a-z0-9]", "", fold_stemmed(_STEMMER.stemWord(p)))
        for p in re.split(r"[\s\-/]+", begriff.lower())
    ]
    parts = [p for p in parts if p]
    if not parts:
        return None
    body = r"[ \-/]?".join(map(re.escape, parts))
    if len(parts[-1]) < MIN_INSIDE:
        body += r"(?:s|e|n|en|er|es)?(?![a-z0-9])"
    return re.compile(r"(?<![a-z0-9])" + body if len(parts[0]) < MIN_INSIDE else body)


@lru_cache(maxsize=64)
def _prepared(begriffe: tuple[str, ...]) -> tuple[tuple[re.Pattern[str] | None, frozenset[str]], ...]:
    return tuple((_stem_pattern(b), frozenset(themen(b))) for b in begriffe)


def fit(name: str, begriffe: Sequence[str]) -> float:
    """How well a department's name fits the profile's words, 0 when not at all. An earlier word
    (profiles list their strongest first) weighs more; its stem in the name twice a shared theme."""
    text = fold_ascii(name)
    own = set(themen(name))
    score = 0.0
    for position, (pattern, shared) in enumerate(_prepared(tuple(begriffe))):
        if pattern is not None and pattern.search(text):
            score += 2 / (1 + position)
        elif own & shared:
            score += 1 / (1 + position)
    return score


def is_administration(source_id: str, organization_type: str, name: str) -> bool:
    """An office of the administration, not a committee: by OParl type, by Karlsruhe's id path
    (`/organizations/at/` offices, `/gr/` Gremien), else by the words of its name."""
    kind = fold(organization_type)
    if kind in ADMINISTRATIVE_TYPES:
        return True
    if kind not in UNDECIDED_TYPES:
        return False  # Gremium, Fraktion, Partei, externes Gremium
    if "/organizations/at/" in source_id:
        return True
    if "/organizations/gr/" in source_id:
        return False
    folded = fold(name)
    return not COMMITTEE.search(folded) and bool(OFFICE.search(folded))


@lru_cache(maxsize=65536)
def names_a_department(department: str, buyer: str) -> bool:
    """A buyer's department worth naming: not the buyer's name again, not a person's name."""
    folded = fold(department)
    if not folded or folded in fold(buyer):
        return False
    if OFFICE.search(folded) or themen(department):
        return True
    return not PERSON.fullmatch(department.strip())


def notice_departments(session: Session) -> list[tuple[str, str, str]]:
    """(Kommune key, department, e-mail) of every department the stored notices name, once each:
    they do not depend on the profile, so a run ranking several profiles reads them once."""
    notices = select(
        Tender.kommune_key, Tender.buyer_department, Tender.buyer_name, Tender.buyer_email
    ).where(Tender.kommune_key.is_not(None), Tender.buyer_department != "")
    found: dict[tuple[str, str, str], None] = {}
    for key, department, buyer, email in session.execute(notices):
        if names_a_department(department, buyer):
            found.setdefault((key or "", " ".join(department.split()), email))
    return list(found)


def fitting_departments(
    session: Session, begriffe: Sequence[str], noticed: list[tuple[str, str, str]] | None = None
) -> dict[str, list[Fachbereich]]:
    """Key (AGS 8 or Kreis 5) → its departments that fit the begriffe, best first, at most 3.
    noticed: notice_departments(session), read already."""
    found: dict[str, dict[str, tuple[float, Fachbereich]]] = defaultdict(dict)
    scores: dict[str, float] = {}  # notices repeat their departments thousands of times

    def add(key: str | None, name: str, quelle: str, kontakt: str) -> None:
        if not key or len(key) not in (5, 8):
            return
        score = scores.get(name)
        if score is None:
            score = scores[name] = fit(name, begriffe)
        if not score:
            return
        known = found[key].get(fold(name))
        if known is None or (not known[1].kontakt and kontakt):
            found[key][fold(name)] = (score, Fachbereich(name, quelle, kontakt))

    today = datetime.now(UTC).date()
    query = select(
        Department.source, Department.source_id, Department.organization_type, Department.name,
        Department.email, Department.phone, Department.end_date, Department.ags, OparlBody.ags,
    ).outerjoin(OparlBody, OparlBody.source_id == Department.body_id)  # fmt: skip
    for source, source_id, kind, name, email, phone, end, own_ags, body_ags in session.execute(query):
        if (end is not None and end < today) or not is_administration(source_id, kind, name):
            continue
        quelle = "Website" if source == "websites" else "OParl"
        add(own_ags or body_ags, name, quelle, email or phone)
    for key, department, email in notice_departments(session) if noticed is None else noticed:
        add(key, department, "Bekanntmachung", email)
    return {
        key: [f for _, f in sorted(units.values(), key=lambda s: (-s[0], s[1].name))][:MAX_PER_KOMMUNE]
        for key, units in found.items()
    }
