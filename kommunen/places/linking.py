"""Which Kommune is it: buyers of notices and council bodies linked to a Gemeinde or a Kreis.

A Kommune is a Gemeinde (key = AGS, 8 digits) or a Kreis (5 digits). A buyer is one when its
name says so ("Stadt Reinbek", "Landratsamt Fürstenfeldbruck", "Kreisausschuss des
Wetteraukreises", "Bezirksamt Treptow-Köpenick") or when it is an office of one ("Stadt
Erlangen – Amt 24"). Companies with a legal form of their own, Zweckverbände, Bavarian Bezirke,
Land and federal bodies are not. Name, postal code and town are used together; a name that
fits more than one Kommune and that the postal code does not settle stays unlinked. A buyer that
names a merged Gemeinde (Gebietsänderungen) is its successor; a current name still comes first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunen.errors import LookupFailed
from kommunen.places.gemeinden import GemeindeIndex, follow, load_nachfolger
from kommunen.store.models import Gebiet, Gemeinde, GemeindePlz
from kommunen.text import fold
from scrapers.records import BodyRecord, TenderRecord

BERLIN, HAMBURG, BREMEN = "11000000", "02000000", "04011000"
# Own legal form or not a Kommune at all (folded words; "verband" also as the end of a word).
NOT_KOMMUNE = re.compile(
    r"\b(gmbh|ggmbh|mbh|ag|kg|kgaa|ug|e v|ev|eg|aoer|a o r|se|gbr|ohg|anstalt|kommunalunternehmen|"
    r"\w*verband|\w*verbaende|zweckverband\w*|universitaet|hochschule|fachhochschule|sparkasse|"
    r"kadoer|kommunalanstalt|stiftung|klinikum|kliniken|krankenhaus|wohnungsbau\w*|wohnbau\w*|"
    r"ministerium|landesamt|landesbetrieb|bundes(?!stadt)\w*|staatlich\w*|staatsbetrieb|freistaat|regierung|"
    r"bezirksregierung|senatsverwaltung|senator|polizei\w*|kirche\w*|kirchengemeinde|diakonie\w*|"
    r"caritas\w*|evangelische\w*|katholische\w*|jobcenter|handwerkskammer|kammer|genossenschaft|"
    r"amt fuer ernaehrung|finanzamt|bundeswehr|deutsche bahn|db netz)\b"
)
LAND_NAMES = (
    "baden wuerttemberg|bayern|berlin|brandenburg|bremen|hamburg|hessen|mecklenburg vorpommern|"
    "niedersachsen|nordrhein westfalen|rheinland pfalz|saarland|sachsen anhalt|sachsen|"
    "schleswig holstein|thueringen"
)
LAND_BODY = re.compile(rf"\b(land|freistaat|landes)\s+({LAND_NAMES})\b")
BEZIRK_BY = re.compile(r"\bbezirk\s+(ober|nieder|mittel|unter)?(bayern|pfalz|franken|schwaben)\b")
GEMEINDEVERBAND = re.compile(  # "Amt Mittelangeln", "VGem Volkach" – but "Amt für Schulen der Stadt …"
    r"(amt|verbandsgemeinde|verbandsgemeindeverwaltung|samtgemeinde|verwaltungsgemeinschaft|vgem|"
    r"verwaltungsverband|gemeindeverwaltungsverband)\s+(?!fuer\b|der\b|des\b|\d)"
)
KREIS_WORD = re.compile(
    r"\b(landkreis\w*|landratsamt\w*|kreisverwaltung\w*|kreisausschuss\w*|kreis|kreises|landrat\w*|"
    r"kreishaus|kreisjugendamt|kreissozialamt|kreisbauamt)\b|\w+kreis(es)?\b"
)
KREIS_BODY = re.compile(r"\b(kreis|landkreis|kreisverwaltung|kreistag|regionalverband)\b")
KREIS_SPECIAL = {"region hannover", "staedteregion aachen", "regionalverband saarbruecken"}
GEMEINDE_WORD = re.compile(
    r"\b(stadt|gemeinde|markt|stadtverwaltung|gemeindeverwaltung|marktgemeinde|magistrat|rathaus|"
    r"landeshauptstadt|hansestadt|universitaetsstadt|kreisstadt|grosse kreisstadt|stadtgemeinde|"
    r"oberbuergermeister\w*|buergermeister\w*|bezirksamt|eigenbetrieb|stadtbezirk|ortsgemeinde|"
    r"stadtwerke|gemeindewerke)\b|^\w+stadt\s"  # Bundesstadt Bonn, Kupferstadt Stolberg …
)
OFFICE = re.compile(r"\b(vergabe\w*|beschaffung\w*|\w*amt|referat|fachbereich|dezernat)\b")
LOCAL_AUTHORITY = {"la", "regional_authority"}  # eForms BT-11 / TED CA_TYPE
# The part of a buyer's name that names the principal: "Gemeinde Gribow über Amt Züssow",
# "Stadt Krefeld, vertreten durch den Zweckverband …", "… c/o Wirtschaftsförderung GmbH".
AGENT = re.compile(r"\s(ueber|vertreten durch|vertr d|c o|im auftrag|im namen|handelnd)\s.*$")
PRINCIPAL = re.compile(r"\sfuer\s+(den|die|das)\s+(landkreis|kreis|stadt|gemeinde|markt)\s(.*)$")
# Bavarian and other abbreviations in official names: "Bad Königshofen i.Grabfeld", "Mühldorf a.Inn"
NAME_TAIL = re.compile(r"\s(i|im|a|am|an|an der|a d|bei|in|ob|ob der|vor|auf|v d)\s.*$")
KREISFREI = "Kreisfreie Stadt"


@dataclass(slots=True)
class Directory:
    """Every Gemeinde and Kreis a buyer may name, read once per run (KommunenLinker)."""

    gemeinde_names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    gemeinde_name_of: dict[str, str] = field(default_factory=dict)
    is_stadt: set[str] = field(default_factory=set)
    by_plz3: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    kreise: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    by_plz: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    merged_names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # → successor

    @classmethod
    def load(cls, session: Session) -> Directory:
        directory = cls()
        query = select(Gemeinde.ags, Gemeinde.kurzname, Gemeinde.name)
        for ags, kurzname, official in session.execute(query):
            for name in _name_variants(kurzname):
                directory.gemeinde_names[name].append(ags)
            directory.gemeinde_name_of[ags] = fold(kurzname)
            if re.search(r"\b(stadt|st)\b", fold(official.rpartition(",")[2])):
                directory.is_stadt.add(ags)
        rows = session.execute(select(Gebiet.key, Gebiet.name, Gebiet.typ).where(Gebiet.ebene == "kreis"))
        for key, name, typ in rows:
            for variant in _kreis_names(name):
                directory.kreise[variant].append((key, typ))
        successor: dict[str, str] = {}  # a merged Gemeinde's AGS → the current one
        nachfolger = load_nachfolger(session.connection())
        for old, change in nachfolger.items():
            if old not in directory.gemeinde_name_of and (
                found := follow(nachfolger, old, directory.gemeinde_name_of)
            ):
                successor[old] = found[0]
                for name in _name_variants(change.alt_name.split(",", 1)[0]):
                    directory.merged_names[name].append(found[0])
        for plz, ags in session.execute(select(GemeindePlz.plz, GemeindePlz.ags)):
            ags = successor.get(ags, ags)  # the postal codes of a merged Gemeinde are its successor's now
            directory.by_plz3[plz[:3]].add(ags)
            directory.by_plz[plz].add(ags)
        return directory


def _name_variants(kurzname: str) -> set[str]:
    """ "Gronau (Westf.)" → {"gronau westf", "gronau"}; "Müllheim im Markgräflerland" and
    "Bad Königshofen i.Grabfeld" also by their first part; namesakes are settled later."""
    full = fold(kurzname)
    base = fold(re.split(r"[(/,]", kurzname, maxsplit=1)[0])
    return {full, base, NAME_TAIL.sub("", base)} - {""}


def _kreis_names(name: str) -> set[str]:
    folded = fold(name)
    if folded in KREIS_SPECIAL:
        return {folded}
    return _name_variants(re.sub(r"^(Landkreis|Kreis)\s+", "", name))


def _words_in(needle: str, haystack: str) -> bool:
    return f" {needle} " in f" {haystack} "


def _grams(text: str, longest: int = 6) -> set[str]:
    """Every run of one to six words: the names a buyer's name can contain, looked up directly."""
    words = text.split()
    return {
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + longest) + 1)
    }


