"""Idempotent upserts by natural key with change detection by content hash.

A record that is new is inserted with first_seen = its seen_at; one whose content changed is
updated in place (first_seen kept, last_changed moved); one that is unchanged is not touched,
so re-running an import or a scrape writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from kommunen.store.models import Base

CHUNK = 500  # keys per IN (...) lookup; well under SQLite's and PostgreSQL's parameter limits
TRACKING = ("source_url", "seen_at", "first_seen", "last_changed", "content_hash")


@dataclass(slots=True)
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


def all_words(search: str, *columns: Any) -> list[Any]:
    """One condition per search word: the word occurs in at least one of the columns."""
    return [or_(*(c.ilike(f"%{word}%") for c in columns)) for word in search.split()]


def content_hash(row: dict[str, Any]) -> str:
    payload = {k: v for k, v in row.items() if k not in TRACKING}
    encoded = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def record_row(record: Any, **extra: Any) -> dict[str, Any]:
    """A record's fields as a row; the columns the table lacks are the caller's to drop."""
    row = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    row.update(extra)
    return row


def upsert(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> Counts:
    """Insert new rows, update changed ones, leave the rest; rows carry `seen_at`."""
    table = cast(Table, model.__table__)
    key_columns = [c for c in table.primary_key.columns]
    key_names = [c.name for c in key_columns]
    columns = set(table.columns.keys())
    counts = Counts()
    batch: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in key_names)
        batch[key] = row  # a later duplicate in the same input wins, as a re-read would
        if len(batch) >= CHUNK:
            counts += _flush(session, model, key_columns, key_names, columns, batch)
            batch = {}
    if batch:
        counts += _flush(session, model, key_columns, key_names, columns, batch)
    return counts


def _key_conditions(key_columns: Sequence[Any], keys: list[tuple[Any, ...]]) -> list[Any]:
    """WHERE clauses that use the primary key: `(a, b) IN (…)` is a full table scan in SQLite
    (45–57 ms per 500 keys at 100k rows, measured), `a = ? AND b IN (…)` a keyed lookup."""
    if len(key_columns) == 1:
        return [key_columns[0].in_([k[0] for k in keys])]
    if len(key_columns) == 2:
        by_first: dict[Any, list[Any]] = {}
        for first, second in keys:
            by_first.setdefault(first, []).append(second)
        first_column, second_column = key_columns
        return [(first_column == first) & second_column.in_(seconds) for first, seconds in by_first.items()]
    return [tuple_(*key_columns).in_(keys)]


def _flush(
    session: Session,
    model: type[Base],
    key_columns: Sequence[Any],
    key_names: list[str],
    columns: set[str],
    batch: dict[tuple[Any, ...], dict[str, Any]],
) -> Counts:
    existing: dict[tuple[Any, ...], str] = {}
    for condition in _key_conditions(key_columns, list(batch)):
        query = select(*key_columns, model.content_hash).where(condition)  # type: ignore[attr-defined]
        existing.update((tuple(r[:-1]), r[-1]) for r in session.execute(query))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for key, row in batch.items():
        digest = content_hash(row)
        values = {k: v for k, v in row.items() if k in columns}
        values["content_hash"] = digest
        values["last_changed"] = row["seen_at"]
        old = existing.get(key)
        if old is None:
            values["first_seen"] = row["seen_at"]
            new.append(values)
        elif old != digest:
            changed.append(values)
    if new:
        session.execute(insert(model), new)
    if changed:
        session.execute(update(model), changed)
    return Counts(new=len(new), changed=len(changed), unchanged=len(batch) - len(new) - len(changed))


def derived_unchanged(session: Session, model: Any, inputs_hash: str) -> bool:
    """Whether a derived table was last built from these very inputs (each row keeps their hash)."""
    return bool(session.scalar(select(model.inputs_hash).limit(1)) == inputs_hash)


def replace_derived(session: Session, model: Any, rows: Sequence[dict[str, Any]], inputs_hash: str) -> int:
    """A table derived from files is replaced whole, never merged: a row the new files no longer
    have must go. Returns how many rows it holds now."""
    session.execute(delete(model))
    if rows:
        session.execute(insert(model), [{**row, "inputs_hash": inputs_hash} for row in rows])
    return len(rows)
