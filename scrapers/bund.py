"""service.bund.de: Ausschreibungen of federal, Land and municipal buyers as an RSS feed.

Quelle   https://www.service.bund.de/Content/DE/Ausschreibungen/Suche/Formular.html?nn=4641482
         &type=rss&resultsPerPage=100&sortOrder=dateOfIssue_dt+desc&jobsrss=true
Format   RSS 2.0; per item title, link (the notice page, whose path ends in the notice id),
         description (buyer and deadline as text), pubDate
Caveats  thin data, a second signal next to TED and the Bekanntmachungsservice; no recorded
         sample yet, so the parser follows the RSS 2.0 format only
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError
from scrapers.http import Http
from scrapers.records import TenderRecord
from scrapers.xmlsafe import parse_xml

FEED_URL = (
    "https://www.service.bund.de/Content/DE/Ausschreibungen/Suche/Formular.html?nn=4641482"
    "&type=rss&resultsPerPage=100&sortOrder=dateOfIssue_dt+desc&jobsrss=true"
)
BERLIN = ZoneInfo("Europe/Berlin")
_DEADLINE = re.compile(r"(?:Angebotsfrist|Frist|Ablauf)[^0-9]{0,40}(\d{2})\.(\d{2})\.(\d{4})")
_BUYER = re.compile(r"^(?:Vergabestelle|Ausschreibende Stelle|Auftraggeber)\s*:\s*(.+)$")


def _lines(html: str) -> list[str]:
    """The description's text, one line per block element."""
    if not html:
        return []
    text = LexborHTMLParser(f"<div>{html}</div>").text(separator="\n")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _deadline(text: str) -> datetime | None:
    """ "Angebotsfrist: 05.12.2026" → end of that day in Berlin."""
    match = _DEADLINE.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    return datetime(year, month, day, 23, 59, tzinfo=BERLIN)


def parse_feed(doc: RawDocument) -> Iterator[TenderRecord]:
    root = parse_xml(doc.body, doc.url)
    if root.tag != "rss":
        raise ParseError(doc.url, f"kein RSS-Feed (Wurzel <{root.tag}>)")
    for item in root.findall("./channel/item"):
        link = (item.findtext("link") or "").strip()
        title = " ".join((item.findtext("title") or "").split())
        if not link or not title:
            raise ParseError(doc.url, "Eintrag ohne Titel oder Link")
        lines = _lines(item.findtext("description") or "")
        description = " ".join(lines)
        published = item.findtext("pubDate")
        buyer = next((m for m in map(_BUYER.match, lines) if m), None)
        yield TenderRecord(
            source="bund",
            source_id=(item.findtext("guid") or link).strip(),
            source_url=doc.url,
            notice_version="",
            procedure_id="",
            changed_notice_id="",
            publication_number="",
            notice_type="",
            form_type="competition",
            notice_subtype="",
            publication_date=email.utils.parsedate_to_datetime(published).date() if published else None,
            language="DEU",
            title=title,
            description=description,
            buyer_name=buyer.group(1).strip() if buyer else "",
            buyer_department="",
            buyer_city="",
            buyer_postal_code="",
            buyer_nuts="",
            buyer_country="DEU",
            buyer_legal_type="",
            buyer_email="",
            buyer_url="",
            cpv_main="",
            cpv_additional=(),
            place_nuts=(),
            estimated_value=None,
            currency="",
            procedure_type="",
            submission_deadline=_deadline(description),
            planned_date=None,
            lots=(),
            url=link,
            seen_at=doc.fetched_at,
        )


class Bund:
    name = "bund"
    kind = SourceKind.TENDER
    default_schedule = "30 6 * * *"

    def __init__(self, feed_url: str = FEED_URL) -> None:
        self.feed_url = feed_url

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        yield http.get(self.feed_url)

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        yield from parse_feed(doc)
