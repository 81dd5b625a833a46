"""Destatis Gebietsänderungen: which Gemeinde went into which, and since when.

Quelle   https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/
         Namens-Grenz-Aenderung/ (XLSX je Jahr oder Zeitraum, Blatt "Gebietsaenderungen")
Format   eine Zeile je abgebende → aufnehmende Einheit: Kennziffer, Regionaleinheit (Gemeinde /
         Gemeindeverband), ARS, AGS, Name, Änderungsart (1 Auflösung, 2 Teilausgliederung,
         3 Schlüsseländerung, 4 Namensänderung), Fläche m², Einwohner, aufnehmende ARS/AGS/Name,
         juristisches und statistisches Wirksamkeitsdatum ("01.01.2024")
Caveats  Zahlen teils als Text ('2'), teils als Zahl (2); eine aufgeteilte Gemeinde hat mehrere
         Zeilen (Rodeberg → Dingelstädt und Mühlhausen); Fußnoten unter den Daten
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from scrapers.errors import ParseError

AUFLOESUNG, TEILAUSGLIEDERUNG, SCHLUESSELAENDERUNG, NAMENSAENDERUNG = 1, 2, 3, 4
SHEET = "Gebietsaenderungen"


@dataclass(frozen=True, slots=True)
class AenderungRecord:
    """One row for a Gemeinde: `alt_ags` gave (all or part of) itself to `neu_ags`."""

    kennziffer: str  # "16/2024/0015-R"
    art: int  # AUFLOESUNG … NAMENSAENDERUNG
    alt_ags: str
    alt_name: str
    neu_ags: str
    neu_name: str
    einwohner: int  # the inhabitants who moved with the area (0 for a name change)
    flaeche_m2: int
    wirksam: date  # statistisch wirksam: from this day the directory counts it so
    source_url: str


def parse(url: str, body: bytes) -> Iterator[AenderungRecord]:
    """The Gemeinde rows of one Gebietsänderungen file; Gemeindeverband rows are left out."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise ParseError(url, f"keine lesbare XLSX-Datei ({exc})") from exc
    try:
        if SHEET not in book.sheetnames:
            raise ParseError(url, f"Tabellenblatt {SHEET!r} fehlt")
        for number, row in enumerate(book[SHEET].iter_rows(max_col=13, values_only=True), start=1):
            if len(row) < 13 or _text(row[1]) != "Gemeinde":
                continue
            try:
                yield _record(url, row)
            except ValueError as exc:
                raise ParseError(url, f"Zeile {number}: {exc}") from exc
    finally:
        book.close()


def _record(url: str, row: tuple[object, ...]) -> AenderungRecord:
    alt, neu = _text(row[3]), _text(row[9])
    if not (len(alt) == 8 and alt.isdigit() and len(neu) == 8 and neu.isdigit()):
        raise ValueError(f"AGS {alt!r} → {neu!r} ist nicht achtstellig")
    art = int(_text(row[5]))
    if art not in (AUFLOESUNG, TEILAUSGLIEDERUNG, SCHLUESSELAENDERUNG, NAMENSAENDERUNG):
        raise ValueError(f"unbekannte Änderungsart {art}")
    return AenderungRecord(
        kennziffer=_text(row[0]),
        art=art,
        alt_ags=alt,
        alt_name=_text(row[4]),
        neu_ags=neu,
        neu_name=_text(row[10]),
        einwohner=int(_text(row[7]) or 0),
        flaeche_m2=int(_text(row[6]) or 0),
        wirksam=_day(row[12] or row[11]),
        source_url=url,
    )


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    return datetime.strptime(_text(value), "%d.%m.%Y").date()  # noqa: DTZ007 - a day, no time


def successors(records: list[AenderungRecord]) -> dict[str, AenderungRecord]:
    """Each Gemeinde that is gone (dissolved, or renumbered) → the row that says where it went: of
    several receivers the one that took the most inhabitants, then the most area."""
    best: dict[str, AenderungRecord] = {}
    for r in records:
        if r.art not in (AUFLOESUNG, SCHLUESSELAENDERUNG) or r.alt_ags == r.neu_ags:
            continue
        known = best.get(r.alt_ags)
        if known is None or (r.einwohner, r.flaeche_m2) > (known.einwohner, known.flaeche_m2):
            best[r.alt_ags] = r
    return best
