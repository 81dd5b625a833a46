"""Benchmark for the foundation: import, warm `similar` queries, and the CLI end to end.

Targets (issue 2): import < 10 s, warm query p50 < 20 ms, `kommunen similar X` < 1.5 s.
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

from kommunen.collect.imports import GV_FILE, PLZ_FILE, import_gemeindeverzeichnis, read_document
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.similar import SimilarityModel, SimilarQuery
from kommunen.store.db import make_engine, session_scope, upgrade

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="kommunen-bench-"))
    engine = make_engine(f"sqlite:///{home / 'kommunen.db'}")
    upgrade(engine)

    start = time.perf_counter()
    with session_scope(engine) as session:
        result = import_gemeindeverzeichnis(
            session, [read_document(SHARED / GV_FILE), read_document(SHARED / PLZ_FILE)]
        )
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    with session_scope(engine) as session:
        import_gemeindeverzeichnis(
            session, [read_document(SHARED / GV_FILE), read_document(SHARED / PLZ_FILE)]
        )
    reimport_s = time.perf_counter() - start

    start = time.perf_counter()
    with session_scope(engine) as session:
        model = SimilarityModel(GemeindeIndex(session))
    index_s = time.perf_counter() - start

    rng = random.Random(42)
    references = rng.sample(model.index.ags, 100)
    model.find(SimilarQuery([references[0]]))  # warm-up
    timings = []
    for ags in references:
        start = time.perf_counter()
        model.find(SimilarQuery([ags], k=20))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50, p95 = statistics.median(timings), timings[94]

    env = {
        **os.environ,
        "KOMMUNEN_HOME": str(home),
        "KOMMUNEN_DATABASE_URL": f"sqlite:///{home / 'kommunen.db'}",
    }
    exe = Path(sys.executable).with_name("kommunen")
    cli = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([exe, "similar", "Augsburg"], env=env, check=True, capture_output=True)
        cli.append(time.perf_counter() - start)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare_python = time.perf_counter() - start

    rows = [
        ("import (Gebiete, Gemeinden, PLZ)", f"{import_s:.2f} s", "< 10 s", import_s < 10),
        ("re-import, nothing changed", f"{reimport_s:.2f} s", "", True),
        ("index load (warm-up per process)", f"{index_s * 1000:.0f} ms", "", True),
        ("warm query p50 (100 references)", f"{p50:.1f} ms", "< 20 ms", p50 < 20),
        ("warm query p95", f"{p95:.1f} ms", "", True),
        (
            "CLI `kommunen similar Augsburg` median",
            f"{statistics.median(cli):.2f} s",
            "< 1.5 s",
            statistics.median(cli) < 1.5,
        ),
        ("  baseline: bare `python -c pass`", f"{bare_python:.2f} s", "", True),
    ]
    print(f"{result.gemeinden.total} Gemeinden, {result.plz.total} PLZ rows")
    for name, value, target, ok in rows:
        print(f"{name:<42} {value:>10}  {target:<8} {'' if not target else ('ok' if ok else 'MISSED')}")


if __name__ == "__main__":
    main()
