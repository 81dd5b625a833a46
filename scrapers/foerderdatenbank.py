"""Förderdatenbank des Bundes: Förderprogramme of Bund, Länder and EU.

Quelle   https://www.foerderdatenbank.de/FDB/WS/export (official XML export, a ZIP of ~50 MB);
         programme pages https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/...
Format   export: one XML document per programme, contact and address
         (BMWI/FDB/Content/DE/{Foerderprogramm,Kontakt,Adresse,...}), rich text as escaped
         HTML, vocabularies as category links (…/Foerderart/zuschuss); pages: HTML with a
         dl of Förderart/Förderbereich/Fördergebiet/Förderberechtigte/Fördergeber/Ansprechpunkt
Caveats  the HTML site blocks bots, so the scheduled crawl reads the export; older page
         layouts label fields with ASCII ("Foerderart") and slugs ("zuschuss"), both handled
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from selectolax.lexbor import LexborHTMLParser

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import ParseError
from scrapers.http import Http
from scrapers.records import FundingRecord
from scrapers.xmlsafe import parse_xml

EXPORT_URL = "https://www.foerderdatenbank.de/FDB/WS/export"
PAGE_URL = "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/{}.html"
PROGRAMME_PREFIX = "/BMWI/FDB/Content/DE/Foerderprogramm/"
XLINK = "{http://www.w3.org/1999/xlink}href"
MAX_MEMBER_BYTES = 5 * 1024 * 1024

# Slugs of the export and of older pages → the labels the site shows.
LABELS = {
    "zuschuss": "Zuschuss",
    "darlehen": "Darlehen",
    "buergschaft": "Bürgschaft",
    "beteiligung": "Beteiligung",
    "garantie": "Garantie",
    "sonstige": "Sonstige",
    "kommune": "Kommune",
    "oeffentliche_einrichtung": "Öffentliche Einrichtung",
    "verband_vereinigung": "Verband/Vereinigung",
    "unternehmen": "Unternehmen",
    "bildungseinrichtung": "Bildungseinrichtung",
    "forschungseinrichtung": "Forschungseinrichtung",
    "hochschule": "Hochschule",
    "existenzgruenderin": "Existenzgründer/in",
    "privatperson": "Privatperson",
    "bundesweit": "bundesweit",
    "bund": "Bund",
    "land": "Land",
    "eu": "EU",
    "baden_wuerttemberg": "Baden-Württemberg",
    "bayern": "Bayern",
    "berlin": "Berlin",
    "brandenburg": "Brandenburg",
    "bremen": "Bremen",
    "hamburg": "Hamburg",
    "hessen": "Hessen",
    "mecklenburg_vorpommern": "Mecklenburg-Vorpommern",
    "niedersachsen": "Niedersachsen",
    "nordrhein_westfalen": "Nordrhein-Westfalen",
    "rheinland_pfalz": "Rheinland-Pfalz",
    "saarland": "Saarland",
    "sachsen": "Sachsen",
    "sachsen_anhalt": "Sachsen-Anhalt",
    "schleswig_holstein": "Schleswig-Holstein",
    "thueringen": "Thüringen",
    "arbeit": "Arbeit",
    "kultur_medien_sport": "Kultur, Medien & Sport",
    "existenzgruendung_festigung": "Existenzgründung & -festigung",
    "smart_cities_regionen": "Smart Cities & Regionen",
    "digitalisierung": "Digitalisierung",
    "gesundheit_soziales": "Gesundheit & Soziales",
    "forschung_innovation_themenspezifisch": "Forschung & Innovation (themenspezifisch)",
}
SPLIT_FIELDS = {"foerderart", "foerderbereich", "foerdergebiet", "foerderberechtigte"}
FIELDS = {  # folded dt label → FundingRecord field
    "foerderart": "foerderart",
    "foerderbereich": "foerderbereich",
    "foerdergebiet": "foerdergebiet",
    "foerderberechtigte": "foerderberechtigte",
    "foerdergeber": "foerdergeber",
    "ansprechpunkt": "ansprechpunkt",
}


def label(slug: str) -> str:
    slug = slug.strip().lstrip("_")
    return LABELS.get(slug.lower(), slug.replace("_", " ").strip().capitalize() if slug.islower() else slug)


def _split_labels(text: str) -> tuple[str, ...]:
    """ "Darlehen, Bürgschaft" → two labels, but "Kultur, Medien & Sport" stays one."""
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    known = set(LABELS.values())
    result: list[str] = []
    while pieces:
        for size in range(len(pieces), 0, -1):
            joined = ", ".join(pieces[:size])
            if size == 1 or joined in known:
                result.append(label(joined))
                del pieces[:size]
                break
    return tuple(result)


def _fold_label(text: str) -> str:
    text = text.lower().replace("ö", "oe").replace("ü", "ue").replace("ä", "ae")
    return re.sub(r"[^a-z]", "", text)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _html_text(html: str) -> tuple[str, str]:
    """(first paragraph under "Ziel und Gegenstand" or the first paragraph, all text)."""
    if not html.strip():
        return "", ""
    tree = LexborHTMLParser(html)
    paragraphs = [_clean(n.text()) for n in tree.css("p, h2, li") if _clean(n.text())]
    summary = ""
    for heading in tree.css("h2"):
        if "ziel" in heading.text().lower():
            following = heading.next
            while following is not None and following.tag != "p":
                following = following.next
            summary = _clean(following.text()) if following is not None else ""
            break
    if not summary:
        summary = next((p for p in paragraphs if len(p) > 40), paragraphs[0] if paragraphs else "")
    return summary, "\n".join(paragraphs)


class _Export:
    """The export's documents by path, to resolve links from a programme to its contacts."""

    def __init__(self, doc: RawDocument) -> None:
        self.url = doc.url
        try:
            archive = zipfile.ZipFile(io.BytesIO(doc.body))
        except zipfile.BadZipFile as exc:
            raise ParseError(doc.url, "Export ist kein ZIP-Archiv") from exc
        self.documents: dict[str, bytes] = {}
        with archive:
            for info in archive.infolist():
                if info.filename.endswith(".xml") and info.file_size <= MAX_MEMBER_BYTES:
                    self.documents["/" + info.filename.removesuffix(".xml").lstrip("/")] = archive.read(info)

    def root(self, path: str):  # type: ignore[no-untyped-def]
        body = self.documents.get(path)
        return parse_xml(body, f"{self.url}#{path}") if body else None


