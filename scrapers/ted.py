"""TED (Tenders Electronic Daily): EU-wide notices with a German buyer or place of performance.

Quelle   POST https://api.ted.europa.eu/v3/notices/search (anonymous), then
         https://ted.europa.eu/en/notice/{publication-number}/xml per notice
Format   search: JSON {notices: [{publication-number: ...}], iterationNextToken}; notice: eForms XML
Caveats  a token can come even after the last page, so an empty page ends the crawl; a
         token seen before or MAX_PAGES pages end it as an error; more than 666 requests/min
         block the client for 5 minutes (rate limit in Http)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import quote

from scrapers import eforms
from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError, SourcePaused
from scrapers.http import Http
from scrapers.records import TenderRecord

SEARCH_URL = "https://api.ted.europa.eu/v3/notices/search"
NOTICE_XML_URL = "https://ted.europa.eu/en/notice/{}/xml"
PAGE_SIZE = 250
MAX_PAGES = 400  # 100,000 notices: weeks of German notices; more is a search that does not end
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
    token = data.get("iterationNextToken")
    return numbers, token if isinstance(token, str) and token else None


class TED:
    name = "ted"
    kind = SourceKind.TENDER
    default_schedule = "15 5 * * *"  # daily; TED publishes Tuesday to Saturday

    def __init__(
        self, search_url: str = SEARCH_URL, notice_url: str = NOTICE_XML_URL, max_pages: int = MAX_PAGES
    ) -> None:
        self.search_url, self.notice_url, self.max_pages = search_url, notice_url, max_pages

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        start = since or (http.clock() - DEFAULT_LOOKBACK)
        token: str | None = None
        tokens: set[str] = set()
        fetched: set[str] = set()
        with http.budget():
            for page_number in range(1, self.max_pages + 1):
                page = http.post_json(self.search_url, search_payload(start, token))
                yield page
                numbers, token = search_page(page)
                for number in numbers:
                    if number in fetched:
                        continue  # a repeated page lists the same notices again
                    fetched.add(number)
                    try:
                        yield http.get(self.notice_url.format(quote(number, safe="")))
                    except SourcePaused:
                        raise
                    except FetchError as exc:
                        yield exc
                if not numbers or not token:
                    return
                if token in tokens:
                    yield FetchError(
                        self.search_url,
                        f"iterationNextToken wiederholt sich (Seite {page_number}): Suche endet",
                    )
                    return
                tokens.add(token)
            yield FetchError(self.search_url, f"mehr als {self.max_pages} Suchseiten: Suche endet hier")

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        if doc.url.startswith(self.search_url):
            return  # search pages only carry publication numbers
        yield eforms.parse_notice(doc, source=self.name)
