"""Every stem of a profile found in a whole collection in one pass (Hyperscan).

A ranking looks for 30–80 stems in 100k notices (170 MB of folded text). One `str.find` loop or
regex scan per stem reads the text that many times (6.8 s for the "digital" profile, measured);
Hyperscan's multi-pattern automaton reads it once (0.1 s). The matches are then cut to what
`text.count` finds: non-overlapping, leftmost first, a short stem only as a whole word (plural
ending allowed). Where Hyperscan is missing (a platform without a wheel) the caller scans per stem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

try:
    import hyperscan
except ImportError:  # pragma: no cover - every platform the project is tested on has the wheel
    hyperscan = None  # type: ignore[assignment]

MIN_STEM = 4  # as text.MIN_STEM: shorter stems (and short parts of a sequence) are word edges
_ENDINGS = rb"(?:s|e|n|en|er|es)?"
_WORD = np.zeros(256, dtype=bool)
_WORD[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8)] = True


def available() -> bool:
    return hyperscan is not None


def _expression(stemmed: str) -> bytes:
    """text._pattern without the look-ahead (Hyperscan has none): the word edges are checked on
    the matches instead."""
    parts = stemmed.split(" ")
    body = rb"[ \-/]?".join(re.escape(part).encode("ascii") for part in parts)
    return body + _ENDINGS if len(parts[-1]) < MIN_STEM else body


@lru_cache(maxsize=32)
def _database(stems: tuple[str, ...]) -> Any:
    database = hyperscan.Database()
    database.compile(
        expressions=[_expression(s) for s in stems],
        ids=list(range(len(stems))),
        elements=len(stems),
        flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(stems),
    )
    return database


def scan(stems: Sequence[str], text: bytes, ends: np.ndarray) -> dict[str, np.ndarray]:
    """Occurrences of each stem per document. text: the documents joined by NUL (ASCII);
    ends: where each document ends in it, plus one (as text._Joined.ends)."""
    wanted = tuple(sorted({s for s in stems if s}))
    size = len(ends)
    found: dict[str, np.ndarray] = {s: np.zeros(size, dtype=np.int64) for s in wanted}
    if not wanted or not text:
        return found
    hits: list[tuple[int, int, int]] = []
    _database(wanted).scan(
        text, match_event_handler=lambda i, start, end, _f, _c: hits.append((i, start, end))
    )  # type: ignore[attr-defined]
    if not hits:
        return found
    table = np.array(hits, dtype=np.int64)
    order = np.lexsort((table[:, 2], table[:, 1], table[:, 0]))  # by stem, then start, then end
    table = table[order]
    bounds = np.searchsorted(table[:, 0], np.arange(len(wanted) + 1))
    chars = np.frombuffer(text, dtype=np.uint8)
    for k, stemmed in enumerate(wanted):
        starts, stops = table[bounds[k] : bounds[k + 1], 1], table[bounds[k] : bounds[k + 1], 2]
        if not len(starts):
            continue
        parts = stemmed.split(" ")
        if len(parts[-1]) < MIN_STEM:  # a short last part ends its word: text's (?![a-z0-9])
            at_end = stops >= len(chars)
            keep = at_end | ~_WORD[chars[np.minimum(stops, len(chars) - 1)]]
            starts, stops = starts[keep], stops[keep]
        starts, stops = _leftmost(starts, stops)
        if len(parts[0]) < MIN_STEM:  # a short first part starts its word
            keep = (starts == 0) | ~_WORD[chars[np.maximum(starts - 1, 0)]]
            starts = starts[keep]
        found[stemmed] = np.bincount(np.searchsorted(ends, starts, side="right"), minlength=size)[:size]
    return found


def _leftmost(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The matches a left-to-right scan keeps: one per start (the longest, as a greedy regex
    takes), then each starting at or after the end of the one before."""
    first = np.ones(len(starts), dtype=bool)
    first[:-1] = starts[1:] != starts[:-1]  # sorted by start, then end: the last of a start is longest
    starts, stops = starts[first], stops[first]
    if len(starts) < 2 or (starts[1:] >= stops[:-1]).all():
        return starts, stops
    kept, last = [], -1
    for i, (start, stop) in enumerate(zip(starts.tolist(), stops.tolist(), strict=True)):
        if start >= last:
            kept.append(i)
            last = stop
    return starts[kept], stops[kept]
