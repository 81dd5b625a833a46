"""What cron and a user at the terminal see: the exit code, and one German line instead of a
traceback, for the paths and databases a morning can meet. Real processes, as cron runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kommunen.store.db import HEAD, make_engine, upgrade
from tests.recorded import SHARED

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "data/profiles/integration.toml"


def kommunen(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", "from kommunen.cli import main; main()", *args],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_german_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Fehler: ")
    return lines[0]


def test_an_import_with_a_broken_file_stores_the_rest_and_exits_3(tmp_path: Path) -> None:
    folder = tmp_path / "notices"
    folder.mkdir()
    real = SHARED / "tenders/bekanntmachungsservice-eforms"
    for path in sorted(real.glob("*.xml"))[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "kaputt.xml").write_bytes(b"<ContractNotice><cbc:ID>")
    result = kommunen("import-notices", str(folder))
    assert result.returncode == 3, result.stdout + result.stderr  # today's main: 0, cron sees nothing
    assert "neu     2" in result.stdout
    assert "kaputt.xml: kein wohlgeformtes XML" in result.stdout
    again = kommunen("import-notices", str(folder / "kaputt.xml"))
    assert again.returncode == 3
    named = json.loads(kommunen("sources", "eforms", "-f", "json").stdout)  # where the summary points
    assert [(e["stufe"], e["url"].rsplit("/", 1)[-1]) for e in named] == [("Lesen", "kaputt.xml")]
    assert named[0]["fehler"].startswith("kein wohlgeformtes XML")


def test_a_mistyped_path_is_the_calls_error_and_nothing_is_imported(tmp_path: Path) -> None:
    """Exit 1, as for any wrong path: cron sees a wrong call, not a source that failed in part."""
    missing = tmp_path / "tippfehler"
    result = kommunen("import-notices", str(SHARED / "tenders/bekanntmachungsservice-eforms"), str(missing))
    assert result.returncode == 1, result.stdout + result.stderr
    assert one_german_line(result) == f"Fehler: {missing}: gibt es nicht"
    assert "Dokumente" not in result.stdout  # checked before anything is read


def test_a_clean_import_exits_0() -> None:
    result = kommunen("import-notices", str(SHARED / "tenders/bekanntmachungsservice-eforms"))
    assert result.returncode == 0, result.stderr


def test_a_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("kein Ordner")
    result = kommunen("sources", KOMMUNEN_HOME=str(home))
    assert result.returncode == 1
    assert one_german_line(result) == f"Fehler: {home} ist eine Datei, kein Ordner: KOMMUNEN_HOME oder " + (
        "KOMMUNEN_DATABASE_URL prüfen"
    )


def test_export_into_a_missing_folder(tmp_path: Path) -> None:
    assert kommunen("import-gemeinden").returncode == 0
    target = tmp_path / "fehlt" / "leads.xlsx"
    result = kommunen("export", "-p", str(PROFILE), "-o", str(target))
    assert result.returncode == 1
    assert one_german_line(result) == f"Fehler: {target}: gibt es nicht"


def test_run_refuses_a_missing_output_folder_before_it_starts(tmp_path: Path) -> None:
    target = tmp_path / "fehlt" / "heute.xlsx"
    result = kommunen("run", "-o", str(target))
    assert result.returncode == 1
    assert one_german_line(result) == f"Fehler: --output {target}: den Ordner {target.parent} gibt es nicht"
    assert "Gemeindeverzeichnis" not in result.stdout


def test_a_foreign_sqlite_file_is_refused_not_extended(tmp_path: Path) -> None:
    foreign = tmp_path / "kunden.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE kunden (id INTEGER)")
    result = kommunen("sources", KOMMUNEN_DATABASE_URL=f"sqlite:///{foreign}")
    assert result.returncode == 1
    line = one_german_line(result)
    assert "ist keine kommunen-Datenbank (Tabellen: kunden)" in line
    with sqlite3.connect(foreign) as conn:  # today's main added its 20 tables to it
        assert conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall() == [("kunden",)]


def test_a_schema_newer_than_the_code(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'neuer.db'}"
    upgrade(make_engine(url))
    with sqlite3.connect(tmp_path / "neuer.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    result = kommunen("sources", KOMMUNEN_DATABASE_URL=url)
    assert result.returncode == 1
    assert f"hat das Schema 0999, dieses kommunen kennt nur bis {HEAD}" in one_german_line(result)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write everywhere")
def test_an_unwritable_home(tmp_path: Path) -> None:
    locked = tmp_path / "gesperrt"
    locked.mkdir(mode=0o500)
    result = kommunen("sources", KOMMUNEN_HOME=str(locked / "home"))
    assert result.returncode == 1
    assert one_german_line(result).endswith("keine Berechtigung")
