"""eForms code lists: the names behind CPV, NUTS and notice codes, in German.

Quelle   https://raw.githubusercontent.com/OP-TED/eForms-SDK/develop/codelists/{file}.gc
         (the SDK's own lists; also recorded under ../shared/data/codelists)
Format   OASIS genericode 1.0 XML: Identification/LongName names the list, each Row holds
         Value[@ColumnRef] cells ("code", "Name" in English, "deu_label" …)
         and the CPV 2008 vocabulary with German labels as CSV (cpv_2008_de_labels.csv: "code","name",
         9,454 codes written with their check digit, "85311000-2")
Caveats  social-service-cpv is the light regime social enterprises mostly bid under (115 codes);
         nuts-deu-lvl3 also has "DEZZZ" (extra-regio) and retired codes; a list without code
         column raises ParseError naming the file
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import FetchError, ParseError, os_reason
from scrapers.records import CodeRecord
from scrapers.xmlsafe import parse_xml

if TYPE_CHECKING:
    from scrapers.http import Http

BASE_URL = "https://raw.githubusercontent.com/OP-TED/eForms-SDK/develop/codelists/"
FILES = (
    "cpv_social-service-cpv.gc",
    "nuts_nuts-deu-lvl3.gc",
    "notice-type.gc",
    "procurement-procedure-type.gc",
)
SOCIAL_CPV = "social-service-cpv"
NUTS3 = "nuts-deu-lvl3"
CPV = "cpv"
CPV_LABELS = "cpv_2008_de_labels.csv"


def parse_cpv_labels(doc: RawDocument) -> Iterator[CodeRecord]:
    """The whole CPV vocabulary, German labels, codes without their check digit."""
    import csv
    import io

    try:
        rows = list(csv.DictReader(io.StringIO(doc.body.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ParseError(doc.url, f"keine CPV-Liste (CSV): {exc}") from exc
    if not rows or not {"code", "name"} <= set(rows[0]):
        raise ParseError(doc.url, "CPV-Liste ohne Spalten code und name")
    for line, row in enumerate(rows, start=2):
        code = (row["code"] or "").split("-", 1)[0].strip()
        if not (len(code) == 8 and code.isdigit()):
            raise ParseError(doc.url, f"Zeile {line}: kein CPV-Code {row['code']!r}")
        yield CodeRecord(CPV, code, (row["name"] or "").strip(), "", doc.url, doc.fetched_at)


def parse_codelist(doc: RawDocument) -> Iterator[CodeRecord]:
    """Every row of one genericode list, with its German and English label."""
    root = parse_xml(doc.body, doc.url)
    name = root.findtext("Identification/LongName")
    if not name:
        raise ParseError(doc.url, "keine Codeliste (Identification/LongName fehlt)")
    found = False
    for row in root.iterfind("SimpleCodeList/Row"):
        cells = {v.get("ColumnRef"): (v.findtext("SimpleValue") or "").strip() for v in row.iterfind("Value")}
        if not cells.get("code"):
            raise ParseError(doc.url, f"Zeile ohne Code in der Liste {name}")
        found = True
        yield CodeRecord(
            list_name=name.strip(),
            code=cells["code"],
            label_de=cells.get("deu_label") or cells.get("Name", ""),
            label_en=cells.get("eng_label") or cells.get("Name", ""),
            source_url=doc.url,
            seen_at=doc.fetched_at,
        )
    if not found:
        raise ParseError(doc.url, f"Codeliste {name} ohne Zeilen")


class EformsCodelists:
    """The SDK's code lists, from GitHub or (offline, `kommunen run`) from files on disk."""

    name = "codelisten"
    kind = SourceKind.CODES
    default_schedule = "30 4 1 * *"  # monthly: the SDK changes its lists with its releases

    def __init__(self, paths: Sequence[Path] = (), base_url: str = BASE_URL) -> None:
        self.paths, self.base_url = tuple(paths), base_url

    def crawl(self, http: Http | None, since: datetime | None) -> Iterator[RawDocument | FetchError]:
        if self.paths:
            for path in self.paths:
                files = sorted([*path.glob("*.gc"), *path.glob(CPV_LABELS)]) if path.is_dir() else [path]
                for file in files:
                    try:
                        body, mtime = file.read_bytes(), datetime.fromtimestamp(file.stat().st_mtime, UTC)
                    except OSError as exc:
                        yield FetchError(str(file), os_reason(exc))
                        continue
                    yield RawDocument(file.resolve().as_uri(), body, mtime)
            return
        if http is None:
            raise ValueError("the online code lists need an Http client")
        for name in FILES:
            try:
                yield http.get(self.base_url + name)
            except FetchError as exc:
                yield exc

    def parse(self, doc: RawDocument) -> Iterator[CodeRecord]:
        if doc.url.endswith(".csv"):
            yield from parse_cpv_labels(doc)
        else:
            yield from parse_codelist(doc)
