"""Destatis Gemeindeverzeichnis (GV-ISys): every Land, Kreis, Gemeindeverband and Gemeinde.

Quelle   https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/
         Administrativ/Archiv/GVAuszugQ/AuszugGV4QAktuell.xlsx (quarterly, XLSX);
         PLZ → AGS from suche-postleitzahl.org (CSV, OpenStreetMap, ODbL)
Format   one row per area, "Satzart" 10 Land … 60 Gemeinde, 20 positional columns; the same
         layout as XLSX (numbers as cells) or as CSV (BOM, " 90 164", "9,43751")
Caveats  uninhabited gemeindefreie Gebiete have population 0 and no PLZ; a bad row raises
         ParseError naming the file and the row
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from scrapers.base import RawDocument, SourceKind
from scrapers.errors import ParseError
from scrapers.records import GebietRecord, GemeindeRecord, PlzRecord, Record

if TYPE_CHECKING:  # the importer (kommunen similar's start-up) should not load httpx
    from scrapers.http import Http

GV_URL = (
    "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/"
    "Administrativ/Archiv/GVAuszugQ/AuszugGV4QAktuell.xlsx?__blob=publicationFile"
)
PLZ_URL = "https://www.suche-postleitzahl.org/download_files/public/zuordnung_plz_ort_landkreis.csv"

TEXTKENNZEICHEN = {
    "41": "Kreisfreie Stadt",
    "42": "Stadtkreis",
    "43": "Kreis",
    "44": "Landkreis",
    "45": "Regionalverband",
    "50": "Verbandsfreie Gemeinde",
    "51": "Amt",
    "52": "Samtgemeinde",
    "53": "Verbandsgemeinde",
    "54": "Verwaltungsgemeinschaft",
    "55": "Kirchspielslandgemeinde",
    "56": "Verwaltungsverband",
    "57": "Verbandsgemeinde (Trägermodell)",
    "58": "Erfüllende Gemeinde",
    "60": "Markt",
    "61": "Kreisfreie Stadt",
    "62": "Stadtkreis",
    "63": "Stadt",
    "64": "Kreisangehörige Gemeinde",
    "65": "Gemeindefreies Gebiet, bewohnt",
    "66": "Gemeindefreies Gebiet, unbewohnt",
    "67": "Große Kreisstadt",
}
EBENE = {
    "10": "land",
    "20": "regierungsbezirk",
    "30": "region",
    "40": "kreis",
    "50": "gemeindeverband",
}
KEY_PARTS = {"10": 1, "20": 2, "40": 3, "50": 4}  # how many key parts name the area
# Key part widths: Land, RB, Kreis, Gemeindeverband, Gemeinde. XLSX cells may lose leading zeros.
WIDTHS = (2, 1, 2, 4, 3)
COLUMNS = 20
PLZ_HEADER = ("osm_id", "ags", "ort", "plz", "landkreis", "bundesland")


class Gemeindeverzeichnis:
    name = "gemeindeverzeichnis"
    kind = SourceKind.GEMEINDE
    default_schedule = "0 3 1 * *"  # monthly: Destatis publishes quarterly

    def __init__(self, gv_url: str = GV_URL, plz_url: str = PLZ_URL) -> None:
        self.gv_url, self.plz_url = gv_url, plz_url

    def crawl(self, http: Http, since: datetime | None) -> Iterator[RawDocument]:
        yield http.get(self.gv_url)
        yield http.get(self.plz_url)

    def parse(self, doc: RawDocument) -> Iterator[Record]:
        if doc.body.startswith(b"PK\x03\x04"):
            above_data: list[str] = []
            yield from parse_rows(doc, xlsx_rows(doc, above_data), above_data)
            return
        text = doc.body.decode("utf-8-sig", errors="strict") if _is_utf8(doc.body) else ""
        if not text:
            text = doc.body.decode("cp1252")
        rows = csv.reader(io.StringIO(text))
        header = next(rows, None)
        if header is None:
            raise ParseError(doc.url, "Datei ist leer")
        if tuple(h.strip().lower() for h in header[:6]) == PLZ_HEADER:
            yield from parse_plz_rows(doc, rows)
        else:
            yield from parse_rows(doc, _numbered(rows, start=2))


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _numbered(rows: Iterable[list[str]], start: int) -> Iterator[tuple[int, Sequence[object]]]:
    yield from enumerate(rows, start=start)


def xlsx_rows(doc: RawDocument, header: list[str] | None = None) -> Iterator[tuple[int, Sequence[object]]]:
    """Data rows of the official XLSX: the sheet whose rows begin with a Satzart. The cells above
    the data (title, "Gebietsstand am 31.12.2024", the population's date) go into `header`."""
    import openpyxl  # only the XLSX path pays for the import

    try:
        book = openpyxl.load_workbook(io.BytesIO(doc.body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError(doc.url, f"keine lesbare XLSX-Datei ({exc})") from exc
    try:
        for sheet in book.worksheets:
            found = False
            above: list[str] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if row and _cell(row[0]) in {"10", "20", "30", "40", "50", "60"}:
                    if not found and header is not None:
                        header[:] = above
                    found = True
                    yield number, row
                elif not found:
                    above.extend(text for text in map(_cell, row or ()) if text)
            if found:
                return
        raise ParseError(doc.url, "keine Tabelle mit Satzart 10–60 gefunden")
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _key_part(value: object, width: int) -> str:
    text = _cell(value)
    return text.zfill(width) if text else ""


def _int(value: object) -> int | None:
    if isinstance(value, int | float):
        return int(value)
    text = _cell(value).replace(" ", "").replace("\u00a0", "").replace(".", "")
    return int(text) if text else None


def _float(value: object) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    text = _cell(value).replace(" ", "").replace(",", ".")
    return float(text) if text else None


_GEBIETSSTAND = re.compile(r"Gebietsstand(?: am)? (\d{2}\.\d{2}\.\d{4})")
_POPULATION_DATE = re.compile(r"(\d{2}\.\d{2}\.\d{4}) \(Jahr\)")  # the Bevölkerung column's header


def stands(header: Sequence[str]) -> tuple[date | None, date | None]:
    """(Gebietsstand, date of the population) from the cells above the data; the CSV has none.
    The population's column is headed by its date alone ("31.12.2023 (Jahr)")."""
    area = next((m for text in header if (m := _GEBIETSSTAND.search(text))), None)
    people = next((m for text in header if (m := _POPULATION_DATE.fullmatch(text))), None)
    return _day(area), _day(people)


def _day(found: re.Match[str] | None) -> date | None:
    return datetime.strptime(found.group(1), "%d.%m.%Y").date() if found else None  # noqa: DTZ007 - a day


def parse_rows(
    doc: RawDocument, rows: Iterable[tuple[int, Sequence[object]]], header: Sequence[str] = ()
) -> Iterator[Record]:
    """`header` is complete once the first data row comes (xlsx_rows fills it on the way)."""
    dated: tuple[date | None, date | None] | None = None
    for number, row in rows:
        if not row or not any(_cell(v) for v in row):
            continue
        if len(row) < COLUMNS:
            raise ParseError(doc.url, f"Zeile {number}: {len(row)} statt {COLUMNS} Spalten")
        if dated is None:
            dated = stands(header)
        try:
            yield _record(doc, row, *dated)
        except ValueError as exc:
            raise ParseError(doc.url, f"Zeile {number}: {exc}") from exc


def _record(
    doc: RawDocument,
    row: Sequence[object],
    gebietsstand: date | None = None,
    einwohner_stand: date | None = None,
) -> Record:
    satzart = _cell(row[0])
    kennzeichen = _cell(row[1])
    parts = [_key_part(v, w) for v, w in zip(row[2:7], WIDTHS, strict=True)]
    name = _cell(row[7])
    if not name:
        raise ValueError("Gemeindename fehlt")
    if satzart in EBENE:
        # A Region (Satzart 30) numbers itself with one digit in the Kreis column.
        region = satzart == "30"
        key = parts[0] + parts[1] + _cell(row[4]) if region else "".join(parts[: KEY_PARTS[satzart]])
        return GebietRecord(
            key=key,
            ebene=EBENE[satzart],
            typ=TEXTKENNZEICHEN.get(kennzeichen, ""),
            name=name,
            source_url=doc.url,
            seen_at=doc.fetched_at,
        )
    if satzart != "60":
        raise ValueError(f"unbekannte Satzart {satzart!r}")
    land, rb, kreis, vb, gem = parts
    ags = land + rb + kreis + gem
    if len(ags) != 8 or not ags.isdigit():
        raise ValueError(f"AGS {ags!r} ist nicht achtstellig")
    verstaedterung = _int(row[18])
    return GemeindeRecord(
        ags=ags,
        name=name,
        kurzname=kurzname(name),
        textkennzeichen=kennzeichen,
        typ=TEXTKENNZEICHEN.get(kennzeichen, ""),
        verband_key=land + rb + kreis + vb,
        flaeche_km2=_float(row[8]),
        einwohner=_int(row[9]),
        maennlich=_int(row[10]),
        weiblich=_int(row[11]),
        plz=_key_part(row[13], 5),
        laengengrad=_float(row[14]),
        breitengrad=_float(row[15]),
        reisegebiet=_cell(row[17]),
        verstaedterung=verstaedterung,
        verstaedterung_label=_cell(row[19]),
        source_url=doc.url,
        seen_at=doc.fetched_at,
        gebietsstand=gebietsstand,
        einwohner_stand=einwohner_stand,
    )


def kurzname(name: str) -> str:
    """Shorten "Tübingen, Universitätsstadt" to "Tübingen": the part before the first comma."""
    return name.split(",", 1)[0].strip()


def parse_plz_rows(doc: RawDocument, rows: Iterable[list[str]]) -> Iterator[PlzRecord]:
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) < 4:
            raise ParseError(doc.url, f"Zeile {number}: {len(row)} statt 6 Spalten")
        ags, ort, plz = row[1].strip().zfill(8), row[2].strip(), row[3].strip().zfill(5)
        if not (ags.isdigit() and plz.isdigit()):
            raise ParseError(doc.url, f"Zeile {number}: AGS {ags!r} oder PLZ {plz!r} ungültig")
        yield PlzRecord(plz=plz, ags=ags, ort=ort, source_url=doc.url, seen_at=doc.fetched_at)
