"""German text relevance: folding, Snowball stemming, compound words, BM25 with length norm.

German notices are short (median ~130 characters) and compound-heavy, so a keyword counts
wherever its stem occurs inside a word: "Integrationsmanagement" and
"Jugendbeteiligungsplattform" count for "Integration" and "Jugendbeteiligung". Stems shorter
than four letters ("app") must be whole words. A collection is joined into one string, so each
stem is found in every document by one C-speed scan (Corpus), not one Python call per document.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

import numpy as np
import Stemmer

from kommunen.matching import scan
from kommunen.text import fold_ascii, fold_stemmed

fold = fold_stemmed  # matching folds as the stems do; fold_ascii for stored search texts
__all__ = ["Corpus", "KeywordScorer", "Phrases", "count", "fold", "fold_ascii", "stem"]

_STEMMER = Stemmer.Stemmer("german")
MIN_STEM = 4
K1 = 1.2
B = 0.75  # BM25's length normalisation: a long notice mentions everything once
SPREAD = 1.2  # text score 0.34 for one typical word found once, 0.6 for two
CORE_SHARE = 0.6  # a word weighing less than this share of the strongest is a light one
LIGHT_ONLY = 0.3  # what light words alone are worth


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Stem each part (Snowball knows ä/ö/ü), then fold like the texts. A hyphenated or spaced
    word keeps its parts: "IT-Dienstleistungen" → "it dienstleist", matched as a sequence."""
    parts = (fold(_STEMMER.stemWord(part)) for part in re.split(r"[\s\-/]+", word.lower()))
    return " ".join(filter(None, (re.sub(r"[^a-z0-9]", "", part) for part in parts)))


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _plain(stemmed: str) -> bool:
    """One long stem: found by str.find. Short stems and sequences need a pattern."""
    return len(stemmed) >= MIN_STEM and " " not in stemmed


@lru_cache(maxsize=4096)
def _pattern(stemmed: str) -> re.Pattern[str]:
    """Parts joined by a hyphen, space, slash or nothing; a short last part must end the word
    (a plural ending allowed). The left edge is checked per hit (_sequence): a look-behind in
    the pattern stops the regex engine's literal search (20x slower, measured)."""
    parts = stemmed.split(" ")
    body = r"[ \-/]?".join(map(re.escape, parts))
    if len(parts[-1]) < MIN_STEM:
        body += r"(?:s|e|n|en|er|es)?(?![a-z0-9])"
    return re.compile(body)


def _sequence(stemmed: str, folded: str) -> list[int]:
    """Where a short stem or a sequence of stems occurs; a short first part must start a word."""
    matches = _pattern(stemmed).finditer(folded)
    if len(stemmed.split(" ", 1)[0]) >= MIN_STEM:
        return [m.start() for m in matches]
    return [m.start() for m in matches if m.start() == 0 or folded[m.start() - 1] not in _WORD_CHARS]


def count(stemmed: str, folded: str) -> int:
    """How often the stem (or sequence of stems) occurs in an already folded text."""
    if not stemmed or stemmed.split(" ", 1)[0] not in folded:  # the common case, at C speed
        return 0
    return folded.count(stemmed) if _plain(stemmed) else len(_sequence(stemmed, folded))


class _Joined:
    """Documents joined by NUL (no stem contains one), with where each document ends."""

    def __init__(self, documents: Sequence[str], *, folded: bool) -> None:
        self.size = len(documents)
        self.text = "\x00".join(documents)
        if not folded:  # one fold of the joined text is ~10x faster than one per document
            self.text = fold_ascii(self.text)
            if self.text.count("\x00") == self.size - 1:
                documents = self.text.split("\x00")  # folding can change lengths ("ß" → "ss")
            else:  # a document with a NUL of its own
                documents = [fold_ascii(d) for d in documents]
                self.text = "\x00".join(documents)
        self.lengths = np.fromiter(map(len, documents), dtype=np.int64, count=self.size)
        self.ends = np.cumsum(self.lengths + 1)
        self._counted: dict[str, np.ndarray] = {}
        self._ascii: bytes | None = None  # the text as bytes for the scan, made once

    def fresh(self) -> _Joined:
        """The same text without the counts remembered so far (another profile's stems)."""
        if self._ascii is None and scan.available() and self.text.isascii():
            self._ascii = self.text.encode("ascii")  # once for all the copies
        joined = copy.copy(self)
        joined._counted = {}
        return joined

    def document(self, i: int) -> str:
        return self.text[int(self.ends[i] - self.lengths[i] - 1) : int(self.ends[i] - 1)]

    def prepare(self, stems: Iterable[str]) -> None:
        """Count many stems in one pass over the text (scan.py) instead of one pass each."""
        missing = [s for s in dict.fromkeys(stems) if s and s not in self._counted]
        if missing and scan.available() and self.text.isascii():
            if self._ascii is None:
                self._ascii = self.text.encode("ascii")
            self._counted.update(scan.scan(missing, self._ascii, self.ends))

    def counts(self, stemmed: str) -> np.ndarray:
        """Occurrences per document, remembered: themes share words ("Flüchtlinge")."""
        found = self._counted.get(stemmed)
        if found is None:
            doc = np.searchsorted(
                self.ends, np.asarray(self._positions(stemmed), dtype=np.int64), side="right"
            )
            found = self._counted[stemmed] = np.bincount(doc, minlength=self.size)
        return found

    def _positions(self, stemmed: str) -> list[int]:
        if not stemmed:
            return []
        if not _plain(stemmed):
            return _sequence(stemmed, self.text)
        found, at = [], self.text.find(stemmed)  # str.find beats a regex scan ~4x here (measured)
        while at >= 0:
            found.append(at)
            at = self.text.find(stemmed, at + len(stemmed))
        return found


