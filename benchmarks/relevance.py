"""Relevance of the matcher (issue 4): precision@10 and nDCG@10 per example profile, against a
keyword-only baseline (the same profile words, BM25-style, nothing else) measured in the same run.

Ground truth: benchmarks/relevance_labels.csv – one judgement per notice and profile, each with
its reason. Every notice under ../shared/data/tenders is ranked; the figures count the labelled
ones (notices whose text is a placeholder such as "Procedure Name" cannot be judged and are not
labelled). "best" is the highest precision@10 the labels allow: a profile with 3 relevant notices
cannot score above 0.3.
Run: .venv/bin/python benchmarks/relevance.py
"""

from __future__ import annotations

import csv
import dataclasses
import math
from datetime import UTC, datetime
from pathlib import Path

from common import ROOT, SHARED, database_with_gemeinden
from sqlalchemy import select

from kommunen.matching.leads import rank
from kommunen.matching.profile import load_profile
from kommunen.matching.text import Corpus, KeywordScorer
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.linking import KommunenLinker
from kommunen.store.db import session_scope
from kommunen.store.models import Tender
from kommunen.store.records import store_records
from scrapers.base import RawDocument
from scrapers.eforms import parse_notice
from scrapers.errors import ParseError

TENDERS = SHARED / "tenders"
LABELS = ROOT / "benchmarks" / "relevance_labels.csv"
PROFILES = {
    "integration": ROOT / "data/profiles/integration.toml",
    "digital": ROOT / "data/profiles/digital.toml",
}
NOW = datetime(2019, 6, 1, tzinfo=UTC)  # before every deadline in the set: judge content, not timing
K = 10


@dataclasses.dataclass(frozen=True, slots=True)
class Judgement:
    relevant: bool
    reason: str


def load_labels(path: Path = LABELS) -> dict[str, dict[str, Judgement]]:
    """profile → notice (its path under ../shared/data/tenders) → judgement."""
    labels: dict[str, dict[str, Judgement]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            labels.setdefault(row["profile"], {})[row["notice"]] = Judgement(
                row["relevant"] == "1", row["reason"]
            )
    return labels


def precision_at(hits: list[bool], k: int = K) -> float:
    return sum(hits[:k]) / k


def ndcg_at(hits: list[bool], relevant: int, k: int = K) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(hits[:k]) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(relevant, k)))
    return dcg / ideal if ideal else 0.0


def store_notices(engine) -> int:  # type: ignore[no-untyped-def]
    """Every parseable notice, keyed by its path under tenders/ (two SDK examples share a notice id)."""
    records = []
    for path in sorted(TENDERS.rglob("*.xml")):
        try:
            notice = parse_notice(RawDocument(url=path.as_uri(), body=path.read_bytes(), fetched_at=NOW))
        except ParseError:
            continue
        key = path.relative_to(TENDERS).as_posix()
        records.append(dataclasses.replace(notice, source="eval", source_id=key))
    with session_scope(engine) as session:
        store_records(session, records, KommunenLinker())
    return len(records)


def keyword_order(engine, words: dict[str, float]) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = session.execute(select(Tender.source_id, Tender.title, Tender.search_text)).all()
    scorer = KeywordScorer(words)
    scores = scorer.scores(scorer.fit(Corpus([r.title for r in rows], [r.search_text for r in rows])))
    return [row.source_id for _, row in sorted(zip(-scores, rows, strict=True), key=lambda pair: pair[0])]


def main() -> None:
    engine = database_with_gemeinden("relevance")
    with session_scope(engine) as session:
        index = GemeindeIndex(session)
    stored = store_notices(engine)
    labels = load_labels()
    print(
        f"{stored} notices ranked; labelled per profile: "
        + ", ".join(f"{p} {len(n)}" for p, n in labels.items())
    )
    print(
        f"\n{'profile':<12} {'relevant':>8}  {'P@10':>6} {'base':>6} {'best':>6}  {'nDCG@10':>7} {'base':>6}"
    )
    tops = {}
    for name, path in PROFILES.items():
        judged = labels[name]
        profile = load_profile(path)
        ranking = rank(engine, profile, index, NOW)
        matcher = [lead.ref.removeprefix("eval:") for lead in ranking.select("tender")]
        baseline = keyword_order(engine, profile.begriffe)
        hits = {
            label: [judged[n].relevant for n in order if n in judged]
            for label, order in (("matcher", matcher), ("baseline", baseline))
        }
        relevant = sum(j.relevant for j in judged.values())
        ours, base = hits["matcher"], hits["baseline"]
        print(
            f"{name:<12} {relevant:>8}  {precision_at(ours):>6.2f} {precision_at(base):>6.2f}"
            f" {min(relevant, K) / K:>6.2f}  {ndcg_at(ours, relevant):>7.2f} {ndcg_at(base, relevant):>6.2f}"
        )
        tops[name] = [(n, judged[n]) for n in matcher if n in judged][:K]
    for name, top in tops.items():
        print(f"\nmatcher top {K} for {name}:")
        for notice, judgement in top:
            print(f"  {'✓' if judgement.relevant else '·'} {notice:<43} {judgement.reason}")


if __name__ == "__main__":
    main()
