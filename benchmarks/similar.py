"""Benchmark for places: first import and re-import, warm `similar` queries, the CLI end to end.

Targets (issue 14): first import of directory, borders (and indicators where that import exists)
< 30 s, re-import of unchanged files < 2 s, similar over Gemeinden and over Kreise < 5 ms warm,
`kommunen similar X` end to end < 0.5 s. Each figure is printed with its target. The first CLI
run reads the database and writes the index cache (kommunen/places/cache.py); the median is over
the five runs after it, answered from the cache.
Run: .venv/bin/python benchmarks/similar.py
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kommunen.collect.borders import import_borders
from kommunen.collect.imports import (
    GV_FILE,
    PLZ_FILE,
    import_derived,
    import_gemeindeverzeichnis,
    read_document,
)
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.similar import KommunenModel, SimilarQuery
from kommunen.store.db import make_engine, session_scope, upgrade

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def import_all(engine, skip_unchanged: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Seconds per step of `kommunen import-gemeinden`."""
    steps: dict[str, float] = {}
    with session_scope(engine) as session:
        start = time.perf_counter()
        import_gemeindeverzeichnis(
            session,
            [read_document(SHARED / GV_FILE), read_document(SHARED / PLZ_FILE)],
            skip_unchanged=skip_unchanged,
        )
        steps["directory"] = time.perf_counter() - start
        start = time.perf_counter()
        import_borders(session, SHARED)
        steps["borders"] = time.perf_counter() - start
        start = time.perf_counter()
        import_derived(session, SHARED)
        steps["changes + seats"] = time.perf_counter() - start
        try:
            from kommunen.collect.indikatoren import import_indikatoren  # helper B's, where present
        except ImportError:
            return steps
        start = time.perf_counter()
        import_indikatoren(session, SHARED)
        steps["indicators"] = time.perf_counter() - start
    return steps


def warm_ms(model: KommunenModel, references: list[str]) -> tuple[float, float]:
    model.find(SimilarQuery([references[0]]))  # warm-up
    timings = []
    for ref in references:
        start = time.perf_counter()
        model.find(SimilarQuery([ref], k=20))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def cli_s(env: dict[str, str], *args: str) -> tuple[float, float]:
    """(first run, which reads the database and writes the index cache; median of five more)."""
    exe = Path(sys.executable).with_name("kommunen")
    runs = []
    for _ in range(6):
        start = time.perf_counter()
        subprocess.run([exe, "similar", *args], env=env, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return runs[0], statistics.median(runs[1:])


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="kommunen-bench-"))
    url = f"sqlite:///{home / 'kommunen.db'}"
    engine = make_engine(url)
    upgrade(engine)
    cold = import_all(engine, skip_unchanged=True)
    warm = import_all(engine, skip_unchanged=True)

    start = time.perf_counter()
    with session_scope(engine) as session:
        model = KommunenModel(GemeindeIndex(session))
    model.kreise  # noqa: B018 - the Kreis columns are read on first use: time them here
    index_s = time.perf_counter() - start

    rng = random.Random(42)
    gemeinde_p50, gemeinde_p95 = warm_ms(model, rng.sample(model.index.ags, 100))
    kreis_p50, kreis_p95 = warm_ms(model, [f"Kreis {k}" for k in rng.sample(model.index.kreise.ags, 100)])

    env = {**os.environ, "KOMMUNEN_HOME": str(home), "KOMMUNEN_DATABASE_URL": url}
    cli_first, cli_gemeinde = cli_s(env, "Augsburg")
    _, cli_kreis = cli_s(env, "Landkreis Tübingen", "--k", "5")
    _, cli_merkmal = cli_s(env, "Landkreis Tübingen", "--k", "5", "--merkmal", "Asylbewerber")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare_python = time.perf_counter() - start

    first, again = sum(cold.values()), sum(warm.values())
    rows = [
        ("first import, all", f"{first:.2f} s", "< 30 s", first < 30),
        *((f"  {step}", f"{s:.2f} s", "", True) for step, s in cold.items()),
        ("re-import, nothing changed", f"{again:.2f} s", "< 2 s", again < 2),
        ("index load (Gemeinden + Kreise, per process)", f"{index_s * 1000:.0f} ms", "", True),
        ("warm similar, Gemeinde p50 (100 refs)", f"{gemeinde_p50:.2f} ms", "< 5 ms", gemeinde_p50 < 5),
        ("warm similar, Gemeinde p95", f"{gemeinde_p95:.2f} ms", "< 5 ms", gemeinde_p95 < 5),
        ("warm similar, Kreis p50 (100 refs)", f"{kreis_p50:.2f} ms", "< 5 ms", kreis_p50 < 5),
        ("warm similar, Kreis p95", f"{kreis_p95:.2f} ms", "< 5 ms", kreis_p95 < 5),
        ("CLI `similar Augsburg`, first (cache written)", f"{cli_first:.2f} s", "", True),
        ("CLI `similar Augsburg` median", f"{cli_gemeinde:.2f} s", "< 0.5 s", cli_gemeinde < 0.5),
        ('CLI `similar "Landkreis Tübingen"`', f"{cli_kreis:.2f} s", "< 0.5 s", cli_kreis < 0.5),
        ("  … --merkmal Asylbewerber (reads INKAR)", f"{cli_merkmal:.2f} s", "", True),
        ("  baseline: bare `python -c pass`", f"{bare_python:.2f} s", "", True),
    ]
    print(f"{len(model.index)} Gemeinden with inhabitants, {len(model.index.kreise)} Kreise")
    for name, value, target, ok in rows:
        print(f"{name:<46} {value:>10}  {target:<8} {'' if not target else ('ok' if ok else 'MISSED')}")


if __name__ == "__main__":
    main()
