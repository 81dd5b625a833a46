"""Which Kommune is it: buyers of notices and council bodies linked to their Gemeinde."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunen.errors import LookupFailed
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.models import Gemeinde, GemeindePlz
from kommunen.text import fold
from scrapers.records import BodyRecord, TenderRecord

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


def link_bodies(session: Session, bodies: list[BodyRecord]) -> dict[str, str]:
    """A body without an AGS gets it from its name ("Rat der Stadt Erkelenz")."""
    unlinked = [b for b in bodies if not b.ags and KREIS_WORDS.isdisjoint(fold(b.name).split())]
    if not unlinked:  # a Kreis's body is no Gemeinde, even when it is named after its seat
        return {}
    index = GemeindeIndex(session)
    links = {}
    for body in unlinked:
        words = body.name.split()
        for start in range(len(words)):
            try:
                links[body.source_id] = index.ags[index.find(" ".join(words[start:]))]
                break
            except LookupFailed:
                continue
    return links


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


class KommunenLinker:
    """The PlaceLinker the pipeline hands to store_records."""

    def link_buyers(self, session: Session, tenders: list[TenderRecord]) -> dict[str, str]:
        return link_buyers(session, tenders)

    def link_bodies(self, session: Session, bodies: list[BodyRecord]) -> dict[str, str]:
        return link_bodies(session, bodies)
