"""The face every source shows: a `Source` crawls raw documents and parses them into records."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from scrapers.errors import FetchError
    from scrapers.http import Http
    from scrapers.records import Record


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


class Source(Protocol):
    name: str
    kind: SourceKind
    default_schedule: str

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        """Network, following pagination; a page that cannot be fetched is yielded as its error."""
        ...

    def parse(self, doc: RawDocument) -> Iterator[Record]: ...
