"""A table that needs no wrapping, written as rich writes it, without importing rich.

Importing rich and laying out one small table cost `kommunen similar` a quarter of its time. Where
every cell and header fits the width render.fit gives its column, and the title and the note on
left-out columns fit too, rich's table is only padding: `table` writes the same bytes (bold header
and dim note in a terminal; tests/test_similar_startup.py compares both). Anything else – a cell
to wrap, a terminal rich detects in its own way (FORCE_COLOR, TTY_COMPATIBLE, TERM=dumb, another
encoding) – returns False, and render.render draws the table with rich.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

from rich.cells import cell_len

from kommunen.outputs.render import PIPE_WIDTH, Column, _cell, _widths, fit
from scrapers.cleaning import clean_text

BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
RICH_OWN = ("FORCE_COLOR", "TTY_COMPATIBLE", "JUPYTER_COLUMNS")  # rich decides these itself


def terminal(out: TextIO) -> tuple[int, bool] | None:
    """(width, styled) as rich's Console sees `out`; None where rich's own rules apply."""
    if sys.platform == "win32" or any(name in os.environ for name in RICH_OWN):
        return None
    if (getattr(out, "encoding", "") or "").lower().replace("-", "") != "utf8":
        return None
    try:
        is_tty = out.isatty()
    except ValueError:  # closed
        return None
    if not is_tty:
        return PIPE_WIDTH, False
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns), True
    for fd in (0, 1, 2):  # rich asks stdin first
        try:
            return os.get_terminal_size(fd).columns or 80, True
        except (AttributeError, ValueError, OSError):
            continue
    return 80, True


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    title: str,
    optional: Sequence[str] = (),
    out: TextIO | None = None,
) -> bool:
    """render.render(rows, columns, Format.table, title=…, optional=…) where no cell needs wrapping;
    False (nothing written) where one would."""
    out = out or sys.stdout
    seen = terminal(out)
    if seen is None or not rows:
        return False
    width, styled = seen
    cells = {name: [_cell(row.get(name)) for row in rows] for name, _ in columns}
    right = {name: isinstance(rows[0].get(name), int | float) for name, _ in columns}
    shown, left_out = list(columns), []
    drop = [name for name in optional if name in cells]
    while (widths := fit([_widths(header, cells[name]) for name, header in shown], width)) is None:
        if len(shown) == 1:
            return False
        name = drop.pop(0) if drop else shown[-1][0]  # as render._table leaves columns out
        left_out += [header for n, header in shown if n == name]
        shown = [c for c in shown if c[0] != name]
    texts = [[header, *cells[name]] for name, header in shown]
    if any(cell_len(t) > w or "\n" in t for column, w in zip(texts, widths, strict=True) for t in column):
        return False
    total = sum(widths) + 2 * (len(widths) - 1)
    title = clean_text(title)
    note = f"Ausgelassen: {', '.join(left_out)} – alle Spalten mit -f csv" if left_out else ""
    if cell_len(title) > total or cell_len(note) > width:
        return False

    def line(row: int, style: str = "") -> str:
        parts = []
        for (name, _), column, w in zip(shown, texts, widths, strict=True):
            text = column[row]
            padding = " " * (w - cell_len(text))
            parts.append(padding + text if right[name] else text + padding)
        if not style:
            return "  ".join(parts)
        return f"{RESET}{style} {RESET} ".join(f"{style}{p}" for p in parts) + RESET

    lines = [title + " " * (total - cell_len(title)), line(0, BOLD if styled else ""), "─" * total]
    lines += [line(row) for row in range(1, len(rows) + 1)]
    if note:
        lines.append(f"{DIM}{note}{RESET}" if styled else note)
    out.write("\n".join(lines) + "\n")
    return True


def echo_wrapped(text: str, indent: int = 2, hanging: int = 5, out: TextIO | None = None) -> None:
    """render.echo_wrapped, with the width found without rich where rich's own rules do not apply."""
    from kommunen.outputs.render import echo_wrapped as with_rich

    out = out or sys.stdout
    seen = terminal(out)
    if seen is None:
        with_rich(text, indent, hanging, out)
        return
    wrapped = textwrap.fill(
        clean_text(text), seen[0], initial_indent=" " * indent, subsequent_indent=" " * hanging
    )
    out.write(wrapped + "\n")
