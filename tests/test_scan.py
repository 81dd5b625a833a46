"""The one-pass stem scan (Hyperscan) counts exactly what the per-stem scan counts, on the real
notices and every stem the themes and the example profiles use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from kommunen.matching import scan, themes
from kommunen.matching.profile import load_profile
from kommunen.matching.text import Corpus, KeywordScorer, Phrases, _Joined, fold_ascii, stem
from kommunen.matching.topic import theme_words
from kommunen.store.records import search_text
from scrapers.base import RawDocument
from scrapers.notice_files import parse_notice

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PROFILES = Path(__file__).resolve().parents[1] / "data" / "profiles"
FOLDERS = ("ted-eforms-de", "ted-r209-de", "ted-r209-de-converter", "bekanntmachungsservice-eforms")

pytestmark = pytest.mark.skipif(not scan.available(), reason="Hyperscan fehlt auf dieser Plattform")


@pytest.fixture(scope="module")
def notices() -> tuple[list[str], list[str]]:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    records = [
        parse_notice(RawDocument(url=p.as_uri(), body=p.read_bytes(), fetched_at=at))
        for folder in FOLDERS
        for p in sorted((SHARED / "tenders" / folder).glob("*.xml"))
    ]
    return [r.title for r in records], [fold_ascii(search_text(r)) for r in records]


def every_stem() -> list[str]:
    words = [
        w
        for group in (themes.RELATED, themes.FALSE_FRIENDS)
        for head, rest in group.items()
        for w in (head, *rest)
    ]
    for path in sorted(PROFILES.glob("*.toml")):
        profile = load_profile(path)
        words += [*profile.begriffe, *(w for p in profile.ausschluesse for w in p.split())]
    # short stems and sequences, which the scan checks at word edges
    words += ["App", "IT-Dienstleistungen", "Kita", "E-Akte", "OZG", "CO2-Bilanz", "Wärmeplanung"]
    return sorted({stem(w) for w in words} - {""})


def test_every_stem_counts_the_same_in_one_pass_as_one_by_one(notices: tuple[list[str], list[str]]) -> None:
    titles, bodies = notices
    stems = every_stem()
    assert len(stems) > 150
    assert any(" " in s for s in stems)  # sequences ("it dienstleist")
    assert any(len(s) < 4 for s in stems)  # short stems ("app")
    for documents, folded in ((titles, False), (bodies, True)):
        one_by_one = _Joined(documents, folded=folded)
        one_pass = _Joined(documents, folded=folded)
        one_pass.prepare(stems)
        for stemmed in stems:
            assert np.array_equal(one_pass.counts(stemmed), one_by_one.counts(stemmed)), stemmed


def test_a_profile_scores_the_same_with_either_scan(notices: tuple[list[str], list[str]]) -> None:
    titles, bodies = notices
    profile = load_profile(PROFILES / "digital.toml")
    related, false_friends = theme_words(profile.begriffe)
    scorer = KeywordScorer(profile.begriffe, related, false_friends)
    fast = scorer.scores(scorer.fit(Corpus(titles, bodies, bodies_folded=True)))
    slow_corpus = Corpus(titles, bodies, bodies_folded=True)
    slow_corpus.prepare = lambda stems: None  # type: ignore[method-assign]
    slow = scorer.scores(scorer.fit(slow_corpus))
    assert np.allclose(fast, slow)
    assert (fast > 0).sum() > 20  # the digital profile finds words in many real notices
    hits = Phrases(profile.ausschluesse).hits(Corpus(titles, bodies, bodies_folded=True))
    assert sum(map(bool, hits)) > 0


def test_a_stem_that_overlaps_itself_counts_non_overlapping_like_str_count() -> None:
    texts = ["ananas bananana", "anan", "xanananx"]
    joined = _Joined(texts, folded=True)
    joined.prepare(["anan"])
    assert joined.counts("anan").tolist() == [t.count("anan") for t in texts] == [2, 1, 1]
