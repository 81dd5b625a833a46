"""Municipal websites: "Ämter / Fachbereiche / Ansprechpartner / Organisation" pages.

Quelle   a Gemeinde's own website, from a start URL per Gemeinde (AGS → URL)
Format   HTML of any CMS; departments are headings, list items or table rows named
         Amt/Fachbereich/Referat/Dezernat/..., with mailto:/tel: links or numbers nearby
Caveats  a generic extractor: it reads only what a page publishes as an official contact;
         the crawl stays on the start host (and the host it redirects to, www or not),
         follows only organisation-like links (by their words, not any one site's URLs), and is
         bounded by depth and pages; pages are decoded by their declared charset (Latin-1 and
         windows-1252 CMS pages are common)
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
    r"((?<!ges)amt\b|ämter|fachbereich|fachdienst|referat|dezernat|abteilung|stabsstelle|sachgebiet|"
    r"geschäftsbereich|eigenbetrieb|bürgerbüro|bürgerservice|büro für|beauftragte)",
    re.IGNORECASE,
)
# What a link to the administration's structure says, folded (ae/oe/ue, lower case): the words
# German municipal sites use in their menus, by how directly they lead to departments and people.
FOLLOW_WORDS = (
    re.compile(
        r"\b(organisation\w*|organigramm\w*|aemter\w*|\w*amt|fachbereich\w*|fachdienst\w*|dezernat\w*|"
        r"referat\w*|abteilung\w*|ansprechpartner\w*|ansprechperson\w*|mitarbeiter\w*|zustaendig\w*|"
        r"wer macht was|was erledige ich wo|telefonverzeichnis|telefonbuch|dienststelle\w*)\b"
    ),
    re.compile(r"\b(\w*verwaltung\w*|rathaus\w*)\b"),
    re.compile(r"\b(buergerservice\w*|buergerbuero\w*|servicecenter|service center|behoerde\w*)\b"),
)
# Words that make a menu item something else: news, documents, politics, the site itself.
SKIP_WORDS = re.compile(
    r"\b(aktuell\w*|news|archiv\w*|presse\w*|meldung\w*|amtsblatt\w*|mitteilungsblatt\w*|"
    r"impressum|datenschutz\w*|sitemap|barrierefrei\w*|drucken|suche|gesamt|insgesamt|ehrenamt\w*|"
    r"stellenangebot\w*|ausbildung\w*|wahl\w*|formular\w*|\w*vordruck\w*)\b"
)
SKIP_QUERY = re.compile(r"(?:^|[&?])(?:print|font|type|publish\[[^\]]*\])=", re.IGNORECASE)
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# WHATWG: a page labelled Latin-1 or ASCII is decoded as windows-1252 (0x80 is "€" there).
CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252"}
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
    tree = _parse(doc)
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


def page_text(doc: RawDocument) -> str:
    """The page decoded by its declared charset: the HTTP header's, else the page's own
    <meta charset> or http-equiv; undeclared, UTF-8 if it is valid, else windows-1252."""
    declared = re.search(r"charset=([\w.:-]+)", doc.content_type or doc.headers.get("content-type", ""))
    meta = CHARSET.search(doc.body[:4096])
    name = declared.group(1) if declared else meta.group(1).decode("ascii") if meta else ""
    encoding = CHARSET_ALIASES.get(name.lower(), name.lower())
    if encoding:
        try:
            return doc.body.decode(encoding, errors="replace")
        except LookupError:
            pass  # a label Python does not know: guess as if none were given
    try:
        return doc.body.decode("utf-8")
    except UnicodeDecodeError:
        return doc.body.decode("cp1252", errors="replace")


def _parse(doc: RawDocument) -> LexborHTMLParser:
    return LexborHTMLParser(page_text(doc))


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    base = tree.css_first("base[href]")
    href = (base.attributes.get("href") or "").strip() if base is not None else ""
    try:
        return urljoin(url, href) if href else url
    except ValueError:
        return url


def _label(link: LexborNode) -> str:
    """What a link without text says: its title, or the alt text of its image."""
    image = link.css_first("img[alt]")
    return (link.attributes.get("title") or (image.attributes.get("alt") if image else "") or "").strip()


def _follow_rank(text: str) -> int | None:
    """0 for a link to departments or people, 1 to the Rathaus/Verwaltung, 2 to a service
    desk; None for any other link."""
    folded = _fold(text)
    if SKIP_WORDS.search(folded):
        return None
    return next((rank for rank, words in enumerate(FOLLOW_WORDS) if words.search(folded)), None)


def organisation_links(doc: RawDocument) -> list[str]:
    """Links on the same host to the administration's structure: Rathaus, Verwaltung, Ämter,
    Ansprechpartner, Bürgerservice; those to departments and people first. A link is judged by
    its text; one without (an image) by its title, alt text or last path segment."""
    host = site_host(doc.url)
    tree = _parse(doc)
    base = _base_url(tree, doc.url)
    ranked: dict[str, int] = {}
    for a in tree.css("a[href]"):
        raw = (a.attributes.get("href") or "").strip()
        if not raw or raw.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        try:
            href = urldefrag(urljoin(base, raw))[0]
        except ValueError:
            continue  # a link no browser could follow either
        parts = urlsplit(href)
        if site_host(href) != host or parts.scheme not in ("http", "https") or href == doc.url:
            continue
        if SKIP_QUERY.search(parts.query):
            continue  # a print view, font size or news item of the same page
        text = " ".join(a.text().split()) or _label(a) or parts.path.rstrip("/").rsplit("/", 1)[-1]
        rank = _follow_rank(text)
        if rank is not None and rank < ranked.get(href, len(FOLLOW_WORDS)):
            ranked[href] = rank
    return sorted(ranked, key=ranked.__getitem__)  # stable: in page order within a rank


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
