"""The lead workbook: one sheet per kind, one column per thing a person filters by.

A Kommune row says where it is, how big, why, and whom to write to; a tender row who buys, where,
what (CPV with its German name), at which stage, until when and for how much. Text cells are
guarded against formulas (render.safe); dates are German local time with a German format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kommunen.matching.lead import Lead
from kommunen.outputs.render import BERLIN, safe

KIND_SHEETS = {"tender": "Ausschreibungen", "funding": "Förderprogramme", "kommune": "Kommunen"}
DATE = "DD.MM.YYYY"
DATE_TIME = "DD.MM.YYYY HH:MM"
EURO = '#,##0 "€"'


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: int
    value: Callable[[Lead], Any]
    number_format: str = ""
    link: bool = False


def _local(moment: datetime | None) -> datetime | None:
    """Spreadsheets know no time zones: German local time."""
    return moment.astimezone(BERLIN).replace(tzinfo=None) if moment else None


def _last_fitting(lead: Lead) -> str:
    return lead.kommune.historie[0].sentence() if lead.kommune and lead.kommune.historie else ""


def _kommune(name: str) -> Callable[[Lead], Any]:
    return lambda lead: getattr(lead.kommune, name) if lead.kommune else None


def _tender(name: str) -> Callable[[Lead], Any]:
    return lambda lead: getattr(lead.tender, name) if lead.tender else None


POINTS = Column("Punkte", 8, lambda lead: round(lead.score * 100))
REASON = Column("Warum", 70, lambda lead: lead.excluded or lead.reason)
SEEN = Column("Seit", 11, lambda lead: _local(lead.first_seen), DATE)
LINK = Column("Link", 40, lambda lead: lead.url, link=True)
ID = Column("ID", 30, lambda lead: lead.lead_id)

SHEETS: dict[str, tuple[Column, ...]] = {
    "tender": (
        POINTS,
        Column("Titel", 60, lambda lead: lead.title),
        Column("Auftraggeber", 40, _tender("buyer")),
        Column("Ort", 18, _tender("ort")),
        Column("CPV", 40, _tender("cpv")),
        Column("Stufe", 14, _tender("stufe")),
        Column("Frist", 17, lambda lead: _local(lead.deadline), DATE_TIME),
        Column("Wert", 14, _tender("wert"), EURO),
        REASON,
        SEEN,
        LINK,
        ID,
    ),
    "funding": (POINTS, Column("Titel", 60, lambda lead: lead.title), REASON, SEEN, LINK, ID),
    "kommune": (
        Column("Name", 30, _kommune("name")),
        Column("Art", 10, _kommune("art")),
        Column("Kreis", 24, _kommune("kreis")),
        Column("Land", 20, _kommune("land")),
        Column("Einwohner", 11, _kommune("einwohner"), "#,##0"),
        Column("AGS", 10, lambda lead: lead.ref),
        POINTS,
        REASON,
        Column("Ansprechstelle", 36, _kommune("ansprechstelle")),
        Column("Adresse", 36, _kommune("adresse")),
        Column("Fachbereich", 36, lambda lead: "; ".join(lead.kommune.fachbereiche) if lead.kommune else ""),
        Column("letzte passende Ausschreibung", 60, _last_fitting),
        Column("Website", 30, _kommune("website"), link=True),
        SEEN,
        ID,
    ),
}


def _cell(value: Any) -> Any:
    return safe(value) if isinstance(value, str) else value


def write_xlsx(leads: Sequence[Lead], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for kind, title in KIND_SHEETS.items():
        sheet = book.create_sheet(title)
        columns = SHEETS[kind]
        sheet.append([c.header for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for lead in (x for x in leads if x.kind == kind):
            values = [c.value(lead) for c in columns]
            sheet.append([_cell(v) for v in values])
            row = sheet.max_row
            for number, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
                if column.number_format and value is not None:
                    sheet.cell(row, number).number_format = column.number_format
                if column.link and isinstance(value, str) and value.startswith(("http://", "https://")):
                    sheet.cell(row, number).hyperlink = value
                    sheet.cell(row, number).style = "Hyperlink"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for number, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = column.width
    book.save(path)