def kommune_of(buyer_name: str, city: str, postal_code: str, legal_type: str, directory: Directory) -> str:
    """The key of the Kommune this buyer is (or is an office of), or "" when it is none or unsure."""
    full = fold(buyer_name)
    name = principal(full)
    if not name or LAND_BODY.search(name) or BEZIRK_BY.search(name):
        return ""
    if "regionalverband saarbruecken" in name:
        return _kreis(name, postal_code, directory)
    if NOT_KOMMUNE.search(name):
        return ""
    if "bezirksamt" in name and "berlin" in f"{name} {fold(city)}":
        return BERLIN
    if "hamburg" in name and ("bezirksamt" in name or "freie und hansestadt" in name):
        return HAMBURG
    is_kreis = KREIS_WORD.search(name) or any(special in name for special in KREIS_SPECIAL)
    if is_kreis and not re.search(r"\b(grosse )?kreisstadt\b", name):
        found = _kreis(name, postal_code, directory)
        if found:
            return found
    if GEMEINDEVERBAND.match(name):
        return ""
    if "bremen" in name and "stadtgemeinde" in name:
        return BREMEN
    local = directory.by_plz.get(postal_code[:5], set())
    if not GEMEINDE_WORD.search(full):
        # "Bad Königshofen im Grabfeld" (the whole name is the Gemeinde's), or a local
        # authority's office ("Vergabe- und Beschaffungszentrum Dortmund") in its own town
        exact = set(directory.gemeinde_names.get(name, ())) & local
        exact = exact or set(directory.merged_names.get(name, ())) & local
        if len(exact) == 1:
            return next(iter(exact))
        if not (legal_type in LOCAL_AUTHORITY and OFFICE.search(name)):
            return ""
        found = _gemeinde(name, "", postal_code, directory)
        return found if found in local else ""
    return _gemeinde(name, fold(city), postal_code, directory)


