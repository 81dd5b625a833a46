"""Municipal websites: "Ämter / Fachbereiche / Ansprechpartner / Organisation" pages.

Quelle   a Gemeinde's own website, from a start URL per Gemeinde (AGS → URL)
Format   HTML of any CMS; departments are headings, list items or table rows named
         Amt/Fachbereich/Referat/Dezernat/..., with mailto:/tel: links or numbers nearby
Caveats  a generic extractor: it reads only what a page publishes as an official contact;
         the crawl stays on the start host (and the host it redirects to, www or not),
         follows only organisation-like links, and is bounded by depth and pages; no recorded
         municipal page exists yet to test it on
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, SourcePaused
from scrapers.http import Http
from scrapers.records import DepartmentRecord

DEPARTMENT_WORDS = re.compile(
    r"(amt\b|ämter|fachbereich|fachdienst|referat|dezernat|abteilung|stabsstelle|sachgebiet|"
    r"geschäftsbereich|eigenbetrieb|bürgerbüro|bürgerservice|büro für|beauftragte)",
    re.IGNORECASE,
)
FOLLOW_WORDS = re.compile(
    r"(amt|ämter|aemter|fachbereich|organisation|verwaltung|ansprechpartner|zuständig|zustaendig|"
    r"dezernat|referat|rathaus|kontakt|bürgerservice|buergerservice)",
    re.IGNORECASE,
)
THEMEN = {
    "Soziales": ("sozial", "senioren", "wohngeld", "grundsicherung"),
    "Integration": ("integration", "migration", "auslaender", "zuwanderung", "fluechtling", "teilhabe"),
    "Jugend": ("jugend", "kinder", "familie"),
    "Bildung": ("bildung", "schul", "kita", "volkshochschule"),
    "Digitalisierung": ("digital", "e government", "informationstechnik", "smart city", " it "),
    "Klima/Umwelt": ("klima", "umwelt", "nachhaltig", "energie", "natur"),
    "Wirtschaftsförderung": ("wirtschaft", "tourismus", "stadtmarketing"),
    "Kultur": ("kultur", "museum", "bibliothek"),
    "Gesundheit": ("gesundheit",),
    "Stadtentwicklung": ("stadtplanung", "stadtentwicklung", "bauamt", "bauen"),
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:Tel(?:efon)?\.?:?\s*)(\+?[\d][\d /()-]{5,}\d)")
BLOCKS = ("li", "tr", "section", "article", "div", "p")
CONTACT_START = re.compile(r"\s(?:Tel\b|Telefon|Fax|E-Mail|\+?\d[\d /()-]{5,})|[\w.+-]+@", re.IGNORECASE)
ENTRY_TAGS = "h1, h2, h3, h4, li, td, dt, strong, a"


def _fold(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return f" {re.sub(r'[^a-z0-9]+', ' ', text)} "


def themen(text: str) -> tuple[str, ...]:
    folded = _fold(text)
    return tuple(theme for theme, words in THEMEN.items() if any(w in folded for w in words))


def _block(node: LexborNode) -> LexborNode:
    """The smallest enclosing list item, row or section: where a department's contact sits."""
    current = node
    for _ in range(4):
        parent = current.parent
        if parent is None:
            break
        current = parent
        if current.tag in BLOCKS and len(current.text()) < 1500:
            return current
    return node


def site_host(url: str) -> str:
    """The host a Gemeinde's pages are known by: "www." and the case do not make another site."""
    host = urlsplit(url).netloc.lower()
    return host.removeprefix("www.")


def _href(link: LexborNode) -> str:
    return link.attributes.get("href") or ""


def _contact(block: LexborNode) -> tuple[str, str]:
    mail = next((_href(a)[7:].split("?")[0] for a in block.css("a[href^='mailto:']")), "")
    if not mail:
        found = EMAIL.search(block.text(separator=" "))
        mail = found.group(0) if found else ""
    phone = next((_href(a)[4:] for a in block.css("a[href^='tel:']")), "")
    if not phone:
        found = PHONE.search(block.text(separator=" "))
        phone = " ".join(found.group(1).split()) if found else ""
    return mail or "", phone


