"""Ranked leads to XLSX, CSV, JSON and ICS, safe to open in a spreadsheet.

Every text cell that a spreadsheet would read as a formula (= + - @, tab, carriage return at
the start) gets a leading apostrophe: a notice titled "=HYPERLINK(...)" stays text. Control
characters are dropped from every text (openpyxl refuses a workbook with one NUL in it).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from kommunen.errors import ConfigError
from kommunen.matching.lead import Lead
from kommunen.outputs.render import BERLIN, csv_cell
from kommunen.outputs.xlsx import write_xlsx
from scrapers.cleaning import clean_text

HEADER = ("Punkte", "Art", "Titel", "Warum", "Frist", "Seit", "Link", "ID")  # Seit: first seen


def _local(moment: datetime) -> datetime:
    """Spreadsheets know no time zones: write the deadline as German local time."""
    return moment.astimezone(BERLIN).replace(tzinfo=None)


def _row(lead: Lead) -> list[Any]:
    return [
        round(lead.score * 100),
        lead.kind,
        clean_text(lead.title),
        clean_text(lead.reason),
        lead.deadline,
        lead.first_seen,
        clean_text(lead.url),
        clean_text(lead.lead_id),
    ]


def write_csv(leads: Sequence[Lead], path: Path, delimiter: str = ";") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: German Excel reads UTF-8
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(HEADER)
        for lead in leads:
            writer.writerow([csv_cell(v, german=delimiter == ";") for v in _row(lead)])


def write_json(leads: Sequence[Lead], path: Path) -> None:
    data = [
        {
            "id": clean_text(lead.lead_id),
            "art": lead.kind,
            "punkte": round(lead.score * 100),
            "titel": clean_text(lead.title),
            "warum": clean_text(lead.reason),
            "frist": lead.deadline.isoformat() if lead.deadline else None,
            "seit": lead.first_seen.isoformat() if lead.first_seen else None,
            "url": clean_text(lead.url),
            "komponenten": [
                {"name": c.name, "wert": round(c.value, 3), "beleg": clean_text(c.evidence)}
                for c in lead.components
            ],
        }
        for lead in leads
    ]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


ICS_LINE = 75  # octets per line, the line break not counted (RFC 5545, 3.1)


def _ics_text(value: str) -> str:
    return (
        clean_text(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def fold(line: str) -> str:
    """A content line cut into lines of at most 75 octets, each further one starting with a space;
    never inside a UTF-8 sequence, so "Förderung" stays whole."""
    if len(line.encode()) <= ICS_LINE:
        return line
    pieces: list[str] = []
    piece: list[str] = []
    size, room = 0, ICS_LINE
    for char in line:
        octets = len(char.encode())
        if size + octets > room:
            pieces.append("".join(piece))
            piece, size, room = [], 0, ICS_LINE - 1  # the leading space counts
        piece.append(char)
        size += octets
    pieces.append("".join(piece))
    return "\r\n ".join(pieces)


def write_ics(leads: Sequence[Lead], path: Path, now: datetime) -> int:
    """One all-day event per tender deadline (RFC 5545: UID and DTSTAMP on every VEVENT); returns
    how many events were written: a lead without a deadline has none."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kommunen//Leads//DE", "CALSCALE:GREGORIAN"]
    events = 0
    for lead in leads:
        if lead.deadline is None:
            continue
        events += 1
        lines += [
            "BEGIN:VEVENT",
            f"UID:{hashlib.sha1(lead.lead_id.encode()).hexdigest()[:20]}@kommunen",  # noqa: S324 - an id, not security
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_local(lead.deadline):%Y%m%d}",  # the German calendar day
            f"SUMMARY:{_ics_text('Frist: ' + lead.title)}",
            f"DESCRIPTION:{_ics_text(lead.reason + ' ' + lead.url)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    path.write_text("".join(fold(line) + "\r\n" for line in lines), encoding="utf-8", newline="")
    return events


def export(leads: Sequence[Lead], path: Path, now: datetime, delimiter: str = ";") -> int:
    """Write the file its suffix names; returns how many leads it holds (ICS: how many events)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(leads, path)
    elif suffix == ".csv":
        write_csv(leads, path, delimiter)
    elif suffix == ".json":
        write_json(leads, path)
    elif suffix == ".ics":
        return write_ics(leads, path, now)
    else:
        raise ConfigError(f"{path}: unbekanntes Format {suffix!r}; möglich: .xlsx, .csv, .json, .ics")
    return len(leads)
