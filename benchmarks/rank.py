"""Benchmark for the matcher: rank 100,000 stored tenders for every example profile.

The tenders vary as real ones do: each field is sampled from the 493 real German notices on its
own (titles, descriptions, buyers, places, lots), CPV sets are drawn from the whole CPV 2008
vocabulary (over 50,000 distinct sets), deadlines spread over a year and a half around now.
Targets: warm ranking < 2 s per profile, peak memory < 1 GB. "Ranking" is what `kommunen leads`
and `run` do: read the tenders, group them into procedures, score every component, exclude,
order, and build the best 500 as leads. Warm: inside `leads.reading_once()`, as `kommunen run`
ranks (export and digest), the tenders are read, grouped and joined once while they stay
unchanged; each ranking still checks that (every row's hash) and scores everything anew. Cold:
the first ranking of a process, reading everything (what a lone `kommunen leads` costs).
Baseline in the same run: the keyword-only text score over the same texts (what a plain keyword
search costs).
Run: .venv/bin/python benchmarks/rank.py
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import multiprocessing
import random
import resource
import statistics
import time
from datetime import UTC, datetime, timedelta

from common import ROOT, SHARED, database_with_gemeinden
from sqlalchemy import select

from kommunen.collect.pipeline import run_source
from kommunen.matching.leads import rank, reading_once
from kommunen.matching.profile import load_profile
from kommunen.matching.text import Corpus, KeywordScorer
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.linking import KommunenLinker
from kommunen.store.db import make_engine, session_scope
from kommunen.store.models import Tender
from kommunen.store.records import store_records
from scrapers.base import RawDocument
from scrapers.codelists import EformsCodelists
from scrapers.notice_files import parse_notice
from scrapers.records import TenderRecord

NOW = datetime(2026, 11, 22, tzinfo=UTC)
RUNS = 3


PROFILES = ("integration", "digital", "klima", "jugendbeteiligung")
FOLDERS = ("ted-eforms-de", "ted-r209-de", "ted-r209-de-converter", "bekanntmachungsservice-eforms")


def varied_tenders(n: int, seed: int = 20261202) -> list[TenderRecord]:
    """n tenders whose fields are drawn independently from the real notices."""
    rng = random.Random(seed)
    real = [
        parse_notice(RawDocument(url=p.as_uri(), body=p.read_bytes(), fetched_at=NOW))
        for folder in FOLDERS
        for p in sorted((SHARED / "tenders" / folder).glob("*.xml"))
    ]
    with (SHARED / "codelists/cpv_2008_de_labels.csv").open(encoding="utf-8") as handle:
        vocabulary = [row["code"].split("-", 1)[0] for row in csv.DictReader(handle)]
    buyers = [
        {f: getattr(t, f) for f in ("buyer_name", "buyer_city", "buyer_postal_code", "buyer_nuts",
                                     "buyer_legal_type", "buyer_country", "buyer_department")}
        for t in real
    ]  # fmt: skip
    out = []
    for i in range(n):
        base = rng.choice(real)
        codes = rng.sample(vocabulary, rng.randint(1, 4))
        out.append(
            dataclasses.replace(
                base,
                source="bench",
                source_id=f"n{i}",
                procedure_id="",
                previous_notices=(),
                title=rng.choice(real).title,
                description=rng.choice(real).description,
                lots=rng.choice(real).lots,
                place_nuts=rng.choice(real).place_nuts,
                cpv_main=codes[0],
                cpv_additional=tuple(codes[1:]),
                contract_nature=rng.choice(real).contract_nature,
                submission_deadline=NOW + timedelta(days=rng.randint(-200, 330))
                if rng.random() < 0.7
                else None,
                **rng.choice(buyers),
            )
        )
    return out


def deadline(rng: random.Random) -> datetime | None:
    """Seven in ten notices have a deadline, from 200 days ago to 330 days ahead."""
    return NOW + timedelta(days=rng.randint(-200, 330)) if rng.random() < 0.7 else None


def fill(url: str) -> None:
    """In a child process: the 100k parsed records never count in the ranking's memory."""
    engine = make_engine(url)
    run_source(engine, EformsCodelists([SHARED / "codelists"]), None)  # type: ignore[arg-type]
    records = varied_tenders(100_000)
    linker = KommunenLinker()
    for start in range(0, len(records), 10_000):
        with session_scope(engine) as session:
            store_records(session, records[start : start + 10_000], linker)
    cpv_sets = len({r.cpv_codes for r in records})
    print(f"100,000 tenders sampled from the real notices, {cpv_sets:,} distinct CPV sets")


def main() -> None:
    engine = database_with_gemeinden("rank")
    child = multiprocessing.get_context("spawn").Process(target=fill, args=(str(engine.url),))
    child.start()
    child.join()
    with session_scope(engine) as session:
        index = GemeindeIndex(session)
    timings = {name: time_ranking(engine, index, name) for name in PROFILES}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ranking only, as `leads` runs
    with session_scope(engine) as session:
        texts = [(t, d) for t, d in session.execute(select(Tender.title, Tender.search_text))]
    for name, (cold, warm, ranking, best) in timings.items():
        profile = load_profile(ROOT / "data/profiles" / f"{name}.toml")
        start = time.perf_counter()
        scorer = KeywordScorer(profile.begriffe)
        scorer.scores(scorer.fit(Corpus([t for t, _ in texts], [d for _, d in texts], bodies_folded=True)))
        keyword_only = time.perf_counter() - start
        verdict = "ok" if warm < 2 else "MISSED"
        print(
            f"{name:<18} warm ranking {warm:5.2f} s (target < 2 s: {verdict}; median of {RUNS});"
            f" cold {cold:5.2f} s"
        )
        print(
            f"{'':<18} keyword-only {keyword_only:5.2f} s -> ranking {warm / keyword_only:.1f}x; "
            f"{ranking:,} tender leads (score > 0, open), best {best} built"
        )
    verdict = "ok" if peak_mb < 1024 else "MISSED"
    print(f"peak memory of the rankings {peak_mb:6.0f} MB  target < 1024 MB  {verdict}")


def time_ranking(engine, index, name: str) -> tuple[float, float, int, int]:  # type: ignore[no-untyped-def]
    profile = load_profile(ROOT / "data/profiles" / f"{name}.toml")
    start = time.perf_counter()
    rank(engine, profile, index, NOW).select(limit=500)  # cold: nothing read before in this ranking
    cold = time.perf_counter() - start
    runs = []
    with reading_once():
        rank(engine, profile, index, NOW)  # warm-up: reads the tenders once
        for _ in range(RUNS):
            start = time.perf_counter()
            ranking = rank(engine, profile, index, NOW)
            best = ranking.select(limit=500)  # what `kommunen run` exports: only these become objects
            runs.append(time.perf_counter() - start)
            count = ranking.count_of("tender")
            del ranking
            gc.collect()
    return cold, statistics.median(runs), count, len(best)


if __name__ == "__main__":
    main()
