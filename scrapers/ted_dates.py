"""Dates of TED_EXPORT notices: the publication day ("20200102"), the planned date of a PIN
and the submission deadline, which German buyers give in local time.

The deadline sits in one of three places: the 2014 forms' PROCEDURE (DATE and TIME apart), the
defence forms' RECEIPT_LIMIT_DATE (YEAR, MONTH, DAY, TIME) or CODIF_DATA's DT_DATE_FOR_SUBMISSION
("20200204 10:00").
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lxml import etree

from scrapers.ted_xml import Kids, Node, Notice

BERLIN = ZoneInfo("Europe/Berlin")  # German notices give local times


def yyyymmdd(value: str) -> date | None:
    return date(int(value[:4]), int(value[4:6]), int(value[6:8])) if len(value) >= 8 else None


def iso_date(value: str) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def submission_deadline(
    n: Notice, form: etree._Element, procedure_k: Kids, codif: Node, country: str, defence: bool
) -> datetime | None:
    """The form's DATE/TIME_RECEIPT_TENDERS, the defence forms' RECEIPT_LIMIT_DATE, or CODIF's
    DT_DATE_FOR_SUBMISSION; local German time for German buyers."""
    zone = BERLIN if country in ("DE", "") else ZoneInfo("UTC")
    day = n.leaf(procedure_k.get("DATE_RECEIPT_TENDERS"))
    clock = n.leaf(procedure_k.get("TIME_RECEIPT_TENDERS"))
    if day:
        return _at(date.fromisoformat(day[:10]), clock, zone)
    limit = n.first(form, ".//t:RECEIPT_LIMIT_DATE") if defence else None
    if limit is not None:
        parts = [n.text(limit, f"t:{p}") for p in ("YEAR", "MONTH", "DAY")]
        if all(parts):
            return _at(date(*map(int, parts)), n.text(limit, "t:TIME"), zone)
    coded = n.text(codif, "t:DT_DATE_FOR_SUBMISSION")
    if coded[:8].isdigit():
        return _at(yyyymmdd(coded) or date.min, coded[9:], zone)
    return None


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    clock = clock.strip()
    at = time.fromisoformat(clock if len(clock) != 4 else f"0{clock}") if clock else time(23, 59, 59)
    return datetime.combine(day, at, tzinfo=zone)
