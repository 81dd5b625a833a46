"""Recorded real data as sources: the offline main job reads shared/data through the same
pipeline (archive, parse, store, runs) as a live scrape."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from scrapers.base import RawDocument, SourceKind
from scrapers.foerderdatenbank import EXPORT_URL, Foerderdatenbank
from scrapers.records import Record
from scrapers.source import Source

FOERDERDATENBANK_EXPORT = Path("funding/foerderdatenbank-export")


class RecordedExport:
    """The Förderdatenbank export as recorded (a folder), zipped as the live export ships."""

    kind = SourceKind.FUNDING
    default_schedule = ""

    def __init__(self, folder: Path, source: Source | None = None) -> None:
        self.folder = folder
        self.source = source or Foerderdatenbank()
        self.name = self.source.name

    def crawl(self, http: object, since: datetime | None) -> Iterator[RawDocument]:
        files = sorted(self.folder.rglob("*.xml"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in files:
                archive.write(path, path.relative_to(self.folder))
        newest = max((p.stat().st_mtime for p in files), default=0.0)
        yield RawDocument(
            url=EXPORT_URL, body=buffer.getvalue(), fetched_at=datetime.fromtimestamp(newest, UTC)
        )

    def parse(self, doc: RawDocument) -> Iterator[Record]:
        yield from self.source.parse(doc)
