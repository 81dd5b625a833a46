"""The labelled set of benchmarks/relevance.py: every judgement names a real notice, has a grade
0/1/2 and a reason, and every example profile judges all 493 real German notices."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kommunen.matching.evaluation import load_labels
from tests.recorded import SHARED

LABELS = Path(__file__).resolve().parents[1] / "benchmarks" / "labels"
PROFILES = ("integration", "digital", "klima", "jugendbeteiligung")
REAL = {
    p.relative_to(SHARED).as_posix()
    for folder in ("ted-eforms-de", "ted-r209-de", "ted-r209-de-converter", "bekanntmachungsservice-eforms")
    for p in (SHARED / "tenders" / folder).glob("*.xml")
}


@pytest.mark.parametrize("profile", PROFILES)
def test_every_real_notice_is_judged_with_a_reason(profile: str) -> None:
    path = LABELS / f"{profile}.csv"
    labels = load_labels(path)  # the same checks `kommunen evaluate` makes
    assert {label.notice for label in labels} == REAL
    assert len(labels) == 493
    assert all(label.reason for label in labels)
    assert any(label.grade >= 1 for label in labels)


def test_a_profile_file_exists_for_every_label_file() -> None:
    profiles = Path(__file__).resolve().parents[1] / "data" / "profiles"
    assert {p.stem for p in LABELS.glob("*.csv")} == set(PROFILES)
    assert all((profiles / f"{name}.toml").is_file() for name in PROFILES)


def test_the_labels_are_csv_a_spreadsheet_opens() -> None:
    with (LABELS / "integration.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["notice", "grade", "reason"]
