"""Typer's own words in German: every --help, every usage error; German kinds and statuses in tables."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.cli.german import readable, translate
from tests.recorded import SHARED

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # one message, one line: rich wraps at the terminal's width
ENGLISH = (
    "Usage",
    "Options",
    "Commands",
    "Arguments",
    "Show this message",
    "[default:",
    "[required]",
    "<bool>",
    "<int>",
    "<str>",
    "<path>",
    "<float>",
    "list[",
    "[OPTIONS]",
    "COMMAND",
    "[ARGS]",
)


def command_paths() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


def test_every_help_is_german() -> None:
    paths = command_paths()
    assert ["profile", "check"] in paths
    assert len(paths) > 20
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env=WIDE)
        assert result.exit_code == 0, path
        assert f"Aufruf: kommunen {' '.join(path)}".replace("  ", " ").rstrip() in result.output.replace(
            "root", "kommunen"
        ), path
        assert "Diese Hilfe zeigen und beenden." in result.output, path
        assert [word for word in ENGLISH if word in result.output] == [], path


def test_help_shows_german_types_defaults_and_panels() -> None:
    result = runner.invoke(app, ["leads", "--help"], env=WIDE).output
    assert "Aufruf: root leads [OPTIONEN]" in result
    assert "─ Optionen ─" in result
    assert "--limit            <Zahl>" in result
    assert "<Pfad>" in result
    assert "Höchstens so viele. [Vorgabe: 30]" in result
    assert "[Pflicht]" in result
    assert "--alle  " in result  # a flag takes no value: no type shown
    similar = runner.invoke(app, ["similar", "--help"], env=WIDE).output
    assert "─ Argumente ─" in similar
    assert "REFERENZ      <Text>..." in similar
    top = runner.invoke(app, ["--help"], env=WIDE).output
    assert "Aufruf: root [OPTIONEN] BEFEHL [ARGUMENTE]..." in top
    assert "─ Befehle ─" in top


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "Unbekannte Option: --bogus"),
        (["leads", "--limt", "3"], "Unbekannte Option: --limt – meinten Sie --limit?"),
        (["lead"], "Unbekannter Befehl 'lead'. Meinten Sie 'leads'?"),
        (["profile", "chek"], "Unbekannter Befehl 'chek'. Meinten Sie 'check'?"),
        (["similar"], "Argument 'REFERENZ' fehlt."),
        (["leads"], "Option '--profile' / '-p' fehlt."),
        (["leads", "-p", "x.toml", "--limit"], "Option '--limit' braucht einen Wert."),
        (
            ["leads", "-p", "x.toml", "--limit", "viele"],
            "Ungültiger Wert für '--limit': erwartet wird eine ganze Zahl",
        ),
        (["similar", "Ulm", "--within", "weit"], "Ungültiger Wert für '--within': erwartet wird eine Zahl"),
        (
            ["evaluate", "-p", "x", "-l", "y", "--k", "0"],
            "Ungültiger Wert für '--k' / '-k': muss mindestens 1 sein",
        ),
        (
            ["leads", "-p", "x.toml", "-f", "xml"],
            "Ungültiger Wert für '--format' / '-f': 'xml' ist nicht erlaubt; "
            "erlaubt: 'table', 'csv', 'json'.",
        ),
        (["leads", "-p", "x.toml", "zuviel"], "Unerwartete zusätzliche Angabe(n): zuviel"),
    ],
)
def test_usage_errors_are_german(args: list[str], message: str) -> None:
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 2
    assert message in result.output
    assert "─ Fehler ─" in result.output
    assert [
        word for word in ("Error", "Try '", "Usage", "No such", "Missing", "Invalid") if word in result.output
    ] == []


def test_the_installed_command_speaks_german(tmp_path: Path) -> None:
    """The real entry point in a real process: what a person at a terminal sees."""
    command = shutil.which("kommunen", path=str(Path(sys.executable).parent))
    assert command is not None
    env = {"PATH": "/usr/bin:/bin", "KOMMUNEN_HOME": str(tmp_path), "COLUMNS": "200", "HOME": str(tmp_path)}
    done = subprocess.run([command, "leads", "--bogus"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "Aufruf: kommunen leads [OPTIONEN]" in done.stderr
    assert "Hilfe: kommunen leads --help" in done.stderr
    assert "Unbekannte Option: --bogus" in done.stderr
    helped = subprocess.run([command, "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.returncode == 0
    assert "Aufruf: kommunen [OPTIONEN] BEFEHL [ARGUMENTE]..." in helped.stdout


def test_translations_nest_and_leave_german_alone() -> None:
    assert translate("Invalid value for '--k': Input should be less than or equal to 9") == (
        "Ungültiger Wert für '--k': darf höchstens 9 sein"
    )
    assert (
        translate("Missing option '--to'. Choose from:\n\ta,\n\tb")
        == "Option '--to' fehlt. Erlaubt:\n\ta,\n\tb"
    )
    assert translate("Keine Gemeinde 'X' gefunden.") == "Keine Gemeinde 'X' gefunden."


def test_kinds_and_statuses_german_in_tables_stable_in_json(tmp_path: Path) -> None:
    assert [readable(v) for v in ("tender", "funding", "kommune", "ok", "partial", "failed")] == [
        "Ausschreibung",
        "Förderprogramm",
        "Kommune",
        "ok",
        "teilweise",
        "fehlgeschlagen",
    ]
    notices = tmp_path / "notices"
    notices.mkdir()
    for name in ("pin-cfc_25.xml", "INVALID_cn_24_empty.xml"):
        shutil.copy(SHARED / "tenders/eforms" / name, notices / name)
    imported = runner.invoke(app, ["import-notices", str(notices)], env=WIDE)
    assert "eforms               teilweise     2 Dokumente  neu     1" in imported.output

    table = runner.invoke(app, ["sources"], env=WIDE).output
    eforms = next(line for line in table.splitlines() if line.strip().startswith("eforms "))
    assert "Ausschreibung" in eforms
    assert "teilweise" in eforms
    assert "Förderprogramm" in next(line for line in table.splitlines() if "foerderdatenbank" in line)
    by_name = {s["name"]: s for s in json.loads(runner.invoke(app, ["sources", "-f", "json"]).output)}
    assert (by_name["eforms"]["kind"], by_name["eforms"]["status"]) == ("tender", "partial")
    assert by_name["foerderdatenbank"]["kind"] == "funding"


def test_lead_kinds_german_in_the_table_stable_in_json() -> None:
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0
    profile = str(Path(__file__).resolve().parents[1] / "data/profiles/integration.toml")
    command = ["leads", "--profile", profile, "--kind", "kommune", "--limit", "3"]
    table = runner.invoke(app, command, env=WIDE)
    assert table.exit_code == 0, table.output
    rows = [line for line in table.output.splitlines() if " neu " in line]
    assert len(rows) == 3
    assert all(" Kommune " in row for row in rows)
    as_json = json.loads(runner.invoke(app, [*command, "-f", "json"]).output)
    assert {r["art"] for r in as_json} == {"kommune"}


def test_arguments_are_named_in_german_in_usage_help_and_errors() -> None:
    shown = runner.invoke(app, ["explain", "--help"], terminal_width=100)
    assert "explain [OPTIONEN] LEAD-ID" in shown.output
    assert "{" not in shown.output
    assert "<Pfad>" in runner.invoke(app, ["import-notices", "--help"], terminal_width=100).output
    missing = runner.invoke(app, ["similar"], terminal_width=100)
    assert missing.exit_code == 2
    assert "Argument 'REFERENZ' fehlt." in missing.output
    assert "references" not in missing.output
