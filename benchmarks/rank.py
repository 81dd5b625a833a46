"""Benchmark for the matcher (issue 4): rank 100,000 stored tenders for one profile.

Targets: warm ranking < 2 s, peak memory < 1 GB. "Ranking" is what `kommunen leads` and `run` do:
read the tenders, score every component, exclude, order, and build the best 500 as leads.
Baseline in the same run: the keyword-only text score over the same texts (what a plain keyword
search costs).
Run: .venv/bin/python benchmarks/rank.py
"""

from __future__ import annotations

import dataclasses
import gc
import resource
import statistics
import time
from datetime import UTC, datetime

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

NOW = datetime(2026, 11, 22, tzinfo=UTC)
RUNS = 5


def main() -> None:
    engine = database_with_gemeinden("rank")
    notices = []
    for path in sorted((SHARED / "tenders/eforms").glob("*.xml")):
        try:
            notices.append(parse_notice(RawDocument(url=path.name, body=path.read_bytes(), fetched_at=NOW)))
        except ParseError:
            continue
    records = [
        dataclasses.replace(notices[i % len(notices)], source="bench", source_id=f"n{i}")
        for i in range(100_000)
    ]
    for start in range(0, len(records), 10_000):
        with session_scope(engine) as session:
            store_records(session, records[start : start + 10_000], KommunenLinker())
    del records, notices  # a ranking process (`kommunen leads`) holds no parsed notices
    gc.collect()

    profile = load_profile(ROOT / "data/profiles/integration.toml")
    with session_scope(engine) as session:
        index = GemeindeIndex(session)
    rank(engine, profile, index, NOW)  # warm-up: caches, stemmer, SQLite pages
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        ranking = rank(engine, profile, index, NOW)
        best = ranking.select(limit=500)  # what `kommunen run` exports: only these become objects
        runs.append(time.perf_counter() - start)
    warm = statistics.median(runs)

    with session_scope(engine) as session:
        texts = [(t, d) for t, d in session.execute(select(Tender.title, Tender.search_text))]
    start = time.perf_counter()
    scorer = KeywordScorer(profile.begriffe)
    scorer.scores(scorer.fit(Corpus([t for t, _ in texts], [d for _, d in texts], bodies_folded=True)))
    keyword_only = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"ranked {len(ranking):,} leads ({ranking.count_of('tender'):,} open tenders), top {len(best)} built"
    )
    print(
        f"warm ranking           {warm:6.2f} s   target < 2 s   {'ok' if warm < 2 else 'MISSED'}"
        f"   (median of {RUNS}: {', '.join(f'{r:.2f}' for r in runs)})"
    )
    print(
        f"keyword-only baseline  {keyword_only:6.2f} s   "
        f"(ranking costs {warm / keyword_only:.1f}x the text score)"
    )
    print(
        f"peak memory            {peak_mb:6.0f} MB  target < 1024 MB  {'ok' if peak_mb < 1024 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