class Documents(Sequence[str]):
    """The documents of a joined text, each cut out when asked for."""

    def __init__(self, joined: _Joined) -> None:
        self._joined = joined

    def __len__(self) -> int:
        return self._joined.size

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self._joined.document(k) for k in range(*i.indices(self._joined.size))]
        if not -self._joined.size <= i < self._joined.size:
            raise IndexError(i)
        return self._joined.document(i % self._joined.size)


class Corpus:
    """Folded titles and bodies of a collection; counts a stem in all of them at once.

    labels: texts many documents share (the German label of a main CPV code) and, per document,
    which one it has: counted as part of its body ("<body> <label>"), but scanned once each.
    """

    def __init__(
        self,
        titles: Sequence[str],
        bodies: Sequence[str],
        *,
        bodies_folded: bool = False,
        labels: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> None:
        """bodies_folded: the bodies are folded already (stored search texts are)."""
        if len(titles) != len(bodies):
            raise ValueError("titles and bodies differ in length")
        self.size = len(titles)
        self._titles = _Joined(titles, folded=False)
        self._bodies = _Joined(bodies, folded=bodies_folded)
        self._labels: _Joined | None = None
        self._label_of = np.zeros(0, dtype=np.int64)
        if labels is not None:
            self._labels, self._label_of = _Joined(labels[0], folded=True), labels[1]

    def with_labels(self, labels: tuple[Sequence[str], np.ndarray] | None) -> Corpus:
        """The same titles and bodies (joined once, shared) with these labels and no counts yet:
        a ranking of several profiles reads and joins the stored texts once."""
        corpus = copy.copy(self)
        corpus._titles, corpus._bodies = self._titles.fresh(), self._bodies.fresh()
        corpus._labels, corpus._label_of = None, np.zeros(0, dtype=np.int64)
        if labels is not None:
            corpus._labels, corpus._label_of = _Joined(labels[0], folded=True), labels[1]
        return corpus

    def bodies(self) -> Documents:
        """The bodies as given (folded), without labels, read from the joined text."""
        return Documents(self._bodies)

    @classmethod
    def of(cls, title: str, body: str) -> Corpus:
        return cls([title], [body])

    def prepare(self, stems: Iterable[str]) -> None:
        """Count these stems now, all in one pass per text (see scan.py)."""
        stems = list(stems)
        for part in (self._titles, self._bodies, self._labels):
            if part is not None:
                part.prepare(stems)

    def counts(self, stemmed: str) -> np.ndarray:
        """Occurrences per document; the title counts double."""
        found = 2 * self._titles.counts(stemmed) + self._bodies.counts(stemmed)
        if self._labels is not None:
            found += self._labels.counts(stemmed)[self._label_of]
        return found

    @property
    def lengths(self) -> np.ndarray:
        """Characters per document, title and body (with its label and the space before it)."""
        found = self._titles.lengths + self._bodies.lengths
        if self._labels is not None:
            found = found + self._labels.lengths[self._label_of] + 1
        return found


@dataclass(frozen=True, slots=True)
class TextScore:
    score: float  # 0..1
    matched: tuple[str, ...]  # the profile's words, as the user wrote them


def _distinct(variants: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Related words without those another one already finds: stems match inside compounds, so
    "dolmetsch" finds "Dolmetscherleistungen" and a second scan for it would find nothing new."""
    kept: list[tuple[str, str]] = []
    for word, stemmed in sorted(variants, key=lambda pair: len(pair[1])):
        if not any(_plain(other) and other in stemmed for _, other in kept):
            kept.append((word, stemmed))
    return kept


class KeywordScorer:
    """BM25: saturating term frequency, normalised by length within a collection, × idf × the
    user's weight; the result scaled to [0, 1]."""

    def __init__(
        self,
        keywords: dict[str, float],
        related: Mapping[str, Sequence[str]] | None = None,
        false_friends: Mapping[str, Sequence[str]] | None = None,
        related_weight: float = 0.8,
    ) -> None:
        """related: per keyword, words that count for it (a little less); false_friends: per
        keyword, words in whose presence the keyword itself does not count."""
        self.words = list(keywords)
        self.stems = [stem(w) for w in self.words]
        self.weights = np.array([keywords[w] for w in self.words], dtype=np.float64)
        self.related = [
            _distinct([(r, stem(r)) for r in dict.fromkeys((related or {}).get(w, ())) if stem(r) != s])
            for w, s in zip(self.words, self.stems, strict=True)
        ]
        self.negatives = [[stem(n) for n in (false_friends or {}).get(w, ())] for w in self.words]
        self.related_weight = related_weight
        self._set_idf(np.zeros(len(self.words)), 1)

    def _set_idf(self, df: np.ndarray, n: int) -> None:
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self.norm = float((self.weights * self.idf).sum()) or 1.0

    def fit(self, corpus: Corpus) -> np.ndarray:
        """Term frequencies of a collection, each relative to its document's length against the
        average; a word found in every document counts little (idf)."""
        tf = self.frequencies(corpus)
        self._set_idf((tf > 0).sum(axis=0).astype(np.float64), max(corpus.size, 1))
        if corpus.size:
            lengths = corpus.lengths.astype(np.float64)
            tf /= (1 - B + B * lengths / max(lengths.mean(), 1.0))[:, None]
        return tf

    def all_stems(self) -> list[str]:
        """Every stem frequencies() counts: the words, their related words and false friends."""
        related = [r for found in self.related for _, r in found]
        return [*self.stems, *related, *(n for found in self.negatives for n in found)]

    def frequencies(self, corpus: Corpus) -> np.ndarray:
        """documents × keywords term frequencies."""
        corpus.prepare(self.all_stems())
        tf = np.zeros((corpus.size, len(self.stems)), dtype=np.float64)
        for j, stemmed in enumerate(self.stems):
            own = corpus.counts(stemmed).astype(np.float64)
            if self.negatives[j]:  # "Integrationshilfe" for a disabled pupil: the word means else
                blocked = np.zeros(corpus.size, dtype=bool)
                for negative in self.negatives[j]:
                    blocked |= corpus.counts(negative) > 0
                own[blocked] = 0.0
            for _, related in self.related[j]:
                own = np.maximum(own, self.related_weight * corpus.counts(related))
            tf[:, j] = own
        return tf

    def scores(self, tf: np.ndarray) -> np.ndarray:
        """1 − exp(−BM25 / a typical word's weight): one well-matched word of the profile already
        says much in a short German notice, more words say more, a long profile is no handicap."""
        saturated = tf / (tf + K1)
        typical = self.norm / max(len(self.words), 1)
        found = 1.0 - np.exp(-(saturated * self.weights * self.idf).sum(axis=1) / (SPREAD * typical))
        # The profile's light words (weight well below its strongest) qualify, they do not carry:
        # "App" alone makes no lead for an integration app, "App" with "Migration" does.
        core = self.weights >= CORE_SHARE * (self.weights.max() if len(self.weights) else 0.0)
        if len(self.weights) and not core.all():
            found = np.where((tf[:, core] > 0).any(axis=1), found, found * LIGHT_ONLY)
        return found

    def matched(self, tf_row: np.ndarray, title: str = "", body: str = "") -> tuple[str, ...]:
        """The words found: the profile's own, or the related word the notice used instead."""
        text = f"{fold_ascii(title)} {body}" if title or body else ""
        found = []
        for j, f in enumerate(tf_row.tolist()):
            if not f:
                continue
            if not text or not self.related[j] or count(self.stems[j], text):
                found.append(self.words[j])
                continue
            found.append(next((r for r, stemmed in self.related[j] if count(stemmed, text)), self.words[j]))
        return tuple(dict.fromkeys(found))

    def score(self, title: str, body: str) -> TextScore:
        tf = self.frequencies(Corpus.of(title, body))
        return TextScore(float(self.scores(tf)[0]), self.matched(tf[0], title, fold_ascii(body)))


class Phrases:
    """Exclusion phrases, stemmed once: a phrase hits when all its words occur in a document."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.stemmed = [(p, [stem(w) for w in re.findall(r"\w+", p)]) for p in phrases]

    def all_stems(self) -> list[str]:
        return [s for _, stems in self.stemmed for s in stems]

    def hits(self, corpus: Corpus) -> list[str]:
        """Per document the first phrase found in it, or ""."""
        found = np.full(corpus.size, -1, dtype=np.int64)
        corpus.prepare(self.all_stems())
        for k in reversed(range(len(self.stemmed))):  # the first phrase wins
            stems = self.stemmed[k][1]
            if not stems:
                continue
            every = np.ones(corpus.size, dtype=bool)
            for stemmed in stems:
                every &= corpus.counts(stemmed) > 0
            found[every] = k
        names = [p for p, _ in self.stemmed]
        return [names[k] if k >= 0 else "" for k in found.tolist()]

    def first_in(self, text: str) -> str:
        return self.hits(Corpus.of(text, ""))[0]
