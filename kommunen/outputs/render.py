"""Render rows of records as a readable table (rich), CSV or JSON."""

from __future__ import annotations

import csv
import dataclasses
import enum
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


Column = tuple[str, str]  # (field name, German header)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)


def _is_record(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def render(
    rows: Sequence[Any],
    columns: Sequence[Column],
    fmt: Format,
    *,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    out = out or sys.stdout
    dicts = [dataclasses.asdict(r) if _is_record(r) else dict(r) for r in rows]
    if fmt is Format.json:
        json.dump([{k: _plain(v) for k, v in d.items()} for d in dicts], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.csv:
        writer = csv.DictWriter(out, fieldnames=[c for c, _ in columns], extrasaction="ignore")
        writer.writeheader()
        writer.writerows([{k: _plain(v) for k, v in d.items()} for d in dicts])
    else:
        from rich import box
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, box=box.SIMPLE_HEAD, header_style="bold", title_justify="left")
        for name, header in columns:
            numeric = bool(dicts) and isinstance(dicts[0].get(name), int | float)
            table.add_column(header, justify="right" if numeric else "left", no_wrap=numeric, overflow="fold")
        for d in dicts:
            table.add_row(*(_cell(d.get(name)) for name, _ in columns))
        console = Console(file=out, soft_wrap=False)
        if not console.is_terminal:  # a file or pipe has no width; don't squeeze into 80 columns
            console = Console(file=out, soft_wrap=False, width=160)
        console.print(table)
