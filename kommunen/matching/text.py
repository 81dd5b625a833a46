"""German text relevance: folding, Snowball stemming, compound words, BM25-style saturation.

German notices are short (median ~130 characters) and compound-heavy, so a keyword matches a
token when the token *contains* the keyword's stem: "Integrationsmanagement" and
"Jugendbeteiligungsplattform" count for "Integration" and "Jugendbeteiligung".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("german")
_TOKEN = re.compile(r"[a-z0-9]+")
# Snowball's German stemmer drops umlauts (Städte → stadt), so matching folds ä→a the same way.
_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().translate(_PLAIN)).strip()


MIN_STEM = 4  # shorter stems ("app") must match a whole token, not inside one
K1 = 1.2


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Stem first (Snowball knows ä/ö/ü), then fold like the tokens."""
    return fold(_STEMMER.stemWord(word.lower())).replace(" ", "")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def keyword_count(stemmed: str, words: Sequence[str]) -> int:
    if len(stemmed) < MIN_STEM:
        return sum(1 for w in words if w == stemmed or stem(w) == stemmed)
    return sum(1 for w in words if stemmed in w)


@dataclass(frozen=True, slots=True)
class TextScore:
    score: float  # 0..1
    matched: tuple[str, ...]  # the profile's words, as the user wrote them


class KeywordScorer:
    """BM25-like: saturating term frequency × idf over the scored collection × the user's weight."""

    def __init__(self, keywords: dict[str, float], documents: Iterable[str] = ()) -> None:
        self.keywords = {word: (stem(word), weight) for word, weight in keywords.items()}
        docs = [tokens(d) for d in documents]
        n = max(len(docs), 1)
        self.idf = {}
        for word, (stemmed, _) in self.keywords.items():
            df = sum(1 for d in docs if keyword_count(stemmed, d))
            self.idf[word] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        self.norm = sum(weight * self.idf[w] for w, (_, weight) in self.keywords.items()) or 1.0

    def score(self, title: str, body: str) -> TextScore:
        title_words, body_words = tokens(title), tokens(body)
        total, matched = 0.0, []
        for word, (stemmed, weight) in self.keywords.items():
            tf = 2 * keyword_count(stemmed, title_words) + keyword_count(
                stemmed, body_words
            )  # title counts double
            if tf:
                matched.append(word)
                total += weight * self.idf[word] * tf * (K1 + 1) / (tf + K1) / (K1 + 1)
        return TextScore(min(1.0, total / self.norm * 2), tuple(matched))


def contains_any(text: str, phrases: Iterable[str]) -> str:
    """The first phrase whose stemmed words all occur in text (for exclusions), else ""."""
    words = tokens(text)
    for phrase in phrases:
        if all(keyword_count(stem(p), words) for p in re.findall(r"\w+", phrase)):
            return phrase
    return ""
