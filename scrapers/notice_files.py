"""Notices from files: TED's archive packages, a Bekanntmachungsservice export, recorded notices.

Quelle   files and folders given to `kommunen import-notices`; TED packages from
         https://ted.europa.eu/packages/ (monthly or daily .tar.gz), export ZIPs of
         oeffentlichevergabe.de (`notice-exports?pubDay=…`)
Format   XML, one notice per file: eForms (UBL) or TED_EXPORT (R2.0.8/R2.0.9), told apart by
         the root element; .zip, .tar, .tar.gz and .tgz are opened, nested ones too
Caveats  a member is addressed as `file:///…/paket.tar.gz#2021/01/000053-2020.xml`; a member
         above 20 MB is refused as an error of its own (a notice is kilobytes)
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from scrapers import eforms, ted_export
from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError
from scrapers.http import Http
from scrapers.records import TenderRecord

MAX_MEMBER_BYTES = 20 * 1024 * 1024
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")
_SNIFF = 4096


def is_ted_export(body: bytes) -> bool:
    """TED_EXPORT and eForms are told apart by their root element, found near the start."""
    return body.find(b"TED_EXPORT", 0, _SNIFF) >= 0


def parse_notice(doc: RawDocument) -> TenderRecord:
    if is_ted_export(doc.body):
        return ted_export.parse_notice(doc)
    return eforms.parse_notice(doc, source="eforms")


def _is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


def _members(url: str, body: bytes, fetched_at: datetime) -> Iterator[RawDocument | FetchError]:
    """XML members of a ZIP or tar archive, archives inside it opened in turn."""
    try:
        if url.lower().endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                entries = [
                    (i.filename, i.file_size, archive.read(i) if i.file_size <= MAX_MEMBER_BYTES else b"")
                    for i in archive.infolist()
                    if not i.is_dir()
                ]
        else:
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as archive:
                entries = []
                for info in archive:
                    if not info.isfile():
                        continue
                    member = archive.extractfile(info) if info.size <= MAX_MEMBER_BYTES else None
                    entries.append((info.name, info.size, member.read() if member else b""))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        yield FetchError(url, f"Archiv nicht lesbar ({exc})")
        return
    for name, size, data in sorted(entries):
        member_url = f"{url}#{name}"
        if size > MAX_MEMBER_BYTES:
            yield FetchError(member_url, "Datei im Archiv ist zu groß")
        elif _is_archive(name):
            yield from _members(member_url, data, fetched_at)
        elif name.lower().endswith(".xml"):
            yield RawDocument(
                url=member_url, body=data, fetched_at=fetched_at, content_type="application/xml"
            )


class NoticeFiles:
    """Named "eforms" as before TED_EXPORT was read, so archived files and records keep their keys."""

    name = "eforms"
    kind = SourceKind.TENDER
    default_schedule = ""  # run by hand: `kommunen import-notices ORDNER|PAKET.tar.gz|EXPORT.zip`

    def __init__(self, paths: Sequence[Path] = ()) -> None:
        self.paths = tuple(paths)

    def crawl(self, http: Http | None, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        for path in self.paths:
            if path.is_dir():
                files = sorted(
                    f for f in path.rglob("*") if f.is_file() and (f.suffix == ".xml" or _is_archive(f.name))
                )
            else:
                files = [path]
            for file in files:
                try:
                    body = file.read_bytes()
                    mtime = datetime.fromtimestamp(file.stat().st_mtime, UTC)
                except OSError as exc:
                    yield FetchError(str(file), exc.strerror or "nicht lesbar")
                    continue
                url = file.resolve().as_uri()
                if _is_archive(file.name):
                    yield from _members(url, body, mtime)
                else:
                    yield RawDocument(url=url, body=body, fetched_at=mtime)

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        yield parse_notice(doc)
