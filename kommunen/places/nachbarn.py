"""Stored neighbours: Kreise and Gemeinden whose borders touch (VG5000, table nachbarn)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Nachbarn:
    """Stored neighbours (table nachbarn), each pair both ways: Kreis → Kreise, Gemeinde → Gemeinden."""

    def __init__(self, pairs: Iterable[tuple[str, str, str]]) -> None:
        self.kreise: dict[str, set[str]] = defaultdict(set)
        self.gemeinden: dict[str, set[str]] = defaultdict(set)
        for kind, a, b in pairs:
            target = self.kreise if kind == "kreis" else self.gemeinden
            target[a].add(b)
            target[b].add(a)

    @classmethod
    def load(cls, engine: Engine) -> Nachbarn:
        from sqlalchemy import select

        from kommunen.store.models import Nachbar

        with engine.connect() as conn:
            rows = conn.execute(select(Nachbar.kind, Nachbar.key_a, Nachbar.key_b))
            return cls((kind, a, b) for kind, a, b in rows)