def principal(name: str) -> str:
    """Who the buyer acts for: the part before an agent, the Kommune after "für den Landkreis"
    when a Kommune's office buys for it (not when a Zweckverband also acts for a city)."""
    found = PRINCIPAL.search(name)
    if found and not NOT_KOMMUNE.search(name[: found.start()]):
        return f"{found.group(2)} {found.group(3)}"
    return AGENT.sub("", name).strip()


def _kreis(name: str, postal_code: str, directory: Directory) -> str:
    """The Kreis named; a Landkreis never counts as its kreisfreie namesake city."""
    name = re.sub(r"kreises\b", "kreis", name)
    grams = _grams(re.sub(r"\b(des|der|dem|den)\b", " ", name))
    grams |= {g[:-2] for g in grams if g.endswith("es")} | {g[:-1] for g in grams if g.endswith("s")}
    candidates = [
        (len(gram), key) for gram in grams for key, typ in directory.kreise.get(gram, ()) if typ != KREISFREI
    ]
    if not candidates:
        return ""
    longest = max(length for length, _ in candidates)
    keys = sorted({key for length, key in candidates if length == longest})
    if len(keys) == 1:
        return keys[0]
    in_plz = {ags[:5] for ags in directory.by_plz.get(postal_code[:5], set())}
    settled = [k for k in keys if k in in_plz]
    return settled[0] if len(settled) == 1 else ""


def _gemeinde(name: str, city: str, postal_code: str, directory: Directory) -> str:
    """The Gemeinde whose name the buyer names; the postal code decides between namesakes."""
    grams = _grams(name)
    named = {ags for gram in grams for ags in directory.gemeinde_names.get(gram, ())}
    merged = {ags for gram in grams for ags in directory.merged_names.get(gram, ())}
    if not named and city:  # "Stadtverwaltung" alone: the town says which
        named = set(directory.gemeinde_names.get(city, ()))
        merged = merged or set(directory.merged_names.get(city, ()))
    local = directory.by_plz.get(postal_code[:5], set())
    nearby = directory.by_plz3.get(postal_code[:3], set()) if postal_code[:3].isdigit() else set()
    wants_stadt = bool(re.search(r"\b\w*stadt\w*\b", name))
    # a merged Gemeinde where the postal code is its successor's beats a current namesake further away
    for pool in (named & local, merged & local, named & nearby, merged & nearby, named, merged):
        if wants_stadt and len(pool) > 1:  # "Stadt Münster": not the Gemeinde Münster (Lech)
            pool = {ags for ags in pool if ags in directory.is_stadt} or pool
        if len(pool) == 1:
            return next(iter(pool))
        if len(pool) > 1:
            return _longest_named(pool, name, directory)
    return ""


def _longest_named(pool: set[str], name: str, directory: Directory) -> str:
    """Of namesakes, the one whose full name the buyer writes ("Halle (Saale)" over "Halle")."""
    full = [ags for ags in pool if _words_in(directory.gemeinde_name_of[ags], name)]
    if len(full) == 1:
        return full[0]
    if full:
        best = max(len(directory.gemeinde_name_of[a]) for a in full)
        top = [a for a in full if len(directory.gemeinde_name_of[a]) == best]
        return top[0] if len(top) == 1 else ""
    return ""


def link_buyers(
    session: Session, tenders: list[TenderRecord], directory: Directory | None = None
) -> dict[str, str]:
    """source_id → key of the Kommune that bought, for German buyers."""
    german = [t for t in tenders if t.buyer_country in ("DEU", "") and t.buyer_name]
    if not german:
        return {}
    directory = directory or Directory.load(session)
    links = {}
    for t in german:
        key = kommune_of(t.buyer_name, t.buyer_city, t.buyer_postal_code, t.buyer_legal_type, directory)
        if key:
            links[t.source_id] = key
    return links


def link_bodies(session: Session, bodies: list[BodyRecord]) -> dict[str, str]:
    """A council body without an AGS gets it from its name ("Rat der Stadt Erkelenz")."""
    unlinked = [b for b in bodies if not b.ags and not KREIS_BODY.search(fold(b.name))]
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


class KommunenLinker:
    """The PlaceLinker the pipeline hands to store_records: one per run, so the directory is
    read once, however many one-notice batches the run stores."""

    def __init__(self) -> None:
        self._directory: Directory | None = None

    def link_buyers(self, session: Session, tenders: list[TenderRecord]) -> dict[str, str]:
        if self._directory is None:
            self._directory = Directory.load(session)
        return link_buyers(session, tenders, self._directory)

    def link_bodies(self, session: Session, bodies: list[BodyRecord]) -> dict[str, str]:
        return link_bodies(session, bodies)
