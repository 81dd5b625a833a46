"""Does a notice fit what the enterprise offers: its words, its CPV codes, works vs services.

A notice ranks by its topic first (words and CPV); region, buyer and timing only order what fits.
Without this, a nearby buyer's waste-collection notice outranks a distant interpreting contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from kommunen.matching import themes
from kommunen.matching.text import fold_ascii, stem

CONTEXT_WEIGHTS = {"region": 0.3, "auftraggeber": 0.25, "verwaltung": 0.25, "frist": 0.2}
TOPIC_WEIGHTS = {"text": 0.65, "cpv": 0.35}
CONTEXT_SHARE = 0.35  # how much region, buyer and timing can add to a topical score
OTHER_NATURE = 0.35  # a works or supply notice for an enterprise that offers services
WEAK_TEXT = 0.15  # below this, the words found are light ones only (see KeywordScorer.scores)
CPV_ALONE = 0.5
NATURE_WORDS = {
    "works": "Bauleistung",
    "supplies": "Lieferung",
    "services": "Dienstleistung",
    "bauplanung": "Bauplanung",
}
# Services that design, cost or supervise a construction: part of building, not of the services a
# social enterprise or a consultancy sells ("Elektroplanung für den Neubau einer Grundschule" is
# no Klimaschutz lead because the school is to be "nachhaltig"). From the German CPV labels:
CONSTRUCTION_PLANNING = (
    "7120", "7121", "7122", "7123",  # Dienstleistungen von Architekturbüros (Gebäude, Freianlagen …)
    "71242", "71244", "71245", "71246", "71247", "71248",  # Entwurf, Kosten, Mengen, Bauaufsicht
    "7125",  # Architektur- und Ingenieurbüros sowie Vermessung, Bauabnahme
    "71311", "71312", "71315",  # Beratung im Tief- und Hochbau, im Hochbau; Haustechnik
    "7132",  # Planungsleistungen im Bauwesen (Gebäudeanlagen, Tragwerk, Fundamente, Baukosten)
    "715",  # Dienstleistungen im Bauwesen (Bauaufsicht, Bauverwaltung)
)  # fmt: skip


# Codes that say "architects and engineers" without saying for what: many buyers give one of these
# for a building's technical planning ("MarienBad (Los 2)", 71000000). What is planned then shows in
# the text: the HOAI's building disciplines (Technische Gebäudeausrüstung, Objektplanung Gebäude)
# and the building services they plan. Tragwerk, Freianlagen and a bare "Technische Ausrüstung"
# are left out: dams, bridges and rewetted peat have those too.
GENERIC_PLANNING = {"71000000", "71200000", "71240000", "71300000", "71310000"}
BUILDING_DISCIPLINE = re.compile(
    r"\btga\b|gebaudeausrustung|gebaudeautomation|gebaudetechnik"
    r"|objektplanung (fur )?gebaude|heizung\W+luftung|\bhlsk?e?\b"
)


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


def is_construction_planning(code: str) -> bool:
    return code.startswith(CONSTRUCTION_PLANNING)


def offered_natures(profile_cpv: Iterable[str]) -> set[str]:
    """What the enterprise offers, read from its CPV codes; services when they say nothing. Goods
    only from the divisions it names ("supplies:48": software, not radios); a profile that builds,
    or names a planning code or a prefix above one ("71"), plans buildings too."""
    codes = list(profile_cpv)
    found = {nature_of_cpv(code) for code in codes} - {""}
    if "supplies" in found:
        found |= {f"supplies:{code[:2]}" for code in codes}
    plans = any(
        is_construction_planning(c) or any(p.startswith(c) for p in CONSTRUCTION_PLANNING) for c in codes
    )
    if plans or "works" in found:
        found.add("bauplanung")
    return found or {"services"}


def is_design_contest(notice_type: str) -> bool:
    """TED_EXPORT F12/F13 and eForms cn-desg/can-desg: a Planungs- or Realisierungswettbewerb."""
    return notice_type.startswith(("F12", "F13")) or notice_type.endswith("-desg")


def plans_a_building(cpv_main: str, title: str, folded_body: str) -> bool:
    """A generic architecture/engineering code with a text that names a building discipline; the
    title is folded only for such a code (a few in a hundred)."""
    if cpv_main not in GENERIC_PLANNING:
        return False
    return BUILDING_DISCIPLINE.search(f"{fold_ascii(title)} {folded_body}") is not None


def notice_nature(contract_nature: str, cpv_main: str, notice_type: str = "", building: bool = False) -> str:
    """The contract's nature as published (or read from its main code): "supplies:32" names the
    goods' CPV division; a service whose main code plans a construction is "bauplanung", and so is
    a design contest for architects and engineers (CPV 71), whatever its generic code says
    ("Planungswettbewerb 4-fach Sporthalle", 71240000), and a generic code's notice whose text
    plans a building (building: plans_a_building)."""
    if cpv_main.startswith("71") and (building or is_design_contest(notice_type)):
        return "bauplanung"
    nature = contract_nature if contract_nature in NATURE_WORDS else nature_of_cpv(cpv_main)
    if nature == "services" and nature_of_cpv(cpv_main) == "supplies" and cpv_main[:2] != "48":
        nature = "supplies"  # a service around goods: running a district heating grid (09323000 Fernwärme)
    if nature == "supplies" and cpv_main[:2].isdigit():
        return f"supplies:{cpv_main[:2]}"
    return "bauplanung" if nature == "services" and is_construction_planning(cpv_main) else nature


def combine(
    text: np.ndarray, cpv: np.ndarray, context: dict[str, np.ndarray], other_nature: np.ndarray
) -> np.ndarray:
    """Topic × buyer fit × (1 − share + share × context): context orders what fits, never makes
    a fit."""
    # a code alone says what kind of service, not whether it is the enterprise's theme
    cpv = np.where(text < WEAK_TEXT, cpv * CPV_ALONE, cpv)
    topic = TOPIC_WEIGHTS["text"] * text + TOPIC_WEIGHTS["cpv"] * cpv
    topic = np.where(other_nature, topic * OTHER_NATURE, topic)
    topic = topic * buyer_fit(context["verwaltung"])
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
        self._plans = "bauplanung" in offered_natures(wanted)
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

    def value(self, code: str) -> float:
        """One code's value (CpvColumn takes a set's as the best of its codes', as score does)."""
        found = self._known.get(code)
        if found is None:
            found = self._known[code] = self._one(code)
        return found

    def _one(self, code: str) -> float:
        """One code's value, remembered: 100k CPV sets are made of a few thousand codes."""
        value = self.exact.get(code, 0.0)
        for length, table in self.prefixes.items():
            value = max(value, table.get(code[:length], 0.0))
        # a neighbour in the tree says "similar service", but "Beratung im Hochbau" is no
        # "Energieeffizienzberatung" for sitting in the same group: planning a building is building
        if value == 0.0 and (self._plans or not is_construction_planning(code)):
            shared = next((n for n in (5, 4, 2) if code[:n] in self.shared[n]), 0)
            value = {5: 0.8, 4: 0.6, 2: 0.3}.get(shared, 0.0)
        return value


