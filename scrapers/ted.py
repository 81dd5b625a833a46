"""TED (Tenders Electronic Daily): EU-wide notices with a German buyer or place of performance.

Quelle   POST https://api.ted.europa.eu/v3/notices/search (anonymous), then
         https://ted.europa.eu/en/notice/{publication-number}/xml per notice
Format   search: JSON {notices: [{publication-number: ...}], iterationNextToken}; notice: eForms XML
Caveats  a token can come even after the last page, so an empty page ends the crawl;
         more than 666 requests/min block the client for 5 minutes (rate limit in Http)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

from scrapers import eforms
from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError
from scrapers.http import Http
from scrapers.records import TenderRecord

SEARCH_URL = "https://api.ted.europa.eu/v3/notices/search"
NOTICE_XML_URL = "https://ted.europa.eu/en/notice/{}/xml"
PAGE_SIZE = 250
DEFAULT_LOOKBACK = timedelta(days=7)


def search_payload(since: datetime, token: str | None) -> dict[str, object]:
    # place-of-performance holds several countries: IN is the form other TED clients use with it
    query = f"(buyer-country = DEU OR place-of-performance IN (DEU)) AND publication-date >= {since:%Y%m%d}"
    payload: dict[str, object] = {
        "query": query,
        "fields": ["publication-number", "publication-date", "notice-type"],
        "limit": PAGE_SIZE,
        "paginationMode": "ITERATION",
    }
    if token:
        payload["iterationNextToken"] = token
    return payload


def search_page(doc: RawDocument) -> tuple[list[str], str | None]:
    """Publication numbers on one search page and the token for the next."""
    try:
        data = json.loads(doc.body)
        numbers = [str(n["publication-number"]) for n in data.get("notices", [])]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(doc.url, f"unerwartete Suchantwort ({exc})") from exc
    return numbers, data.get("iterationNextToken") or None


class TED:
    name = "ted"
    kind = SourceKind.TENDER
    default_schedule = "15 5 * * *"  # daily; TED publishes Tuesday to Saturday

    def __init__(self, search_url: str = SEARCH_URL, notice_url: str = NOTICE_XML_URL) -> None:
        self.search_url, self.notice_url = search_url, notice_url

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        start = since or (http.clock() - DEFAULT_LOOKBACK)
        token: str | None = None
        while True:
            page = http.post_json(self.search_url, search_payload(start, token))
            yield page
            numbers, token = search_page(page)
            for number in numbers:
                try:
                    yield http.get(self.notice_url.format(number))
                except FetchError as exc:
                    yield exc
            if not numbers or not token:
                return

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        if doc.url.startswith(self.search_url):
            return  # search pages only carry publication numbers
        yield eforms.parse_notice(doc, source=self.name)
