"""A Kommune's purchase history on the profile's themes: the stored notices it published, open and
past, with their stage and winners. One that bought the enterprise's kind of service before is a
far stronger lead than a neighbour that never did; a winner is a competitor and is named."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from kommunen.matching.lead import PastTender
from kommunen.matching.procedures import STAGE_WORDS
from kommunen.matching.score import ScoredTenders
from kommunen.matching.topic import combine
from kommunen.places.verwaltungen import names_a_department

MIN_FIT = 0.15  # the theme fit (matching.topic.combine without place or deadline) a notice needs
PER_KOMMUNE = 10


def theme_fit(scored: ScoredTenders) -> np.ndarray:
    """How well each tender fits the profile's themes wherever and whenever it was: a past tender
    of a Kommune far away says as much about that Kommune as an open one next door."""
    values = {part.name: part.values for part in scored.parts}
    everywhere = np.ones(len(scored))
    context = {
        "region": everywhere,
        "auftraggeber": everywhere,
        "verwaltung": values["verwaltung"],
        "frist": everywhere,
    }
    return combine(scored.text, values["cpv"], context, values["leistung"] < 1.0)


def _winners(text: str) -> tuple[str, ...]:
    found = []
    for winner in json.loads(text or "[]"):
        name, town = winner.get("name", ""), winner.get("town", "")
        if name:
            found.append(f"{name} ({town})" if town else name)
    return tuple(dict.fromkeys(found))


def purchase_history(scored: ScoredTenders) -> dict[str, list[PastTender]]:
    """Kommune key (AGS 8 or Kreis 5) → its procedures on the profile's themes, newest first."""
    c = scored.columns
    fit = theme_fit(scored)
    leistung = next(part for part in scored.parts if part.name == "leistung").values
    found: dict[str, list[PastTender]] = defaultdict(list)
    for i in np.flatnonzero((fit >= MIN_FIT) & (scored.text > 0) & (leistung >= 1.0)).tolist():
        key = c.kommune_key[i]
        if not key or scored.excluded[i].startswith("Ausschluss"):
            continue
        day = (c.publication_date[i] or "") if c.publication_date else ""
        found[key].append(
            PastTender(
                ref=c.lead_ref[i] if c.lead_ref else f"{c.source[i]}:{c.source_id[i]}",
                year=int(day[:4]) if day[:4].isdigit() else None,
                title=c.title[i],
                stage=STAGE_WORDS.get(c.stage[i], "") if c.stage else "",  # type: ignore[call-overload]
                department=_department(c.buyer_department[i] if c.buyer_department else "", c.buyer_name[i]),
                winners=_winners(c.winners[i]) if c.winners else (),
                url=c.url[i],
                score=float(fit[i]),
            )
        )
    for past in found.values():
        past.sort(key=lambda p: (-(p.year or 0), -p.score))
        del past[PER_KOMMUNE:]
    return dict(found)


def _department(department: str, buyer: str) -> str:
    """The notice's department as the Kommune's cards name it (places.verwaltungen), else ""."""
    department = " ".join(department.split())
    return department if names_a_department(department, buyer) else ""


def history_value(past: list[PastTender], this_year: int) -> float:
    """0..1: each fitting notice adds its fit, older ones less (a tenth less per year)."""
    missing = 1.0
    for p in past:
        age = max(0, this_year - (p.year or this_year - 5))
        missing *= 1.0 - p.score * 0.9**age
    return round(1.0 - missing, 6)