AUTHORITY = ("la", "ra", "cga", "regional_authority", "ministry", "national_agency", "regional_agency")
UNDERTAKING = {
    "utilities": "ein Sektorenauftraggeber (Wasser, Energie, Verkehr)",
    "pub-undert": "ein öffentliches Unternehmen",
    "org-sub": "ein Unternehmen",
    "spec-rights": "ein Unternehmen",
}
# What a buyer's name says it is where its legal type (eForms BT-11, TED CA_TYPE) does not: a
# "body governed by public law" is a university clinic as often as a Berufsgenossenschaft. Common
# German names of institutions and the legal forms of private law (GmbH, AG, KG, eG, e. V.).
NAMED_KINDS = (
    ("ein Krankenhaus", re.compile(r"klinik|krankenhaus|universitätsmedizin|charité")),
    ("eine Hochschule", re.compile(r"universität(?!sstadt)|hochschule|studierendenwerk|studentenwerk")),
    ("eine Krankenkasse", re.compile(r"krankenkasse|ersatzkasse|\b(aok|ikk|bkk)\b")),
    ("ein Unternehmen", re.compile(r"\b(g?gmbh|mbh|ag|kg|kgaa|se|eg|e\.\s?v)\b|aktiengesellschaft|& co\b")),
)  # fmt: skip
# Companies a Kommune owns (eForms BT-11 "pub-undert-la"): Stadtwerke, Gemeindewerke, a städtische
# Gesellschaft. Of the municipal family, so nearer to an enterprise that sells to Kommunen than any
# other company: the Stadtwerk plans the town's heat, the Wohnungsgesellschaft its quarters.
MUNICIPAL_COMPANY = re.compile(r"stadtwerk|gemeindewerk|kreiswerk|versorgungsbetriebe|\bkommunal|städtische")
# Bodies of Kommunen or the state whatever their legal type says: "Zweckverband Renaturierung …"
PUBLIC_NAMES = re.compile(r"zweckverband|ministerium|landesamt|bundesamt|behörde|landratsamt")
KOMMUNE, BEHOERDE, OFFEN, BETRIEB = 1.0, 0.8, 0.6, 0.3


