"""Stored neighbours: Kreise and Gemeinden whose borders touch (VG5000, table nachbarn)."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Nachbarn:
    """Stored neighbours (table nachbarn), each pair both ways: Kreis → Kreise, Gemeinde → Gemeinden."""

    def __init__(self, pairs: Iterable[tuple[str, str, str]]) -> None:
        kreise: dict[str, set[str]] = defaultdict(set)
        gemeinden: dict[str, set[str]] = defaultdict(set)
        for kind, a, b in pairs:
            target = kreise if kind == "kreis" else gemeinden
            target[a].add(b)
            target[b].add(a)
        self.kreise: Mapping[str, set[str]] = kreise
        self.gemeinden: Mapping[str, set[str]] = gemeinden

    @classmethod
    def load(cls, engine: Engine) -> Nachbarn:
        from sqlalchemy import select

        from kommunen.store.models import Nachbar

        with engine.connect() as conn:
            rows = conn.execute(select(Nachbar.kind, Nachbar.key_a, Nachbar.key_b))
            return cls((kind, a, b) for kind, a, b in rows)

    def __getstate__(self) -> dict[str, Any]:
        """The 11,000 sets of Gemeinde neighbours cost an unpickling 60 ms; packed, 0.1 ms."""
        return {"kreise": dict(self.kreise), "gemeinden": Packed.of(self.gemeinden)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.kreise, self.gemeinden = state["kreise"], state["gemeinden"]


class Packed(Mapping[str, set[str]]):
    """Neighbours as two strings of keys of one width: the keys in order, and after one another
    the neighbours of each (from `offsets[i]` to `offsets[i + 1]`)."""

    def __init__(self, width: int, keys: str, targets: str, offsets: array[int]) -> None:
        self._width, self._keys, self._targets, self._offsets = width, keys, targets, offsets

    @classmethod
    def of(cls, neighbours: Mapping[str, set[str]]) -> Mapping[str, set[str]]:
        """Packed, where every key is as long as the first (AGS are); else as they are."""
        keys = sorted(neighbours)
        width = len(keys[0]) if keys else 0
        if any(len(k) != width for v in neighbours.values() for k in v) or any(len(k) != width for k in keys):
            return dict(neighbours)
        targets = "".join("".join(sorted(neighbours[k])) for k in keys)
        offsets = array("I", accumulate((len(neighbours[k]) for k in keys), initial=0))
        return cls(width, "".join(keys), targets, offsets)

    def _row(self, key: str) -> int | None:
        w, lo, hi = self._width, 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            found = self._keys[mid * w : mid * w + w]
            if found == key:
                return mid
            lo, hi = (mid + 1, hi) if found < key else (lo, mid)
        return None

    def __getitem__(self, key: str) -> set[str]:
        row = self._row(key) if len(key) == self._width else None
        if row is None:
            raise KeyError(key)
        w = self._width
        return {self._targets[j * w : j * w + w] for j in range(self._offsets[row], self._offsets[row + 1])}

    def __iter__(self) -> Iterator[str]:
        w = self._width
        return (self._keys[i * w : i * w + w] for i in range(len(self)))

    def __len__(self) -> int:
        return len(self._keys) // self._width if self._width else 0
