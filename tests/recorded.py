"""Real recorded responses from ../shared/data, as RawDocuments; nothing is copied into the repo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapers.base import RawDocument

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FETCHED_AT = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def recorded(path: str | Path, url: str | None = None, fetched_at: datetime = FETCHED_AT) -> RawDocument:
    full = Path(path) if Path(path).is_absolute() else SHARED / path
    return RawDocument(url=url or f"file://{full}", body=full.read_bytes(), fetched_at=fetched_at)
