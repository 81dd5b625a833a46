"""Ranked leads to XLSX, CSV, JSON and ICS, safe to open in a spreadsheet.

Every text cell that a spreadsheet would read as a formula (= + - @, tab, carriage return at
the start) gets a leading apostrophe: a notice titled "=HYPERLINK(...)" stays text.
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
from kommunen.outputs.render import BERLIN

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KIND_SHEETS = {"tender": "Ausschreibungen", "funding": "Förderprogramme", "kommune": "Kommunen"}
HEADER = ("Punkte", "Art", "Titel", "Warum", "Frist", "Seit", "Link", "ID")  # Seit: first seen


def safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _local(moment: datetime) -> datetime:
    """Spreadsheets know no time zones: write the deadline as German local time."""
    return moment.astimezone(BERLIN).replace(tzinfo=None)


def _row(lead: Lead) -> list[Any]:
    return [
        round(lead.score * 100),
        lead.kind,
        lead.title,
        lead.reason,
        lead.deadline,
        lead.first_seen,
        lead.url,
        lead.lead_id,
    ]


def write_csv(leads: Sequence[Lead], path: Path, delimiter: str = ";") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: German Excel reads UTF-8
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(HEADER)
        for lead in leads:
            writer.writerow([_csv_cell(v) for v in _row(lead)])


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return safe(value)
    return "" if value is None else value


def write_json(leads: Sequence[Lead], path: Path) -> None:
    data = [
        {
            "id": lead.lead_id,
            "art": lead.kind,
            "punkte": round(lead.score * 100),
            "titel": lead.title,
            "warum": lead.reason,
            "frist": lead.deadline.isoformat() if lead.deadline else None,
            "seit": lead.first_seen.isoformat() if lead.first_seen else None,
            "url": lead.url,
            "komponenten": [
                {"name": c.name, "wert": round(c.value, 3), "beleg": c.evidence} for c in lead.components
            ],
        }
        for lead in leads
    ]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def write_xlsx(leads: Sequence[Lead], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for kind, title in KIND_SHEETS.items():
        sheet = book.create_sheet(title)
        sheet.append(HEADER)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for lead in (x for x in leads if x.kind == kind):
            points, art, name, reason, deadline, seen, url, lead_id = _row(lead)
            sheet.append(
                [
                    points,
                    art,
                    safe(name),
                    safe(reason),
                    _local(deadline) if deadline else None,
                    _local(seen) if seen else None,
                    safe(url),
                    safe(lead_id),
                ]
            )
            row = sheet.max_row
            if url.startswith(("http://", "https://")):
                sheet.cell(row, 7).hyperlink = url
                sheet.cell(row, 7).style = "Hyperlink"
            if deadline:
                sheet.cell(row, 5).number_format = "DD.MM.YYYY HH:MM"
            if seen:
                sheet.cell(row, 6).number_format = "DD.MM.YYYY"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for letter, width in zip("ABCDEFGH", (8, 10, 60, 70, 17, 11, 40, 30), strict=True):
            sheet.column_dimensions[letter].width = width
    book.save(path)


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def write_ics(leads: Sequence[Lead], path: Path, now: datetime) -> None:
    """One all-day event per tender deadline (RFC 5545: UID and DTSTAMP on every VEVENT)."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kommunen//Leads//DE", "CALSCALE:GREGORIAN"]
    for lead in leads:
        if lead.deadline is None:
            continue
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
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def export(leads: Sequence[Lead], path: Path, now: datetime, delimiter: str = ";") -> None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(leads, path)
    elif suffix == ".csv":
        write_csv(leads, path, delimiter)
    elif suffix == ".json":
        write_json(leads, path)
    elif suffix == ".ics":
        write_ics(leads, path, now)
    else:
        raise ConfigError(f"{path}: unbekanntes Format {suffix!r}; möglich: .xlsx, .csv, .json, .ics")
