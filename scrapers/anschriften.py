"""Anschriften der Gemeinde- und Stadtverwaltungen (Statistische Ämter): where each Kreis sits and
which administration serves each Gemeinde.

Quelle   https://www.statistikportal.de (Anschriftenverzeichnis, jährlich, XLSX)
Format   Blatt "Anschriften_31_01_YYYY", Daten ab Zeile 9: Land, Landname, Satzart (40 Kreis,
         50 Gemeindeverband, 60 Gemeinde), Textkennzeichen, Bezeichnung, ARS, AGS, Name,
         Verwaltungssitz, Straße, PLZ, Ort, …; a Gemeinde row names in Verwaltungssitz the office
         that serves it (its own, or its Amt/Verbandsgemeinde/VG) with that office's address
Caveats  the Gemeindeverzeichnis' Kreis rows carry no seat, so this file gives it; Straße is
         sometimes empty or a Postfach; Ort may carry a suffix ("Saarbrücken, Landeshauptstadt");
         954 Gemeinden (BW, BY, SN, TH) have two rows, their Verband's and their own: they keep
         their own Rathaus, so that row wins
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from scrapers.errors import ParseError

SHEET_PREFIX = "Anschriften_"
KREIS, VERBAND, GEMEINDE = "40", "50", "60"


@dataclass(frozen=True, slots=True)
class KreisSitz:
    key: str  # Kreis, 5 digits
    sitz: str  # the town of the Kreisverwaltung: "Tübingen", "Elmshorn"
    anschrift: str  # "Landratsamt Tübingen, Wilhelm-Keil-Straße 50, 72072 Tübingen"


@dataclass(frozen=True, slots=True)
class VerwaltungRecord:
    """The administration to write to for one Gemeinde (AGS, 8 digits) or Kreis (5 digits)."""

    key: str
    name: str  # "Amt Schenkenländchen", "Landratsamt Calw", "Stadtverwaltung Ahlen"
    anschrift: str  # "Markt 9, 15755 Teupitz"
    verband_key: str  # the serving Gemeindeverband's 9-digit key, "" when the Gemeinde serves itself
    source_url: str


def _rows(url: str, body: bytes) -> Iterator[tuple[int, tuple[object, ...]]]:
    """The numbered rows of the year's address sheet, whatever year its name carries."""
    yield from _sheet(url, body)


@lru_cache(maxsize=1)
def _sheet(url: str, body: bytes) -> tuple[tuple[int, tuple[object, ...]], ...]:
    """Read once per file: reading takes 8 s, and the Kreis seats and the Verwaltungen both need it."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise ParseError(url, f"keine lesbare XLSX-Datei ({exc})") from exc
    try:
        sheet = next((n for n in book.sheetnames if n.startswith(SHEET_PREFIX)), None)
        if sheet is None:
            raise ParseError(url, f"kein Tabellenblatt {SHEET_PREFIX}…")
        rows = enumerate(book[sheet].iter_rows(max_col=12, values_only=True), start=1)
        return tuple((number, row) for number, row in rows if len(row) >= 12)
    finally:
        book.close()


def kreis_sitze(url: str, body: bytes) -> list[KreisSitz]:
    """The seat of every Kreis (Satzart 40) in the file."""
    found = []
    for number, row in _rows(url, body):
        if _text(row[2]) != KREIS:
            continue
        key, ort = _text(row[5]), _text(row[11])
        if len(key) != 5 or not key.isdigit() or not ort:
            raise ParseError(url, f"Zeile {number}: Kreis {key!r} ohne Schlüssel oder Ort")
        place = " ".join(p for p in (_text(row[10]), ort) if p)
        anschrift = ", ".join(p for p in (_text(row[8]), _text(row[9]), place) if p)
        found.append(KreisSitz(key, ort.split(",", 1)[0].strip(), anschrift))
    return found


def verwaltungen(url: str, body: bytes) -> list[VerwaltungRecord]:
    """Every Kreis's administration and, for every Gemeinde, the one that serves it: the office in
    its Verwaltungssitz column. A Gemeinde listed twice keeps the row of its own administration."""
    verband_sitz: dict[str, str] = {}  # Verband ARS (9) → its Verwaltungssitz
    found: dict[str, VerwaltungRecord] = {}
    for number, row in _rows(url, body):
        satzart, ars, sitz = _text(row[2]), _text(row[5]), _text(row[8])
        if satzart == VERBAND:
            verband_sitz[ars] = sitz
            continue
        if satzart not in (KREIS, GEMEINDE):
            continue
        key = ars if satzart == KREIS else _text(row[6])
        if len(key) != (5 if satzart == KREIS else 8) or not key.isdigit() or not sitz:
            raise ParseError(url, f"Zeile {number}: {key!r} ohne Schlüssel oder Verwaltungssitz")
        place = " ".join(p for p in (_text(row[10]), _text(row[11])) if p)
        served = satzart == GEMEINDE and verband_sitz.get(ars[:9]) == sitz
        record = VerwaltungRecord(
            key=key,
            name=sitz,
            anschrift=", ".join(p for p in (_text(row[9]), place) if p),
            verband_key=ars[:9] if served else "",
            source_url=url,
        )
        if key not in found or not served:
            found[key] = record
    return list(found.values())


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
