"""OParl: the open API of German council information systems (Ratsinformationssysteme).

Quelle   known endpoints (OParl/resources endpoints.yml, https://mirror.oparl.org/bodies);
         System → body list → Body → organization list, following links.next
Format   JSON; lists are {"data": [...], "links": {"next": ...}}; a Body carries ags/rgs,
         an Organization its organizationType (Gremium, Fraktion, Verwaltungsbereich, ...)
Caveats  endpoints ignore modified_since and answer 500 on next pages: a failed page ends that
         list and is recorded, as do a next link seen before, a broken one and MAX_PAGES pages;
         "ags" comes as 8 digits, as 7 (leading zero lost) or as 9 (trailing zero); rgs is the
         12-digit Regionalschlüssel
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError, SourcePaused
from scrapers.http import Http
from scrapers.records import BodyRecord, DepartmentRecord

MAX_PAGES = 200  # per list: a bound against endpoints whose next links never end


def normalise_ags(ags: Any, rgs: Any) -> str:
    """The 8-digit AGS from a Body's rgs (preferred) or its loosely written ags."""
    rgs_digits = re.sub(r"\D", "", str(rgs or ""))
    if len(rgs_digits) == 12:
        return rgs_digits[:5] + rgs_digits[9:]
    digits = re.sub(r"\D", "", str(ags or ""))
    if len(digits) == 7:
        return digits.zfill(8)
    if len(digits) in (8, 9):
        return digits[:8]
    return ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _load(doc: RawDocument) -> Any:
    try:
        return json.loads(doc.body)
    except ValueError as exc:
        raise ParseError(doc.url, f"kein gültiges JSON ({exc})") from exc


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return [d for d in data["data"] if isinstance(d, dict)]
    return [data] if isinstance(data, dict) else []


def next_page(doc: RawDocument) -> str | None:
    data = _load(doc)
    links = data.get("links") if isinstance(data, dict) else None
    following = links.get("next") if isinstance(links, dict) else None
    if not following or not isinstance(following, str):
        return None
    try:
        return urljoin(doc.url, following.strip())
    except ValueError:
        return following  # Http names the broken link as that page's error


def _load_or_none(doc: RawDocument) -> Any:
    """The page's JSON for following links; a broken page is reported when it is parsed."""
    try:
        return _load(doc)
    except ParseError:
        return None


def body_record(item: dict[str, Any], doc: RawDocument) -> BodyRecord:
    return BodyRecord(
        source="oparl",
        source_id=str(item["id"]),
        source_url=doc.url,
        name=str(item.get("name") or ""),
        ags=normalise_ags(item.get("ags"), item.get("rgs")),
        website=str(item.get("website") or ""),
        contact_email=str(item.get("contactEmail") or ""),
        organization_list=str(item.get("organization") or ""),
        seen_at=doc.fetched_at,
    )


def department_record(item: dict[str, Any], doc: RawDocument) -> DepartmentRecord:
    return DepartmentRecord(
        source="oparl",
        source_id=str(item["id"]),
        source_url=doc.url,
        body_id=str(item.get("body") or ""),
        name=" ".join(str(item.get("name") or "").split()),
        short_name=str(item.get("shortName") or ""),
        organization_type=str(item.get("organizationType") or ""),
        classification=str(item.get("classification") or ""),
        website=str(item.get("website") or ""),
        email=str(item.get("email") or ""),
        phone=str(item.get("phone") or ""),
        start_date=_date(item.get("startDate")),
        end_date=_date(item.get("endDate")),
        seen_at=doc.fetched_at,
    )


def parse_objects(doc: RawDocument) -> Iterator[BodyRecord | DepartmentRecord]:
    for item in _items(_load(doc)):
        kind = str(item.get("type", "")).rsplit("/", 1)[-1]
        if item.get("deleted") or kind not in ("Body", "Organization"):
            continue
        if "id" not in item:
            raise ParseError(doc.url, f"{kind} ohne id")
        yield body_record(item, doc) if kind == "Body" else department_record(item, doc)


class OParl:
    name = "oparl"
    kind = SourceKind.DEPARTMENT
    default_schedule = "0 4 * * 0"  # weekly: administrations change slowly

    def __init__(
        self, endpoints: tuple[str, ...] = (), body_filter: str = "", max_pages: int = MAX_PAGES
    ) -> None:
        self.endpoints = endpoints  # System URLs
        self.body_filter = body_filter.lower()
        self.max_pages = max_pages  # per list

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        with http.budget():
            for system_url in self.endpoints:
                yield from self._endpoint(http, system_url, since)

    def _endpoint(
        self, http: Http, system_url: str, since: datetime | None
    ) -> Iterator[RawDocument | FetchError]:
        """One System: whatever goes wrong in it is its error, and the next endpoint still runs."""
        try:
            system = http.get(system_url, conditional=False)
            body_list = _load(system).get("body")
        except SourcePaused:
            raise
        except FetchError as exc:
            yield exc
            return
        except (ParseError, AttributeError) as exc:
            yield FetchError(system_url, f"kein OParl-System ({exc})")
            return
        if not isinstance(body_list, str) or not body_list:
            yield FetchError(system_url, "kein OParl-System (ohne Link auf die Körperschaften)")
            return
        for page in self._pages(http, body_list, since=None):
            yield page
            if isinstance(page, FetchError):
                continue
            for body in _items(_load_or_none(page)):
                wanted = not self.body_filter or self.body_filter in str(body.get("name", "")).lower()
                organizations = body.get("organization")
                if wanted and isinstance(organizations, str) and organizations:
                    yield from self._pages(http, organizations, since)

    def _pages(self, http: Http, url: str, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        if since is not None:
            url += ("&" if "?" in url else "?") + urlencode({"modified_since": since.isoformat()})
        yield from http.paginate(url, next_page, max_pages=self.max_pages)

    def parse(self, doc: RawDocument) -> Iterator[BodyRecord | DepartmentRecord]:
        yield from parse_objects(doc)
