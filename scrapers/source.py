"""The face every source shows: a `Source` crawls raw documents and parses them into records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError
from scrapers.http import Http
from scrapers.records import Record


class Source(Protocol):
    name: str
    kind: SourceKind
    default_schedule: str

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        """Network, following pagination; a page that cannot be fetched is yielded as its error."""
        ...

    def parse(self, doc: RawDocument) -> Iterator[Record]: ...
