"""The labelled evaluation set of benchmarks/relevance.py: every judgement names a real notice
that parses, has a reason, and both example profiles judge the same notices."""

from __future__ import annotations

import csv
import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrapers.base import RawDocument
from scrapers.eforms import parse_notice
from tests.recorded import SHARED

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # as when run as a script: its sibling common.py
_spec = importlib.util.spec_from_file_location("relevance", ROOT / "benchmarks/relevance.py")
assert _spec is not None
assert _spec.loader is not None
relevance = importlib.util.module_from_spec(_spec)
sys.modules["relevance"] = relevance  # dataclasses look their module up
_spec.loader.exec_module(relevance)


def test_every_judgement_names_a_real_notice_and_a_reason() -> None:
    with relevance.LABELS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["notice", "profile", "relevant", "reason"]
    assert all(len(row) == 4 for row in rows), "a reason with a comma splits its row"
    labels = relevance.load_labels()
    assert set(labels) == set(relevance.PROFILES)
    notices = set(labels["integration"])
    assert set(labels["digital"]) == notices
    assert len(notices) == len(rows[1:]) // 2  # no notice judged twice for a profile
    for name in notices:
        path = SHARED / "tenders" / name
        notice = parse_notice(RawDocument(url=name, body=path.read_bytes(), fetched_at=datetime.now(UTC)))
        assert notice.title
    assert all(j.reason for judged in labels.values() for j in judged.values())
    judged = labels["integration"]["eforms/pin-only_81.xml"]
    assert judged.relevant
    assert judged.reason.startswith("Framework for linguists")


def test_metrics() -> None:
    hits = [True, False, True] + [False] * 7
    assert relevance.precision_at(hits) == 0.2
    assert relevance.ndcg_at([True, True], relevant=2) == 1.0
    assert relevance.ndcg_at(hits, relevant=2) == pytest.approx((1 + 1 / 2) / (1 + 1 / 1.584962500721156))
    assert relevance.ndcg_at([False] * 10, relevant=0) == 0.0
