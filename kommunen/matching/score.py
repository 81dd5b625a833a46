"""Combine named components into one score per lead and say why, in German.

Every component lies in [0, 1]; the total is their weighted mean. German notice texts are
short, so CPV, region and buyer weigh together as much as the words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import numpy as np

from kommunen.errors import KommunenError
from kommunen.matching import themes
from kommunen.matching.codelists import CodeLists
from kommunen.matching.columns import ComponentColumn, CpvColumn, Factorized, Place, TenderKeys, main_codes
from kommunen.matching.lead import Component, Lead, TenderColumns, TenderFacts
from kommunen.matching.procedures import STAGE_WORDS
from kommunen.matching.profile import SOZIAL, Profile
from kommunen.matching.text import Corpus, KeywordScorer, Phrases, fold_ascii
from kommunen.matching.topic import (
    NATURE_WORDS,
    CpvIndex,
    buyer_kind,
    combine,
    offered_natures,
    theme_words,
)
from kommunen.places.distance import haversine_km
from kommunen.places.gemeinden import LAENDER, GemeindeIndex
from kommunen.places.indikatoren import Bedarf
from kommunen.places.similar import SimilarityModel, fmt_int
from kommunen.store.models import Funding, Tender

FUNDING_WEIGHTS = {"text": 0.5, "berechtigt": 0.3, "gebiet": 0.2}


@dataclass(slots=True)
class ScoredTenders:
    """Scores and exclusions of many tenders as arrays; lead(i) builds one Lead when asked."""

    columns: TenderColumns
    matcher: Matcher
    tf: np.ndarray
    text: np.ndarray
    parts: list[ComponentColumn | CpvColumn]  # cpv, region, auftraggeber, frist, leistung, verwaltung
    score: np.ndarray
    excluded: list[str]

    def __len__(self) -> int:
        return len(self.columns)

    def lead(self, i: int) -> Lead:
        c = self.columns
        lead = Lead(
            "tender",
            c.lead_ref[i] if c.lead_ref else f"{c.source[i]}:{c.source_id[i]}",
            c.title[i],
            c.url[i],
            score=float(self.score[i]),
            excluded=self.excluded[i],
            deadline=c.submission_deadline[i],
            stages=c.stages[i] if c.stages else "",
        )
        main = c.cpv_codes[i].split(" ", 1)[0]
        label = self.matcher.codes.cpv_label(main) if main else ""
        awarded = c.awarded_value[i] if c.awarded_value else None
        lead.tender = TenderFacts(
            buyer=c.buyer_name[i],
            ort=c.buyer_city[i] if c.buyer_city else "",
            kommune_key=c.kommune_key[i] or "",
            cpv=f"{main} {label}".strip(),
            stufe=STAGE_WORDS.get(c.stage[i], "") if c.stage else "",  # type: ignore[call-overload]
            wert=awarded if awarded is not None else (c.estimated_value[i] if c.estimated_value else None),
        )
        evidence = self.matcher.text_evidence(self.tf[i], c.title[i], c.search_text[i])
        text = Component("text", float(self.text[i]), evidence)
        lead.components = [text, *(part.at(i) for part in self.parts)]
        return lead


def _words(matched: tuple[str, ...]) -> str:
    return f"Begriffe: {', '.join(matched)}" if matched else ""


def _weighted(lead: Lead, weights: dict[str, float]) -> None:
    lead.score = round(sum(weights[c.name] * c.value for c in lead.components), 4)


class Matcher:
    def __init__(
        self, profile: Profile, index: GemeindeIndex, now: datetime, codes: CodeLists | None = None
    ) -> None:
        self.profile, self.index, self.now = profile, index, now
        self.codes = codes or CodeLists()
        self.cpv = tuple(c for c in profile.cpv if c != SOZIAL)
        if SOZIAL in profile.cpv:
            if not self.codes.social_cpv:
                raise KommunenError(
                    f'{profile.path}: cpv "{SOZIAL}" braucht die Codelisten: kommunen import-codelisten'
                )
            self.cpv += tuple(self.codes.social_cpv)
        self.model = SimilarityModel(index)
        found = [index.find_kommune(r) for r in profile.referenzen]
        self.refs = [f.row for f in found if f.ebene == "gemeinde"]
        self.kreis_refs = [f.row for f in found if f.ebene == "kreis"]  # rows of index.kreise
        self.home = index.find(profile.heimat) if profile.heimat else None
        self.neighbours: dict[str, int] = {}  # Kreis → the reference whose own or neighbouring Kreis it is
        for r in reversed(self.refs):  # the first reference wins where neighbourhoods overlap
            self.neighbours.update(dict.fromkeys(self.model.nachbarkreise(str(index.kreis_key[r])), r))
        related, false_friends = theme_words(profile.begriffe)
        self.scorer = KeywordScorer(
            profile.begriffe, dict(related), dict(false_friends), related_weight=themes.RELATED_WEIGHT
        )
        self.offers = offered_natures(self.cpv)
        self._cpv_index = CpvIndex(self.cpv)
        self.exclusions = Phrases(profile.ausschluesse)
        # near home or near a reference counts as in the region: where a reference can be shown,
        # a lead is easier won. Distances from each of them to every Gemeinde, computed once.
        self._anchors = [self.home, *self.refs] if self.home is not None else []
        anchor_km = np.array(
            [
                haversine_km(index.lat, index.lon, float(index.lat[a]), float(index.lon[a]))
                for a in self._anchors
            ]
        )
        # per Gemeinde its nearest anchor (the home first: it wins a tie with itself as a
        # reference) and how far: looked up for each of some 30k distinct places of 100k tenders
        self._nearest: list[int] = anchor_km.argmin(axis=0).tolist() if self._anchors else []
        self._nearest_km: list[float] = anchor_km.min(axis=0).tolist() if self._anchors else []
        self._nuts_wanted = tuple(profile.nuts)

    def text_evidence(self, tf_row: np.ndarray, title: str = "", body: str = "") -> str:
        return _words(self.scorer.matched(tf_row, title, body))

    def _text(self, title: str, body: str) -> Component:
        found = self.scorer.score(title, body)
        return Component("text", found.score, _words(found.matched))

    def _cpv(self, codes: str) -> Component:
        value, code = self._cpv_index.score(codes.split())
        if not value:
            return Component("cpv", 0.0, "")
        name = self.codes.cpv_label(code)
        return Component("cpv", value, f"CPV {code} {name}" if name else f"CPV {code}")

    def _place(self, place: Place) -> Component:
        p, ags, nuts, land = self.profile, place.ags, place.nuts, place.land
        row = self.index.row_of.get(ags)
        if row is not None and self.home is not None and p.radius_km:
            nearest, km = self._nearest[row], self._nearest_km[row]
            if km <= p.radius_km:
                name = self.index.kurzname[self._anchors[nearest]]
                label = name if nearest == 0 else f"Referenzkommune {name}"
                return Component("region", 1.0 - 0.5 * km / p.radius_km, f"{km:.0f} km von {label}")
        if land and (land in p.laender or (p.nuts and any(n.startswith(self._nuts_wanted) for n in nuts))):
            named = next((self.codes.nuts3[n] for n in nuts if n in self.codes.nuts3), "")
            where = f"{named} ({LAENDER[land][1]})" if named and not ags else LAENDER[land][1]
            return Component("region", 0.8, f"in {where}")
        foreign = place.foreign
        if not p.laender and not p.nuts and not p.radius_km:  # anywhere in Germany, and only there
            return (
                Component("region", 0.0, f"außerhalb Deutschlands ({foreign})")
                if foreign
                else Component("region", 0.5, "")
            )
        if land or foreign:
            return Component("region", 0.0, f"außerhalb der Zielregion{f' ({foreign})' if foreign else ''}")
        return Component("region", 0.0, "Ort unbekannt")

    @cached_property
    def kreis_model(self) -> SimilarityModel:
        return SimilarityModel(self.index.kreise, self.model.nachbarn)

    def _kreis_buyer(self, key: str) -> Component:
        """A Kreis that buys (or is a lead), against the Kreis references: like them, or next to one."""
        model = self.kreis_model
        row = model.index.row_of.get(key)
        if row is None or not self.kreis_refs:
            return Component("auftraggeber", 0.0, "")
        best, ref = max((model.similarity(row, r), r) for r in self.kreis_refs)
        kreise = model.index.kurzname
        neighbour = next((r for r in self.kreis_refs if model.lage(row, r, "")), None)
        if neighbour is not None and best < 0.9:
            return Component(
                "auftraggeber", 0.9, f"Auftraggeber ist Nachbarkreis von Referenzkreis {kreise[neighbour]}"
            )
        people = f"{fmt_int(model.index.einwohner[row])} zu {fmt_int(model.index.einwohner[ref])} Einw."
        why = f"Auftraggeber ähnlich groß wie Referenzkreis {kreise[ref]} ({people})" if best >= 0.5 else ""
        return Component("auftraggeber", best, why)

    def _buyer(self, ags: str | None) -> Component:
        if ags and len(ags) == 5:
            return self._kreis_buyer(ags)
        row = self.index.row_of.get(ags or "")
        if row is None or not self.refs:
            return Component("auftraggeber", 0.0, "")
        best, ref = 0.0, self.refs[0]
        for r in self.refs:
            terms = (
                ((self.model.log_einwohner[row] - self.model.log_einwohner[r]) / 0.15) ** 2
                + ((self.model.log_dichte[row] - self.model.log_dichte[r]) / 0.35) ** 2
                + (2.0 * (self.model.rank[row] - self.model.rank[r])) ** 2
            )
            similarity = math.exp(-float(terms) / 8)
            if similarity > best:
                best, ref = similarity, r
        neighbour = self.neighbours.get(str(self.index.kreis_key[row]))
        if neighbour is not None and best < 0.9:
            where = self.model.lage(row, neighbour, f"Referenzkommune {self.index.kurzname[neighbour]}")
            verb = "ist " if where.startswith("Nachbargemeinde") else ""
            return Component("auftraggeber", 0.9, f"Auftraggeber {verb}{where}")
        name = self.index.kurzname[ref]
        why = f"Auftraggeber ähnlich groß wie Referenzkommune {name}" if best >= 0.5 else ""
        return Component("auftraggeber", best, why)

    def _deadline(self, deadline: datetime | None, planned: object) -> Component | str:
        if deadline is None:
            day = date.fromisoformat(str(planned)[:10]).strftime("%d.%m.%Y") if planned else ""
            if planned and str(planned) >= self.now.date().isoformat():
                return Component(
                    "frist",
                    0.8,
                    f"frühes Signal: Ausschreibung geplant ab {day}, jetzt ansprechen (Markterkundung)",
                )
            if planned:
                return Component("frist", 0.2, f"Vorinformation, geplant war {day}")
            return Component("frist", 0.5, "")
        days = (deadline - self.now).days
        if deadline < self.now:
            return "Frist abgelaufen"
        if days < self.profile.mindest_vorlauf_tage:
            return Component("frist", 0.2, f"nur noch {days} Tage bis zur Frist")
        return Component("frist", 1.0, f"Frist in {days} Tagen")

    def tenders(
        self,
        columns: TenderColumns,
        *,
        fit: bool = True,
        texts: Corpus | None = None,
        keys: TenderKeys | None = None,
    ) -> ScoredTenders:
        """Score a whole collection; fit=True first weighs the words by how rare they are in it.
        texts, keys: the columns' texts and component inputs prepared already (leads.tender_corpus)."""
        keys = keys or TenderKeys.of(columns)
        corpus = self.corpus(columns, texts, keys.main_cpv)
        corpus.prepare([*self.scorer.all_stems(), *self.exclusions.all_stems()])
        tf = self.scorer.fit(corpus) if fit else self.scorer.frequencies(corpus)
        text = self.scorer.scores(tf)
        nature = ComponentColumn("leistung", keys.nature, self._nature)
        parts: list[ComponentColumn | CpvColumn] = [
            CpvColumn(keys.cpv, self._cpv_index.value, self._cpv),
            ComponentColumn("region", keys.region, self._place),
            ComponentColumn("auftraggeber", keys.buyer, self._buyer),
            ComponentColumn("frist", keys.deadline, lambda key: self._deadline(*key)),
            nature,
            ComponentColumn(
                "verwaltung", keys.authority, lambda key: Component("verwaltung", *buyer_kind(*key))
            ),
        ]
        values = {part.name: part.values for part in parts}
        context = {name: values[name] for name in ("region", "auftraggeber", "verwaltung", "frist")}
        score = combine(text, values["cpv"], context, nature.values < 1.0)
        excluded = [f"Ausschluss: {hit}" if hit else "" for hit in self.exclusions.hits(corpus)]
        for part in parts:
            for i in np.flatnonzero(part.excludes[part.index]).tolist():
                excluded[i] = excluded[i] or part.at(i).evidence
        return ScoredTenders(columns, self, tf, text, parts, score, excluded)

    def corpus(
        self, columns: TenderColumns, texts: Corpus | None = None, main: Factorized | None = None
    ) -> Corpus:
        """The titles and search texts, each body with the German label of the notice's main CPV
        code: a short notice ("Rahmenvertrag") says what it buys through its code
        ("Dolmetschdienste"). A label is scanned once however many notices share it. texts: the
        columns' titles and search texts joined already (leads.tender_corpus); main: the main
        codes factorized already (TenderKeys)."""
        texts = texts or Corpus(columns.title, columns.search_text, bodies_folded=True)
        if not self.codes.cpv:
            return texts.with_labels(None)
        main = main or main_codes(columns.cpv_codes)
        labels = [fold_ascii(self.codes.cpv.get(code, "")) for code in main.keys]
        return texts.with_labels((labels, main.index))

    def _nature(self, nature: str) -> Component:
        """Works, construction planning or goods the enterprise does not offer: a service provider
        does not build, and a software vendor does not deliver radios."""
        if not nature or nature in self.offers:
            return Component("leistung", 1.0, "")
        kind, _, division = nature.partition(":")
        if kind in self.offers:  # goods, but from another CPV division
            label = self.codes.cpv_label(f"{division}000000")
            own = ", ".join(sorted(n.partition(":")[2] for n in self.offers if n.startswith("supplies:")))
            what = f"Lieferung aus CPV {division}{f' ({label})' if label else ''}"
            return Component("leistung", 0.0, f"{what}, Sie liefern aus CPV {own}")
        offered = " oder ".join(NATURE_WORDS[n] for n in sorted(self.offers) if n in NATURE_WORDS)
        return Component("leistung", 0.0, f"{NATURE_WORDS[kind]}, Sie bieten {offered}")

    def tender(self, t: Tender) -> Lead:
        """One tender as a lead, weighing words as the last fitted collection did."""
        return self.tenders(TenderColumns.of([t]), fit=False).lead(0)

    def funding(self, f: Funding) -> Lead:
        lead = Lead("funding", f"{f.source}:{f.source_id}", f.title, f.url)
        if excluded := self.exclusions.first_in(f"{f.title} {f.beschreibung}"):
            lead.excluded = f"Ausschluss: {excluded}"
        allowed = [b for b in f.foerderberechtigte if b in self.profile.foerder_berechtigt]
        if "mit_kommune" in self.profile.foerder_rollen and "Kommune" in f.foerderberechtigte:
            allowed.append("Kommune (gemeinsamer Antrag)")
        laender = {LAENDER[k][1] for k in self.profile.laender}
        in_area = "bundesweit" in f.foerdergebiet or bool(laender & set(f.foerdergebiet)) or not laender
        lead.components = [
            self._text(f.title, f"{f.kurzbeschreibung} {f.beschreibung} {f.stichworte}"),
            Component(
                "berechtigt",
                1.0 if allowed else 0.0,
                f"förderberechtigt: {', '.join(dict.fromkeys(allowed))}" if allowed else "",
            ),
            Component("gebiet", 1.0 if in_area else 0.0, f"Fördergebiet: {', '.join(f.foerdergebiet)}"),
        ]
        if not allowed and self.profile.foerder_berechtigt:
            lead.excluded = lead.excluded or "nicht förderberechtigt"
        _weighted(lead, FUNDING_WEIGHTS)
        return lead

    @cached_property
    def bedarf(self) -> Bedarf | None:
        """[bedarf]: the profile's need indicators, loaded once; None when it names none."""
        if not (self.profile.bedarf or self.profile.bedarf_niedrig):
            return None
        with self.index.engine.connect() as conn:
            return Bedarf(conn, self.profile.bedarf, self.profile.bedarf_niedrig)
