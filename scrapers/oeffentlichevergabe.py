"""Bekanntmachungsservice (oeffentlichevergabe.de): German notices, below EU thresholds too.

Quelle   GET https://oeffentlichevergabe.de/api/notice-exports?pubDay=YYYY-MM-DD
Format   ZIP with one eForms-DE XML file per notice (chosen by the Accept header; the OCDS
         export lacks submission deadlines); licence CC0
Caveats  406 without the right Accept header; days without notices answer 404 or an empty
         ZIP. Each ZIP member becomes its own document, so one broken notice is one error.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from scrapers import eforms
from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError, SourcePaused
from scrapers.http import Http
from scrapers.records import TenderRecord

EXPORT_URL = "https://oeffentlichevergabe.de/api/notice-exports?pubDay={}"
ACCEPT_EFORMS = "application/vnd.bekanntmachungsservice.eforms.zip+zip"
DEFAULT_LOOKBACK = timedelta(days=3)
MAX_MEMBER_BYTES = 20 * 1024 * 1024  # a single notice is kilobytes; more is a zip bomb


def export_days(since: date, today: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((today - since).days + 1)]


def split_export(doc: RawDocument) -> Iterator[RawDocument | FetchError]:
    """Each XML member of an export ZIP as a document of its own (url#member); one that is too
    big or broken is an error of its own."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(doc.body))
    except zipfile.BadZipFile as exc:
        raise ParseError(doc.url, "Export ist kein ZIP-Archiv") from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".xml"):
                continue
            url = f"{doc.url}#{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:
                yield FetchError(url, "Datei im ZIP ist zu groß")
                continue
            try:
                body = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                yield FetchError(url, f"Datei im ZIP nicht lesbar ({exc})")
                continue
            yield RawDocument(
                url=url,
                body=body,
                fetched_at=doc.fetched_at,
                status=doc.status,
                content_type="application/xml",
            )


class Oeffentlichevergabe:
    name = "oeffentlichevergabe"
    kind = SourceKind.TENDER
    default_schedule = "45 5 * * *"  # daily, after the previous day's export is complete

    def __init__(self, export_url: str = EXPORT_URL) -> None:
        self.export_url = export_url

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        today = http.clock().date()
        start = since.date() if since else today - DEFAULT_LOOKBACK
        with http.budget():
            for day in export_days(start, today):
                url = self.export_url.format(day.isoformat())
                try:
                    export = http.get(url, headers={"Accept": ACCEPT_EFORMS}, conditional=False)
                except SourcePaused:
                    raise
                except FetchError as exc:
                    if exc.status != 404:  # no notices that day
                        yield exc
                    continue
                try:
                    yield from split_export(export)
                except (ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
                    yield FetchError(
                        url, exc.reason if isinstance(exc, ParseError) else f"ZIP kaputt ({exc})"
                    )

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        yield eforms.parse_notice(doc, source=self.name)
