"""Relevance of the matcher, measured through `kommunen evaluate` as a user would run it.

Ground truth: benchmarks/labels/<profile>.csv, one judgement per real German notice under
../shared/data/tenders (493 notices: TED eForms, TED_EXPORT, Bekanntmachungsservice), grade 0/1/2
with the reader's reason, for each example profile. Targets: precision@10 ≥ 0.9 and nDCG@10 ≥ 0.8
per profile, above the keyword-only baseline printed beside it (same words, nothing else).
Run: .venv/bin/python benchmarks/relevance.py
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, SHARED

PROFILES = ("integration", "digital", "klima", "jugendbeteiligung")
K = 10


def kommunen(*args: str, env: dict[str, str]) -> str:
    cli = [sys.executable, "-c", "from kommunen.cli import main; main()"]
    return subprocess.run([*cli, *args], env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="kommunen-relevance-"))
    env = {**os.environ, "KOMMUNEN_HOME": str(home), "KOMMUNEN_DATA_DIR": str(SHARED)}
    kommunen("import-gemeinden", env=env)
    kommunen("import-codelisten", env=env)
    folders = ("ted-eforms-de", "ted-r209-de", "ted-r209-de-converter", "bekanntmachungsservice-eforms")
    kommunen("import-notices", *(str(SHARED / "tenders" / f) for f in folders), env=env)
    head = f"{'Profil':<18}{'Urteile':>8}{'relevant':>9}   {'P@10':>5} {'Basis':>6}"
    print(f"{head}   {'nDCG@10':>7} {'Basis':>6}")
    for name in PROFILES:
        labels = ROOT / "benchmarks" / "labels" / f"{name}.csv"
        with labels.open(encoding="utf-8") as handle:
            judged = sum(1 for _ in csv.DictReader(handle))
        args = (
            "evaluate",
            "-p",
            str(ROOT / "data/profiles" / f"{name}.toml"),
            "-l",
            str(labels),
            "-k",
            str(K),
        )
        result = json.loads(kommunen(*args, "-f", "json", env=env))
        base = result["baseline"]
        met = result["precision_at_k"] >= 0.9 and result["ndcg_at_k"] >= 0.8
        print(
            f"{name:<18}{judged:>8}{result['relevant']:>9}   {result['precision_at_k']:>5.2f}"
            f" {base['precision_at_k']:>6.2f}   {result['ndcg_at_k']:>7.2f} {base['ndcg_at_k']:>6.2f}"
            f"   {'Ziel erreicht' if met else 'Ziel verfehlt'}"
        )
        if result["missing"]:
            print(f"  nicht in der Datenbank: {len(result['missing'])}")


if __name__ == "__main__":
    main()
