"""Anschriften der Gemeinde- und Stadtverwaltungen (Statistische Ämter): where each Kreis sits.

Quelle   https://www.statistikportal.de (Anschriftenverzeichnis, jährlich, XLSX)
Format   Blatt "Anschriften_31_01_YYYY", Daten ab Zeile 9: Land, Landname, Satzart (40 = Kreis),
         Textkennzeichen, Bezeichnung, ARS, AGS, Name, Verwaltungssitz, Straße, PLZ, Ort, …
Caveats  the Gemeindeverzeichnis' Kreis rows carry no seat, so this file gives it; Straße is
         sometimes empty or a Postfach; Ort may carry a suffix ("Saarbrücken, Landeshauptstadt")
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from scrapers.errors import ParseError

SHEET_PREFIX = "Anschriften_"


@dataclass(frozen=True, slots=True)
class KreisSitz:
    key: str  # Kreis, 5 digits
    sitz: str  # the town of the Kreisverwaltung: "Tübingen", "Elmshorn"
    anschrift: str  # "Landratsamt Tübingen, Wilhelm-Keil-Straße 50, 72072 Tübingen"


def kreis_sitze(url: str, body: bytes) -> list[KreisSitz]:
    """The seat of every Kreis (Satzart 40) in the file."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise ParseError(url, f"keine lesbare XLSX-Datei ({exc})") from exc
    try:
        sheet = next((n for n in book.sheetnames if n.startswith(SHEET_PREFIX)), None)
        if sheet is None:
            raise ParseError(url, f"kein Tabellenblatt {SHEET_PREFIX}…")
        found = []
        for number, row in enumerate(book[sheet].iter_rows(max_col=12, values_only=True), start=1):
            if len(row) < 12 or _text(row[2]) != "40":
                continue
            key, ort = _text(row[5]), _text(row[11])
            if len(key) != 5 or not key.isdigit() or not ort:
                raise ParseError(url, f"Zeile {number}: Kreis {key!r} ohne Schlüssel oder Ort")
            place = " ".join(p for p in (_text(row[10]), ort) if p)
            anschrift = ", ".join(p for p in (_text(row[8]), _text(row[9]), place) if p)
            found.append(KreisSitz(key, ort.split(",", 1)[0].strip(), anschrift))
        return found
    finally:
        book.close()


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
