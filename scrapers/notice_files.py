"""Notices from files: TED's archive packages, a Bekanntmachungsservice export, recorded notices.

Quelle   files and folders given to `kommunen import-notices`; TED packages from
         https://ted.europa.eu/packages/ (monthly or daily .tar.gz), export ZIPs of
         oeffentlichevergabe.de (`notice-exports?pubDay=…`)
Format   XML, one notice per file: eForms (UBL) or TED_EXPORT (R2.0.8/R2.0.9), told apart by
         the root element; .zip, .tar, .tar.gz and .tgz are opened, nested ones too
Caveats  a member is addressed as `file:///…/paket.tar.gz#2021/01/000053-2020.xml`; a file or
         member above 20 MB is refused as an error of its own (a notice is kilobytes), an archive
         inside an archive above 200 MB (the HTTP cap) too; archives are read from disk as they
         are opened, never whole into memory
"""

from __future__ import annotations

import functools
import io
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from scrapers import eforms, ted_export
from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, os_reason
from scrapers.http import Http
from scrapers.records import TenderRecord

MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_NESTED_BYTES = 200 * 1024 * 1024  # a daily package inside a monthly one is read into memory
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")
_SNIFF = 4096
_UNREADABLE = (zipfile.BadZipFile, zlib.error, tarfile.TarError, EOFError, OSError, NotImplementedError)


def is_ted_export(body: bytes) -> bool:
    """TED_EXPORT and eForms are told apart by their root element, found near the start."""
    return body.find(b"TED_EXPORT", 0, _SNIFF) >= 0


def parse_notice(doc: RawDocument) -> TenderRecord:
    if is_ted_export(doc.body):
        return ted_export.parse_notice(doc)
    return eforms.parse_notice(doc, source="eforms")


def _is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


def _too_big(url: str, size: int, limit: int) -> FetchError:
    return FetchError(url, f"Datei ist zu groß ({size / 2**20:.1f} MB, höchstens {limit / 2**20:.0f} MB)")


def _entries(url: str, file: IO[bytes]) -> Iterator[tuple[str, int, Callable[[], bytes]]]:
    """(name, size, read) of each file in a ZIP (by name) or tar (in archive order)."""
    if url.lower().endswith(".zip"):
        with zipfile.ZipFile(file) as archive:
            for entry in sorted(archive.infolist(), key=lambda i: i.filename):
                if not entry.is_dir():
                    yield entry.filename, entry.file_size, functools.partial(archive.read, entry)
        return
    with tarfile.open(fileobj=file, mode="r:*") as tar:
        for info in tar:
            if info.isfile():
                yield info.name, info.size, functools.partial(_read_member, tar, info)


def _read_member(archive: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    member = archive.extractfile(info)
    return member.read() if member is not None else b""


def _members(
    url: str, file: IO[bytes], fetched_at: datetime, limit: int
) -> Iterator[RawDocument | FetchError]:
    """XML members of a ZIP or tar archive, one at a time, archives inside it opened in turn."""
    try:
        for name, size, read in _entries(url, file):
            member_url = f"{url}#{name}"
            nested = _is_archive(name)
            if not nested and not name.lower().endswith(".xml"):
                continue
            cap = MAX_NESTED_BYTES if nested else limit
            if size > cap:
                yield _too_big(member_url, size, cap)
                continue
            try:
                data = read()
            except _UNREADABLE as exc:
                yield FetchError(member_url, f"Datei im Archiv nicht lesbar ({exc})")
                continue
            if nested:
                yield from _members(member_url, io.BytesIO(data), fetched_at, limit)
            else:
                yield RawDocument(
                    url=member_url, body=data, fetched_at=fetched_at, content_type="application/xml"
                )
    except _UNREADABLE as exc:
        yield FetchError(url, f"Archiv nicht lesbar ({exc})")


class NoticeFiles:
    """Named "eforms" as before TED_EXPORT was read, so archived files and records keep their keys."""

    name = "eforms"
    kind = SourceKind.TENDER
    default_schedule = ""  # run by hand: `kommunen import-notices ORDNER|PAKET.tar.gz|EXPORT.zip`

    def __init__(self, paths: Sequence[Path] = (), max_bytes: int = MAX_MEMBER_BYTES) -> None:
        self.paths = tuple(paths)
        self.max_bytes = max_bytes  # per notice, whether a file or an archive's member

    def crawl(self, http: Http | None, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        for path in self.paths:
            if path.is_dir():
                files = sorted(
                    f for f in path.rglob("*") if f.is_file() and (f.suffix == ".xml" or _is_archive(f.name))
                )
            else:
                files = [path]
            for file in files:
                yield from self._file(file)

    def _file(self, file: Path) -> Iterator[RawDocument | FetchError]:
        url = file.resolve().as_uri()
        try:
            stat = file.stat()
            mtime = datetime.fromtimestamp(stat.st_mtime, UTC)
            if _is_archive(file.name):
                with file.open("rb") as opened:
                    yield from _members(url, opened, mtime, self.max_bytes)
                return
            if stat.st_size > self.max_bytes:
                yield _too_big(url, stat.st_size, self.max_bytes)
                return
            body = file.read_bytes()
        except OSError as exc:
            yield FetchError(str(file), os_reason(exc))
            return
        yield RawDocument(url=url, body=body, fetched_at=mtime)

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        yield parse_notice(doc)