def extract_departments(doc: RawDocument, ags: str) -> Iterator[DepartmentRecord]:
    tree = LexborHTMLParser(doc.body)
    seen: set[str] = set()
    for node in tree.css(ENTRY_TAGS):
        text = " ".join(node.text(deep=True, separator=" ").split())
        name = text[: m.start()].strip(" ,;–-") if (m := CONTACT_START.search(text)) else text
        if not (4 <= len(name) <= 120) or not DEPARTMENT_WORDS.search(name) or name in seen:
            continue
        if node.tag in ("li", "td") and (
            node.css_first("ul, ol")  # a navigation branch, not an entry
            or any(
                DEPARTMENT_WORDS.search(child.text())
                for child in node.css(ENTRY_TAGS)
                if child.mem_id != node.mem_id  # css() includes the node itself
            )
        ):
            continue  # the named child is the entry
        seen.add(name)
        block = _block(node)
        email, phone = _contact(block)
        link = node if node.tag == "a" else node.css_first("a[href]")
        href = link.attributes.get("href", "") if link is not None else ""
        website = urljoin(doc.url, href) if href and not href.startswith(("mailto:", "tel:")) else ""
        yield DepartmentRecord(
            source="websites",
            source_id=f"{doc.url}#{name}",
            source_url=doc.url,
            body_id="",
            name=name,
            short_name="",
            organization_type="Verwaltungsbereich",
            classification="",
            website=website,
            email=email,
            phone=phone,
            start_date=None,
            end_date=None,
            seen_at=doc.fetched_at,
            ags=ags,
            themen=themen(name),
        )


def organisation_links(doc: RawDocument) -> list[str]:
    """Links on the same host whose text or path looks like the administration's structure."""
    host = site_host(doc.url)
    links = []
    for a in LexborHTMLParser(doc.body).css("a[href]"):
        try:
            href = urldefrag(urljoin(doc.url, a.attributes.get("href") or ""))[0]
        except ValueError:
            continue  # a link no browser could follow either
        if site_host(href) != host or not href.startswith(("http://", "https://")):
            continue
        if FOLLOW_WORDS.search(a.text()) or FOLLOW_WORDS.search(urlsplit(href).path):
            links.append(href)
    return list(dict.fromkeys(links))


class MunicipalWebsites:
    name = "websites"
    kind = SourceKind.DEPARTMENT
    default_schedule = ""  # needs start URLs: `kommunen scrape websites` with KOMMUNEN_WEBSITES

    def __init__(self, start: dict[str, str] | None = None, max_pages: int = 25, max_depth: int = 2) -> None:
        self.start = dict(start or {})  # AGS → start URL
        self.hosts = {site_host(url): ags for ags, url in self.start.items()}
        self.max_pages, self.max_depth = max_pages, max_depth

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        with http.budget():
            for ags, url in self.start.items():
                yield from self._site(http, ags, url)

    def _site(self, http: Http, ags: str, url: str) -> Iterator[RawDocument | FetchError]:
        queue: deque[tuple[str, int]] = deque([(url, 0)])
        seen = {url}
        fetched = 0
        while queue and fetched < self.max_pages:
            current, depth = queue.popleft()
            try:
                doc = http.get(current)
            except SourcePaused:
                raise
            except FetchError as exc:
                yield exc
                continue
            fetched += 1
            seen.add(doc.url)
            self.hosts.setdefault(site_host(doc.url), ags)  # redirected: the new host is this Gemeinde's
            yield doc
            if depth < self.max_depth:
                for link in organisation_links(doc):
                    if link not in seen:
                        seen.add(link)
                        queue.append((link, depth + 1))

    def parse(self, doc: RawDocument) -> Iterator[DepartmentRecord]:
        yield from extract_departments(doc, self.hosts.get(site_host(doc.url), ""))
