"""service.bund.de: Ausschreibungen of federal, Land and municipal buyers as an RSS feed.

Quelle   https://www.service.bund.de/Content/DE/Ausschreibungen/Suche/Formular.html?nn=4641482
         &type=rss&resultsPerPage=100&sortOrder=dateOfIssue_dt+desc&jobsrss=true
Format   RSS 2.0; per item title, link (the notice page, whose path ends in the notice id),
         description (buyer and deadline as text), pubDate
Caveats  thin data, a second signal next to TED and the Bekanntmachungsservice; each notice
         page is fetched too and replaces the feed's record (same key: its URL); no recorded
         sample of feed or page yet, so both parsers follow the formats, not a real file
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError, SourcePaused
from scrapers.http import Http
from scrapers.records import TenderRecord
from scrapers.xmlsafe import parse_xml

FEED_URL = (
    "https://www.service.bund.de/Content/DE/Ausschreibungen/Suche/Formular.html?nn=4641482"
    "&type=rss&resultsPerPage=100&sortOrder=dateOfIssue_dt+desc&jobsrss=true"
)
BERLIN = ZoneInfo("Europe/Berlin")
_DEADLINE = re.compile(r"(?:Angebotsfrist|Frist|Ablauf)[^0-9]{0,40}(\d{2})\.(\d{2})\.(\d{4})")
_PUBLISHED = re.compile(r"Ver(?:ö|oe)ffentlich\w*[^0-9]{0,20}(\d{2})\.(\d{2})\.(\d{4})")
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


def _tender(
    doc: RawDocument, source_id: str, title: str, lines: list[str], published: date | None
) -> TenderRecord:
    text = " ".join(lines)
    buyer = next((m for m in map(_BUYER.match, lines) if m), None)
    return TenderRecord(
        source="bund",
        source_id=source_id,
        source_url=doc.url,
        notice_version="",
        procedure_id="",
        changed_notice_id="",
        publication_number="",
        notice_type="",
        form_type="competition",
        notice_subtype="",
        publication_date=published,
        language="DEU",
        title=title,
        description=text,
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
        submission_deadline=_deadline(text),
        planned_date=None,
        lots=(),
        url=source_id,
        seen_at=doc.fetched_at,
    )


def parse_feed(doc: RawDocument) -> Iterator[TenderRecord]:
    root = parse_xml(doc.body, doc.url)
    if root.tag != "rss":
        raise ParseError(doc.url, f"kein RSS-Feed (Wurzel <{root.tag}>)")
    for item in root.findall("./channel/item"):
        link = (item.findtext("link") or "").strip()
        title = " ".join((item.findtext("title") or "").split())
        if not link or not title:
            raise ParseError(doc.url, "Eintrag ohne Titel oder Link")
        published = item.findtext("pubDate")
        yield _tender(
            doc,
            link,
            title,
            _lines(item.findtext("description") or ""),
            email.utils.parsedate_to_datetime(published).date() if published else None,
        )


def item_links(doc: RawDocument) -> list[str]:
    root = parse_xml(doc.body, doc.url)
    links = ((item.findtext("link") or "").strip() for item in root.findall("./channel/item"))
    return [link for link in links if link.startswith(("http://", "https://"))]


def parse_detail(doc: RawDocument) -> TenderRecord:
    """A notice page: the h1 and the "Label: value" lines of its definition lists and text."""
    tree = LexborHTMLParser(doc.body)
    heading = tree.css_first("h1")
    title = " ".join(heading.text().split()) if heading is not None else ""
    if not title:
        raise ParseError(doc.url, "Bekanntmachungsseite ohne Überschrift (h1)")
    lines = [
        f"{' '.join(dt.text().split()).rstrip(':')}: {' '.join(dd.text().split())}"
        for dt, dd in zip(tree.css("dl dt"), tree.css("dl dd"), strict=False)
    ]
    main = tree.css_first("main") or tree.body
    lines += _lines(main.html or "") if main is not None else []
    published = _PUBLISHED.search(" ".join(lines))
    day = date(int(published[3]), int(published[2]), int(published[1])) if published else None
    return _tender(doc, doc.url, title, lines, day)


class Bund:
    name = "bund"
    kind = SourceKind.TENDER
    default_schedule = "30 6 * * *"

    def __init__(self, feed_url: str = FEED_URL) -> None:
        self.feed_url = feed_url

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        with http.budget():
            feed = http.get(self.feed_url, conditional=False)
            yield feed
            try:
                links = item_links(feed)
            except ParseError:
                return  # the feed's own parse reports it
            for link in dict.fromkeys(links):  # each notice page adds what the feed leaves out
                try:
                    yield http.get(link)
                except SourcePaused:
                    raise
                except FetchError as exc:
                    yield exc

    def parse(self, doc: RawDocument) -> Iterator[TenderRecord]:
        if doc.url == self.feed_url:
            yield from parse_feed(doc)
        else:
            yield parse_detail(doc)