def _property(root, name: str) -> str:  # type: ignore[no-untyped-def]
    node = root.find(f"property[@name='{name}']")
    if node is None:
        return ""
    return (node.findtext("text") or node.findtext("value") or "").strip()


def _rich(root, name: str) -> str:  # type: ignore[no-untyped-def]
    """RichText properties hold "<![CDATA[<div>…</div>]]>" as escaped text."""
    text = _property(root, name)
    return text.removeprefix("<![CDATA[").removesuffix("]]>")


def _links(root, name: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Classifier (e.g. "Foerderart") → linked targets (paths) of a ClassifiedLinkLists property."""
    found: dict[str, list[str]] = {}
    for linklist in root.iterfind(f"property[@name='{name}']/classifiedLinkLists/classifiedLinkList"):
        classifier = linklist.find("classifierLinks/link")
        key = (classifier.get(XLINK) or "").rsplit("/", 1)[-1] if classifier is not None else ""
        found.setdefault(key, []).extend(
            (link.get(XLINK) or "").removeprefix("target:") for link in linklist.iterfind("links/link")
        )
    return found


def _contact(export: _Export, path: str) -> str:
    root = export.root(path)
    if root is None:
        return ""
    name = _html_text(_rich(root, "gsb:title"))[0]
    parts = [name]
    for address_path in _links(root, "gsb:cl2Addresses").get("Adresse", []):
        address = export.root(address_path)
        if address is not None:
            street = " ".join(
                filter(None, (_property(address, "gsb:road"), _property(address, "gsb:houseId")))
            )
            town = " ".join(filter(None, (_property(address, "gsb:zipCode"), _property(address, "gsb:city"))))
            parts += [street, town]
    if phone := _property(root, "gsb:phone"):
        parts.append(f"Tel: {phone}")
    return ", ".join(p for p in parts if p)


def parse_export(doc: RawDocument) -> Iterator[FundingRecord]:
    export = _Export(doc)
    for path in sorted(p for p in export.documents if p.startswith(PROGRAMME_PREFIX)):
        root = export.root(path)
        if root is None or _property(root, "gsb:subType") not in ("", "ServiceOffer-FundingProgram"):
            continue
        source_id = path.removeprefix(PROGRAMME_PREFIX)
        title = _html_text(_rich(root, "gsb:title"))[1].replace("\n", " ")
        if not title:
            raise ParseError(f"{doc.url}#{path}", "Förderprogramm ohne Titel")
        summary, body = _html_text(_rich(root, "gsb:bodyText"))
        processes = _links(root, "gsb:cl2Processes")
        vocab = {
            key: tuple(label(t.rsplit("/", 1)[-1]) for t in targets) for key, targets in processes.items()
        }
        issued = _property(root, "gsb:dateOfIssue")
        yield FundingRecord(
            source="foerderdatenbank",
            source_id=source_id,
            source_url=f"{doc.url}#{path}",
            title=title,
            kurzbeschreibung=summary,
            beschreibung=body,
            foerderart=vocab.get("Foerderart", ()),
            foerderbereich=vocab.get("Foerderbereich", ()),
            foerdergebiet=vocab.get("Foerdergebiet", ()),
            foerderberechtigte=vocab.get("Foerderberechtigte", ()),
            foerdergeber=vocab.get("Foerdergeber", ()),
            ansprechpunkt=tuple(
                c
                for c in (_contact(export, p) for p in _links(root, "gsb:cl2Contacts").get("Kontakt", []))
                if c
            ),
            stichworte=_property(root, "gsb:keywords"),
            stand=date.fromisoformat(issued[:10]) if issued else None,
            url=PAGE_URL.format(source_id),
            seen_at=doc.fetched_at,
        )


def parse_programme_page(doc: RawDocument) -> FundingRecord:
    tree = LexborHTMLParser(doc.body)
    heading = tree.css_first("h1")
    title = _clean(heading.text()) if heading is not None else ""
    if not title:
        raise ParseError(doc.url, "Programmseite ohne Überschrift (h1)")
    values: dict[str, tuple[str, ...]] = {}
    for dt in tree.css("dl dt"):
        field = FIELDS.get(_fold_label(dt.text()))
        dd = dt.next
        while dd is not None and dd.tag != "dd":
            dd = dd.next
        if field is None or dd is None:
            continue
        lines = list(dict.fromkeys(_clean(line) for line in dd.text(separator="\n").splitlines()))
        lines = [line for line in lines if line.strip(", ")]
        if field in SPLIT_FIELDS:
            values[field] = _split_labels(" ".join(lines))
        else:  # a funder's or contact's name may itself contain commas
            values[field] = (", ".join(lines),) if lines else ()
    if not values:
        raise ParseError(doc.url, "kein Block Förderart/Förderbereich/… gefunden (Layout geändert?)")
    blocks = tree.css(".content--tab-text") or tree.css("main .rich--text")  # tabbed or single layout
    tabs = [_html_text(block.html or "") for block in blocks]
    summary = tabs[0][0] if tabs else ""
    body = "\n".join(text for _, text in tabs)
    path = doc.url.split("/Foerderprogramm/", 1)[-1].removesuffix(".html")
    return FundingRecord(
        source="foerderdatenbank",
        source_id=path,
        source_url=doc.url,
        title=title,
        kurzbeschreibung=summary,
        beschreibung=body,
        foerderart=values.get("foerderart", ()),
        foerderbereich=values.get("foerderbereich", ()),
        foerdergebiet=values.get("foerdergebiet", ()),
        foerderberechtigte=values.get("foerderberechtigte", ()),
        foerdergeber=values.get("foerdergeber", ()),
        ansprechpunkt=values.get("ansprechpunkt", ()),
        stichworte="",
        stand=None,
        url=doc.url,
        seen_at=doc.fetched_at,
    )


class Foerderdatenbank:
    name = "foerderdatenbank"
    kind = SourceKind.FUNDING
    default_schedule = "30 4 * * 1"  # weekly: programmes change slowly

    def __init__(self, export_url: str = EXPORT_URL) -> None:
        self.export_url = export_url

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument]:
        with http.budget():
            yield http.get(self.export_url)  # conditional: an unchanged export costs nothing

    def parse(self, doc: RawDocument) -> Iterator[FundingRecord]:
        if doc.body.startswith(b"PK\x03\x04"):
            yield from parse_export(doc)
        else:
            yield parse_programme_page(doc)
