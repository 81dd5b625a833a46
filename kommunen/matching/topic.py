"""Does a notice fit what the enterprise offers: its words, its CPV codes, works vs services.

A notice ranks by its topic first (words and CPV); region, buyer and timing only order what fits.
Without this, a nearby buyer's waste-collection notice outranks a distant interpreting contract.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kommunen.matching import themes
from kommunen.matching.text import stem

CONTEXT_WEIGHTS = {"region": 0.3, "auftraggeber": 0.25, "verwaltung": 0.25, "frist": 0.2}
TOPIC_WEIGHTS = {"text": 0.65, "cpv": 0.35}
CONTEXT_SHARE = 0.35  # how much region, buyer and timing can add to a topical score
OTHER_NATURE = 0.35  # a works or supply notice for an enterprise that offers services
WEAK_TEXT = 0.15  # below this, the words found are light ones only (see KeywordScorer.scores)
CPV_ALONE = 0.5
NATURE_WORDS = {"works": "Bauleistung", "supplies": "Lieferung", "services": "Dienstleistung"}


def theme_words(begriffe: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per profile word, the related words and false friends of every theme it belongs to: a word
    is in a theme when it is the theme's head word or contains it ("Jugendbeteiligung")."""
    heads = {stem(head): head for head in themes.RELATED.keys() | themes.FALSE_FRIENDS.keys()}
    related: dict[str, list[str]] = {}
    false_friends: dict[str, list[str]] = {}
    for word in begriffe:
        stemmed = stem(word)
        for head_stem, head in heads.items():
            if head_stem == stemmed or (len(head_stem) >= 6 and head_stem in stemmed):
                related.setdefault(word, []).extend(themes.RELATED.get(head, ()))
                if head_stem == stemmed:  # a compound ("Jugendbeteiligung") has no false friends
                    false_friends.setdefault(word, []).extend(themes.FALSE_FRIENDS.get(head, ()))
    return related, false_friends


def nature_of_cpv(code: str) -> str:
    """CPV divisions 03–44 and 48 are supplies, 45 works, 50 and above services."""
    if not code[:2].isdigit():
        return ""
    division = int(code[:2])
    if division == 45:
        return "works"
    if division < 45 or division == 48:
        return "supplies"
    return "services"


def offered_natures(profile_cpv: Iterable[str]) -> set[str]:
    """What the enterprise offers, read from its CPV codes; services when they say nothing."""
    found = {nature_of_cpv(code) for code in profile_cpv} - {""}
    return found or {"services"}


def notice_nature(contract_nature: str, cpv_main: str) -> str:
    return contract_nature if contract_nature in NATURE_WORDS else nature_of_cpv(cpv_main)


def combine(
    text: np.ndarray, cpv: np.ndarray, context: dict[str, np.ndarray], other_nature: np.ndarray
) -> np.ndarray:
    """Topic × (1 − share + share × context): context orders what fits, never makes a fit."""
    # a code alone says what kind of service, not whether it is the enterprise's theme
    cpv = np.where(text < WEAK_TEXT, cpv * CPV_ALONE, cpv)
    topic = TOPIC_WEIGHTS["text"] * text + TOPIC_WEIGHTS["cpv"] * cpv
    topic = np.where(other_nature, topic * OTHER_NATURE, topic)
    around = sum(CONTEXT_WEIGHTS[name] * values for name, values in context.items())
    return np.round(topic * (1 - CONTEXT_SHARE + CONTEXT_SHARE * around), 4)


class CpvIndex:
    """cpv_score for many codes: the profile's codes by prefix, so a notice code costs a few
    dictionary lookups instead of a comparison with every profile code."""

    def __init__(self, wanted: tuple[str, ...]) -> None:
        self.exact: dict[str, float] = {}
        self.prefixes: dict[int, dict[str, float]] = {}
        self.shared: dict[int, set[str]] = {5: set(), 4: set(), 2: set()}
        self._known: dict[str, float] = {}
        for want in wanted:
            value = 1.0 if len(want) >= 5 else 0.9 if len(want) >= 3 else 0.8
            if len(want) >= 8:
                self.exact[want] = max(self.exact.get(want, 0.0), value)
            else:
                table = self.prefixes.setdefault(len(want), {})
                table[want] = max(table.get(want, 0.0), value)
            for n in self.shared:
                self.shared[n].add(want[:n])

    def score(self, codes: Iterable[str]) -> tuple[float, str]:
        best, found = 0.0, ""
        for code in codes:
            value = self._known.get(code)
            if value is None:
                value = self._known[code] = self._one(code)
            if value > best:
                best, found = value, code
        return best, found

    def _one(self, code: str) -> float:
        """One code's value, remembered: 100k CPV sets are made of a few thousand codes."""
        value = self.exact.get(code, 0.0)
        for length, table in self.prefixes.items():
            value = max(value, table.get(code[:length], 0.0))
        if value == 0.0:
            shared = next((n for n in (5, 4, 2) if code[:n] in self.shared[n]), 0)
            value = {5: 0.8, 4: 0.6, 2: 0.3}.get(shared, 0.0)
        return value


AUTHORITY = ("la", "ra", "cga", "regional_authority", "ministry", "national_agency", "regional_agency")
UNDERTAKING = ("pub-undert", "utilities", "org-sub", "spec-rights")


def buyer_kind(kommune_key: str, legal_type: str) -> tuple[float, str]:
    """Enterprises that sell to Kommunen win most easily with administrations: a Kommune first,
    other authorities next, public undertakings and utilities last (eForms BT-11, TED CA_TYPE)."""
    if kommune_key:
        return 1.0, "Auftraggeber ist eine Kommune" if len(kommune_key) == 8 else "Auftraggeber ist ein Kreis"
    code = legal_type.lower()
    if code in AUTHORITY or code.startswith(("body-pl-la", "body-pl-ra", "body-pl-cga")):
        return 0.7, ""
    if code.startswith(UNDERTAKING):
        return 0.2, ""
    return 0.5, ""


def cpv_score(codes: Iterable[str], wanted: tuple[str, ...]) -> tuple[float, str]:
    """The best (value, tender code): the exact code, or inside a profile prefix of 5+ digits, 1.0;
    inside a 3–4 digit prefix 0.9, a 2-digit division prefix ("72" = all IT) 0.8 – a broad wish is
    weaker evidence; otherwise same class (5 digits) 0.8, group (4) 0.6, division (2) 0.3."""
    return CpvIndex(wanted).score(codes)