def buyer_kind(kommune_key: str, legal_type: str, name: str = "") -> tuple[float, str]:
    """Enterprises that sell to Kommunen win most easily with administrations: a Kommune first,
    other authorities next; hospitals, universities, insurers, companies and utilities last."""
    if kommune_key:
        return KOMMUNE, f"Auftraggeber ist {'eine Kommune' if len(kommune_key) == 8 else 'ein Kreis'}"
    lowered = name.lower()
    if PUBLIC_NAMES.search(lowered):
        return BEHOERDE, ""
    code = legal_type.lower()
    municipal = code.startswith("pub-undert-la") or MUNICIPAL_COMPANY.search(lowered) is not None
    for what, pattern in NAMED_KINDS:
        if pattern.search(lowered) and not (municipal and what == "ein Unternehmen"):
            return BETRIEB, f"Auftraggeber ist {what}, keine Verwaltung"
    if code in AUTHORITY or code.startswith(("body-pl-la", "body-pl-ra", "body-pl-cga")):
        return BEHOERDE, ""  # "Kommunales Jobcenter", "Stadtwerke Friedberg" (an Eigenbetrieb)
    if municipal:
        return OFFEN, "Auftraggeber ist ein kommunales Unternehmen"
    undertaking = next((what for prefix, what in UNDERTAKING.items() if code.startswith(prefix)), "")
    if undertaking:
        return BETRIEB, f"Auftraggeber ist {undertaking}, keine Verwaltung"
    return OFFEN, ""


def buyer_fit(kind: np.ndarray) -> np.ndarray:
    """How much of a topical score a buyer keeps: a Kommune all, another authority 93 %, a municipal
    company 81 %, a hospital's or a utility's IT contract 63 % – the same work, but seldom won by
    an enterprise that sells to Kommunen."""
    return np.minimum(1.0, 0.45 + 0.6 * kind)


def cpv_score(codes: Iterable[str], wanted: tuple[str, ...]) -> tuple[float, str]:
    """The best (value, tender code): the exact code, or inside a profile prefix of 5+ digits, 1.0;
    inside a 3–4 digit prefix 0.9, a 2-digit division prefix ("72" = all IT) 0.8 – a broad wish is
    weaker evidence; otherwise same class (5 digits) 0.8, group (4) 0.6, division (2) 0.3."""
    return CpvIndex(wanted).score(codes)
