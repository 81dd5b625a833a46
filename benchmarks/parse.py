"""Benchmark for the scraping engine (issue 3). Prints its figures; ratios against baselines
measured in the same run.

1. eForms parsing of all real SDK notices: notices/s and MB/s.
2. One real HTML listing page (Förderdatenbank search results): selectolax (lexbor) vs
   BeautifulSoup(html.parser) extracting the ten programme titles and links.
3. Ingest of 100,000 tender records into SQLite with store.upsert (batched, hashed) vs a
   naive row-by-row ORM insert (add + commit per row, measured on 5,000 rows), as rows/s.

Run: .venv/bin/python benchmarks/parse.py
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser

from kommunen.places.linking import KommunenLinker
from kommunen.store.db import make_engine, session_scope, upgrade
from kommunen.store.models import Tender
from kommunen.store.records import store_records, tender_rows
from scrapers.base import RawDocument
from scrapers.eforms import parse_notice
from scrapers.errors import ParseError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FETCHED = datetime(2026, 11, 2, tzinfo=UTC)


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_eforms() -> list:  # type: ignore[type-arg]
    docs = [
        RawDocument(url=p.name, body=p.read_bytes(), fetched_at=FETCHED)
        for p in sorted((SHARED / "tenders/eforms").glob("*.xml"))
    ]
    parsed = []

    def run() -> None:
        parsed.clear()
        for doc in docs:
            with contextlib.suppress(ParseError):
                parsed.append(parse_notice(doc))

    seconds = timed(run, 5)
    megabytes = sum(len(d.body) for d in docs) / 1e6
    print(
        f"eForms: {len(docs)} notices ({megabytes:.2f} MB), {len(parsed)} parsed, "
        f"{len(docs) - len(parsed)} rejected with ParseError"
    )
    print(f"  {len(docs) / seconds:,.0f} notices/s   {megabytes / seconds:.1f} MB/s")
    return parsed


def bench_html() -> None:
    html = (SHARED / "funding/foerderdatenbank/overview.html").read_bytes()

    def with_selectolax() -> list[tuple[str, str]]:
        tree = LexborHTMLParser(html)
        return [
            (a.text(strip=True), a.attributes.get("href") or "")
            for a in tree.css(".card--fundingprogram .card--title a")
        ]

    def with_bs4() -> list[tuple[str, str]]:
        soup = BeautifulSoup(html, "html.parser")
        return [
            (a.get_text(strip=True), str(a.get("href") or ""))
            for a in soup.select(".card--fundingprogram .card--title a")
        ]

    assert with_selectolax() == with_bs4()
    assert len(with_selectolax()) == 10
    fast = timed(with_selectolax, 20)
    slow = timed(with_bs4, 5)
    print(
        f"HTML listing ({len(html) / 1e3:.0f} kB, 10 programmes): selectolax {fast * 1000:.2f} ms, "
        f"BeautifulSoup(html.parser) {slow * 1000:.1f} ms  ->  selectolax {slow / fast:.0f}x faster"
    )


def bench_ingest(parsed: list) -> None:  # type: ignore[type-arg]
    records = [
        dataclasses.replace(parsed[i % len(parsed)], source="bench", source_id=f"notice-{i}")
        for i in range(100_000)
    ]
    folder = Path(tempfile.mkdtemp(prefix="kommunen-bench-"))

    engine = make_engine(f"sqlite:///{folder / 'fast.db'}")
    upgrade(engine)
    start = time.perf_counter()
    for chunk in range(0, len(records), 5_000):
        with session_scope(engine) as session:
            store_records(session, records[chunk : chunk + 5_000], KommunenLinker())
    ours = time.perf_counter() - start

    naive_engine = make_engine(f"sqlite:///{folder / 'naive.db'}")
    upgrade(naive_engine)
    sample = records[:5_000]
    with session_scope(naive_engine) as session:
        rows = tender_rows(session, sample)
    start = time.perf_counter()
    columns = set(Tender.__table__.columns.keys())
    for row in rows:
        with session_scope(naive_engine) as session:
            values = {k: v for k, v in row.items() if k in columns}
            values.update(content_hash="", first_seen=row["seen_at"], last_changed=row["seen_at"])
            session.add(Tender(**values))
    naive = time.perf_counter() - start

    ours_rate, naive_rate = len(records) / ours, len(sample) / naive
    print(
        f"Ingest: 100,000 tenders with store.upsert in {ours:.1f} s ({ours_rate:,.0f} rows/s; target < 60 s)"
    )
    print(
        f"  naive row-by-row ORM insert: {naive_rate:,.0f} rows/s (5,000 rows in {naive:.1f} s)"
        f"  ->  upsert {ours_rate / naive_rate:.1f}x faster"
    )


if __name__ == "__main__":
    parsed = bench_eforms()
    bench_html()
    bench_ingest(parsed)
