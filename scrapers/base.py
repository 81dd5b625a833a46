"""What every source handles: the raw document as fetched, and the kinds of source.

The ground of `scrapers`: `http` builds RawDocuments, `source` describes who crawls them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class SourceKind(enum.StrEnum):
    GEMEINDE = "gemeinde"
    TENDER = "tender"
    FUNDING = "funding"
    DEPARTMENT = "department"
    CODES = "code"


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One fetched body, exactly as it came; archived before anything parses it."""

    url: str
    body: bytes
    fetched_at: datetime
    status: int = 200
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding, errors="replace")
