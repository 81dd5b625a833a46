"""How good is a profile's ranking: labelled notices ranked as if each were new, precision@k and
nDCG@k against a keyword-only baseline measured on the same notices.

Labels are a CSV `notice,grade[,reason]`: notice = the URL `kommunen tenders -f json` shows, a
file path (its last folders suffice: "ted-r209-de/000053-2020.xml") or the notice id; grade 0 (not
relevant), 1 (partly), 2 (clearly). The grades never touch the ranking.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from kommunen.errors import KommunenError
from kommunen.matching.codelists import CodeLists
from kommunen.matching.lead import TenderColumns
from kommunen.matching.leads import tender_columns
from kommunen.matching.profile import Profile
from kommunen.matching.score import Matcher
from kommunen.matching.text import Corpus, KeywordScorer
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import session_scope
from scrapers.errors import os_reason

MAX_LABELS = 100_000


class LabelError(KommunenError):
    """A labels file that cannot be read, with file and line."""


@dataclass(frozen=True, slots=True)
class Label:
    notice: str
    grade: int
    reason: str


@dataclass(slots=True)
class Ranked:
    notice: str
    grade: int
    score: float
    reason: str  # the matcher's reason line
    label_reason: str = ""


@dataclass(slots=True)
class Evaluation:
    k: int
    precision_at_k: float
    ndcg_at_k: float
    baseline_precision_at_k: float
    baseline_ndcg_at_k: float
    ranked: list[Ranked] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def relevant(self) -> int:
        return sum(1 for r in self.ranked if r.grade >= 1)

    def missed(self) -> list[Ranked]:
        """Relevant notices outside the top k."""
        return [r for r in self.ranked[self.k :] if r.grade >= 1]

    def wrong(self) -> list[Ranked]:
        """Irrelevant notices inside the top k."""
        return [r for r in self.ranked[: self.k] if r.grade == 0]

    def as_json(self) -> dict[str, object]:
        return {
            "k": self.k,
            "precision_at_k": round(self.precision_at_k, 4),
            "ndcg_at_k": round(self.ndcg_at_k, 4),
            "baseline": {
                "precision_at_k": round(self.baseline_precision_at_k, 4),
                "ndcg_at_k": round(self.baseline_ndcg_at_k, 4),
            },
            "relevant": self.relevant,
            "labelled": len(self.ranked) + len(self.missing),
            "ranked": [
                {"notice": r.notice, "score": round(r.score, 4), "reason": r.reason} for r in self.ranked
            ],
            "missing": self.missing,
        }


def load_labels(path: Path) -> list[Label]:
    """Every row checked; the first wrong one is named with file and line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise LabelError(f"{path}: nicht lesbar ({os_reason(exc)})") from exc
    except UnicodeDecodeError as exc:
        raise LabelError(f"{path}: keine UTF-8-Datei") from exc
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["notice", "grade"]:
        raise LabelError(f"{path}:1: die erste Zeile muss 'notice,grade[,reason]' sein")
    labels, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip():
            raise LabelError(f"{path}:{line}: notice und grade fehlen")
        notice, grade = row[0].strip(), row[1].strip()
        if grade not in ("0", "1", "2"):
            raise LabelError(f"{path}:{line}: grade {grade!r} – erlaubt sind 0, 1 und 2")
        if notice in seen:
            raise LabelError(f"{path}:{line}: {notice} ist doppelt beurteilt")
        seen.add(notice)
        labels.append(Label(notice, int(grade), row[2].strip() if len(row) > 2 else ""))
        if len(labels) > MAX_LABELS:
            raise LabelError(f"{path}: mehr als {MAX_LABELS} Urteile")
    if not labels:
        raise LabelError(f"{path}: keine Urteile")
    return labels


def _keys_of(source_id: str, url: str, source_url: str) -> list[str]:
    """Every way a label may name a stored notice: id, URL, path and its last folders."""
    keys = [source_id, url, source_url]
    parsed = urlsplit(source_url)
    path = unquote(parsed.path) if parsed.scheme == "file" else ""
    if parsed.fragment:
        keys.append(parsed.fragment)
    if path:
        parts = Path(path).parts
        keys.extend("/".join(parts[-n:]) for n in range(1, min(len(parts), 4) + 1))
        keys.append(path)
    return keys


def _normal(notice: str) -> str:
    notice = notice.removeprefix("./")
    if notice.startswith("file://"):
        notice = unquote(urlsplit(notice).path)
    return notice


def precision_at(grades: list[int], relevant: int, k: int) -> float:
    """Relevant (grade ≥ 1) in the top k ÷ min(k, relevant labelled)."""
    return sum(1 for g in grades[:k] if g >= 1) / min(k, relevant) if relevant else 0.0


def ndcg_at(grades: list[int], k: int) -> float:
    def dcg(values: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values[:k]))

    ideal = dcg(sorted(grades, reverse=True))
    return dcg(grades) / ideal if ideal else 0.0


def evaluate(
    engine: Engine, profile: Profile, index: GemeindeIndex, now: datetime, labels: list[Label], k: int = 10
) -> Evaluation:
    with session_scope(engine) as session:
        columns = tender_columns(session, grouped=False)
        codes = CodeLists.load(session)
    where: dict[str, int] = {}
    for i, keys in enumerate(map(_keys_of, columns.source_id, columns.url, columns.source_url)):
        for key in keys:
            where.setdefault(key, i)
    found = [(label, where.get(_normal(label.notice), where.get(label.notice))) for label in labels]
    missing = [label.notice for label, i in found if i is None]
    present = [(label, i) for label, i in found if i is not None]
    as_new = dataclasses.replace(  # deadline and planned date ignored: judged as if just published
        columns, submission_deadline=[None] * len(columns), planned_date=[None] * len(columns)
    )
    scored = Matcher(profile, index, now, codes).tenders(as_new)
    order = sorted(present, key=lambda pair: (bool(scored.excluded[pair[1]]), -scored.score[pair[1]]))
    ranked = [
        Ranked(label.notice, label.grade, float(scored.score[i]), scored.excluded[i] or scored.lead(i).reason,
               label.reason)
        for label, i in order
    ]  # fmt: skip
    baseline = _keyword_order(columns, profile, [i for _, i in present])
    grade_of = {i: label.grade for label, i in present}
    base_grades = [grade_of[i] for i in baseline]
    grades = [r.grade for r in ranked]
    relevant = sum(1 for g in grades if g >= 1)
    return Evaluation(
        k=k,
        precision_at_k=precision_at(grades, relevant, k),
        ndcg_at_k=ndcg_at(grades, k),
        baseline_precision_at_k=precision_at(base_grades, relevant, k),
        baseline_ndcg_at_k=ndcg_at(base_grades, k),
        ranked=ranked,
        missing=missing,
    )


def _keyword_order(columns: TenderColumns, profile: Profile, rows: list[int]) -> list[int]:
    """The baseline: the profile's words alone (BM25 over the same stored notices), nothing else."""
    scorer = KeywordScorer(profile.begriffe)
    scores = scorer.scores(scorer.fit(Corpus(columns.title, columns.search_text, bodies_folded=True)))
    return sorted(rows, key=lambda i: -float(scores[i]))
