"""Tables in a real terminal of 80 columns: short cells whole, long text wrapped at words, the
columns that do not fit left out and named."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.outputs.render import Format, render
from tests.recorded import SHARED

runner = CliRunner()
PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/integration.toml"
STYLE = re.compile(r"\x1b\[[0-9;]*m")  # rich's bold header in a colour terminal


def in_terminal(*args: str, columns: int = 80) -> list[str]:
    """What `kommunen <args>` shows in a pseudo-terminal of `columns` × 24."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"TERM": "xterm"}
    command = [sys.executable, "-c", "from kommunen.cli import main; main()", *args]
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, shown.decode()
    return STYLE.sub("", shown.decode()).replace("\r\n", "\n").splitlines()


@pytest.fixture
def imported() -> None:
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0


@pytest.mark.usefixtures("imported")
def test_similar_fits_80_columns() -> None:
    lines = in_terminal("similar", "Tübingen", "-k", "4")
    assert max(cell_len(line) for line in lines) <= 80
    header = ["#", "Kommune", "Land", "Einwohner", "km", "Ähnlichkeit", "Größter", "Unterschied"]
    assert lines[1].split() == header
    assert lines[3].split() == ["1", "Konstanz", "BW", "85.770", "96", "92%", "Dichte"]  # 2024 directory
    assert lines[4].split() == ["2", "Reutlingen", "BW", "118.528", "12", "91%", "Einwohnerzahl"]
    assert "Ausgelassen: AGS/Kreis, Typ, Kreis, Einw./km² – alle Spalten mit -f csv" in lines
    assert lines[-6:-3] == [
        "  2. Reutlingen: 118.528 Einw. (Ref. Tübingen 93.615) · 1.362/km² (Ref. 866) ·",
        "     gleicher Typ (große Kreisstadt) · 12 km von Tübingen · im Nachbarkreis von",
        "     Tübingen · größter Unterschied: Einwohnerzahl",
    ]


@pytest.mark.usefixtures("imported")
def test_a_wide_terminal_shows_every_column() -> None:
    lines = in_terminal("similar", "Tübingen", "-k", "2", columns=160)
    assert lines[1].split()[:5] == ["#", "Kommune", "AGS/Kreis", "Kreis", "Land"]
    assert lines[3].split()[:4] == ["1", "Konstanz", "08335043", "Konstanz"]
    assert not any(line.startswith("Ausgelassen") for line in lines)


@pytest.mark.usefixtures("imported")
def test_leads_and_sources_fit_80_columns() -> None:
    assert runner.invoke(app, ["import-notices", str(SHARED / "tenders/eforms")]).exit_code in (0, 3)
    leads = in_terminal("leads", "--profile", str(PROFILE), "--kind", "kommune", "--limit", "3")
    assert max(cell_len(line) for line in leads) <= 80
    assert leads[1].split() == ["Punkte", "Seit", "Art", "Titel", "Warum"]
    assert leads[3].split()[:2] == ["46", "neu"]
    assert leads[3].split()[3:5] == ["Landkreis", "Reutlingen"]  # words whole, not pieces
    sources = in_terminal("sources")
    assert max(cell_len(line) for line in sources) <= 80
    assert sources[0].split() == ["Quelle", "Letzter", "Lauf", "Status", "Neu", "Geändert", "Fehler"]
    eforms = next(line for line in sources if line.startswith("eforms "))
    assert eforms.split()[-3] == "79"  # new; then changed and errors, whole numbers under their headers
    assert all(cell.isdigit() for cell in eforms.split()[-2:])


def test_fit_gives_short_columns_their_width_and_long_text_the_rest() -> None:
    from kommunen.outputs.render import fit

    # (natural, narrowest, long): a 10-wide date, a header of two words, two long texts
    measured = [(10, 10, False), (19, 13, False), (120, 20, True), (60, 20, True)]
    assert fit(measured, 215) == [10, 19, 120, 60]
    assert fit(measured, 200) == [10, 19, 105, 60]  # the longest text gives way
    assert fit(measured, 80) == [10, 19, 23, 22]
    assert fit(measured, 70) == [10, 14, 20, 20]  # the header wraps before long text gets narrower
    assert fit(measured, 68) is None


def test_cells_are_text_not_markup() -> None:
    out = io.StringIO()
    render([{"t": "Leistungen [/b] und [bold]Los 2[/bold]"}], [("t", "Titel")], Format.table, out=out)
    assert "Leistungen [/b] und [bold]Los 2[/bold]" in out.getvalue()  # not a MarkupError, not bold
