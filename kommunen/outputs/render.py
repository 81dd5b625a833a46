"""Render rows of records as a readable table (rich), CSV or JSON.

A table fits the terminal: short cells never wrap, long text wraps at words, and when even that
does not fit, the columns a command names as optional are left out (and the table says so).
CSV is written for German Excel, as `export` writes it: UTF-8 with BOM, semicolons, German dates
and decimal commas, and a leading apostrophe on any cell a spreadsheet would run as a formula.
"""

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

from scrapers.cleaning import clean_text

BERLIN = ZoneInfo("Europe/Berlin")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LONG_TEXT = 24  # wider cells than this are long text: they wrap, shorter ones never do
MIN_LONG = 20  # the narrowest a long-text column gets before columns are left out
PIPE_WIDTH = 160  # a file or pipe has no width; don't squeeze into 80 columns


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


Column = tuple[str, str]  # (field name, German header)


def safe(value: str) -> str:
    """Text a spreadsheet keeps as text: "=HYPERLINK(…)" gets a leading apostrophe."""
    value = clean_text(value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def csv_cell(value: Any, *, german: bool = True) -> Any:
    """A cell as German Excel reads it: "18.12.2026 13:00" in German time, "95,8" (it reads
    "95.8" as a date). Not german (a comma-separated file for other tools): ISO, decimal point."""
    if not german and isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, datetime):
        local = value.astimezone(BERLIN) if value.tzinfo else value
        return local.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",") if german else value
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, list | tuple):
        return safe(", ".join(str(v) for v in value))
    return "" if value is None else value


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
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
    if isinstance(value, list | tuple):
        return clean_text(", ".join(str(v) for v in value))
    return clean_text(str(value))


def _is_record(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def render(
    rows: Sequence[Any],
    columns: Sequence[Column],
    fmt: Format,
    *,
    title: str | None = None,
    out: TextIO | None = None,
    optional: Sequence[str] = (),
) -> None:
    """`optional`: columns the table may leave out on a narrow terminal, the first first."""
    out = out or sys.stdout
    dicts = [dataclasses.asdict(r) if _is_record(r) else dict(r) for r in rows]
    if fmt is Format.json:
        json.dump([{k: _plain(v) for k, v in d.items()} for d in dicts], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt is Format.csv:
        out.write("\ufeff")  # BOM: German Excel reads the file as UTF-8
        writer = csv.writer(out, delimiter=";")
        writer.writerow([name for name, _ in columns])  # the keys, as in JSON: stable for scripts
        writer.writerows([csv_cell(d.get(name)) for name, _ in columns] for d in dicts)
    else:
        _table(dicts, columns, title, out, optional)


def _words(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(word) for word in text.split()), default=0)


def _widths(header: str, cells: list[str]) -> tuple[int, int, bool]:
    """(natural width, narrowest width, long text?) of one column."""
    from rich.cells import cell_len

    widest = max((cell_len(line) for c in cells for line in c.splitlines()), default=0)
    natural = max(widest, cell_len(header))
    if natural <= LONG_TEXT:  # short: never wrapped; a header of several words may wrap
        return natural, max(widest, _words(header)), False
    return natural, min(natural, max(MIN_LONG, _words(header))), True


def fit(measured: Sequence[tuple[int, int, bool]], width: int) -> list[int] | None:
    """Column widths that fit `width` (2 spaces between columns), or None if none do: each column
    at its narrowest, then what is left first to short columns (whole headers), then to long text."""
    available = width - 2 * (len(measured) - 1)
    naturals = [natural for natural, _, _ in measured]
    if sum(naturals) <= available:
        return naturals
    widths = [narrowest for _, narrowest, _ in measured]
    spare = available - sum(widths)
    if spare < 0:
        return None
    for long in (False, True):
        wanting = [i for i, (_, _, is_long) in enumerate(measured) if is_long is long]
        while spare > 0 and wanting:  # shared out evenly, none beyond its natural width
            share = max(1, spare // len(wanting))
            for i in list(wanting):
                more = min(share, naturals[i] - widths[i], spare)
                widths[i] += more
                spare -= more
                if widths[i] >= naturals[i]:
                    wanting.remove(i)
    return widths


def _console(out: TextIO):  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(file=out, soft_wrap=False)
    return console if console.is_terminal else Console(file=out, soft_wrap=False, width=PIPE_WIDTH)


def echo_wrapped(text: str, indent: int = 2, hanging: int = 5, out: TextIO | None = None) -> None:
    """A line of prose under a table, wrapped at words to the terminal's width."""
    import textwrap

    out = out or sys.stdout
    width = _console(out).width
    out.write(
        textwrap.fill(clean_text(text), width, initial_indent=" " * indent, subsequent_indent=" " * hanging)
        + "\n"
    )


def _table(
    dicts: list[dict[str, Any]],
    columns: Sequence[Column],
    title: str | None,
    out: TextIO,
    optional: Sequence[str],
) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = _console(out)
    cells = {name: [_cell(d.get(name)) for d in dicts] for name, _ in columns}
    numeric = {name: bool(dicts) and isinstance(dicts[0].get(name), int | float) for name, _ in columns}
    shown = list(columns)
    left_out: list[str] = []
    drop = [name for name in optional if name in cells]
    while True:
        measured = [_widths(header, cells[name]) for name, header in shown]
        widths = fit(measured, console.width)
        if widths is not None or len(shown) == 1:
            break
        name = drop.pop(0) if drop else shown[-1][0]  # then from the right: better than 3-letter pieces
        left_out += [header for n, header in shown if n == name]
        shown = [c for c in shown if c[0] != name]
    table = Table(
        title=Text(clean_text(title)) if title else None,
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for i, (name, header) in enumerate(shown):
        is_long = measured[i][2]
        table.add_column(
            Text(header),
            justify="right" if numeric[name] else "left",
            width=widths[i] if widths else None,  # short cells fit theirs: only long text wraps
            no_wrap=widths is None and not is_long,
            overflow="fold" if widths or is_long else "ellipsis",
        )
    for row in range(len(dicts)):
        table.add_row(*(Text(cells[name][row]) for name, _ in shown))  # Text: "[/x]" is no markup
    console.print(table)
    if left_out:
        console.print(Text(f"Ausgelassen: {', '.join(left_out)} – alle Spalten mit -f csv", "dim"))
