"""The fault matrix: every fault a user's morning can meet, each a real test, with its outcome
and the time it took.

The cases are the tests of the fault suite (a loopback server playing 429s, hangs, drips,
redirect loops, hostile XML …; processes killed with SIGKILL; two jobs at once; broken paths
and databases; control characters). Each asserts that nothing stored is lost, nothing is
duplicated, the error is named with its URL and the exit code is right. This script runs them
through pytest and prints one line per case.
Run: .venv/bin/python benchmarks/faults.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SUITE = (
    "tests/scrapers/test_faults.py",
    "tests/test_kill.py",
    "tests/test_stale_runs.py",
    "tests/test_concurrency.py",
    "tests/test_exit_codes.py",
    "tests/test_control_characters.py",
)
OUTCOME = {"ok": "ok", "failure": "FEHLER", "error": "FEHLER", "skipped": "übersprungen"}


def _unescaped(name: str) -> str:
    """pytest writes non-ASCII test ids escaped ("h\\xe4ngt"); the matrix shows "hängt"."""
    if "\\x" not in name and "\\u" not in name:
        return name
    shown = name.encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate stays escaped


def main() -> int:
    files = [f for f in SUITE if (ROOT / f).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "faults.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *files],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        cases = etree.parse(str(report), parser).getroot().iter("testcase")
        rows = []
        for case in cases:
            children = [child.tag for child in case]
            outcome = next((OUTCOME[tag] for tag in ("failure", "error", "skipped") if tag in children), "ok")
            name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{_unescaped(case.get('name', ''))}"
            rows.append((name, outcome, float(case.get("time", "0"))))
    width = min(66, max((len(n) for n, _, _ in rows), default=10))
    print(f"{'Fall':<{width}} {'Ergebnis':<12} {'Zeit':>7}")
    for name, outcome, seconds in rows:
        shown = name if len(name) <= width else name[: width - 1] + "…"
        print(f"{shown:<{width}} {outcome:<12} {seconds:>6.1f}s")
    tally = {shown: sum(1 for _, outcome, _ in rows if outcome == shown) for shown in OUTCOME.values()}
    failed, skipped = tally["FEHLER"], tally["übersprungen"]
    print(f"{len(rows)} Fälle: {tally['ok']} ok, {failed} fehlgeschlagen, {skipped} übersprungen")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
