"""One control character in a source must not cost the day: records are made clean, and every
output cleans again (a database filled before this rule can still hold such text)."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.config import Settings
from kommunen.outputs.render import Format, render
from kommunen.store.db import engine_for, session_scope
from kommunen.store.models import Department
from kommunen.store.records import store_records
from scrapers.base import RawDocument
from scrapers.cleaning import clean_text
from scrapers.oparl import parse_objects
from scrapers.records import BodyRecord, DepartmentRecord
from tests.recorded import SHARED

runner = CliRunner()
PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/integration.toml"
KARLSRUHE = "https://web1.karlsruhe.de/oparl/bodies/0001"
DIRTY = "Büro\x0bfür\x01 Integration\x00 \x1b[31mrot\x1b[0m\x1b]0;Titel\x07\x9b2J"
CLEAN = "Büro für Integration rot2J"
CONTROLS = ("\x00", "\x01", "\x0b", "\x1b", "\x9b")


def karlsruhe(name: str) -> RawDocument:
    """The real OParl Organization "Büro für Integration" of Stadt Karlsruhe, renamed, with its Body."""
    organizations = json.loads((SHARED / "municipal/oparl-live/karlsruhe/organizations.json").read_bytes())
    office = next(o for o in organizations if o["name"] == "Büro für Integration")
    body = {"id": KARLSRUHE, "type": "https://schema.oparl.org/1.1/Body", "name": "Stadt Karlsruhe"}
    body |= {"ags": "08212000", "organization": f"{KARLSRUHE}/organizations"}
    page = {"data": [body, office | {"name": name}], "links": {}}
    return RawDocument(
        url=f"{KARLSRUHE}/organizations", body=json.dumps(page).encode(), fetched_at=datetime.now(UTC)
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("Amt\x00für Soziales", "Amtfür Soziales"),
        ("Amt\x0bfür\x0cSoziales", "Amt für Soziales"),  # vertical tab, form feed: word breaks
        ("\x1b[1;31mJugendamt\x1b[0m", "Jugendamt"),  # an ANSI colour sequence, whole
        ("Jugend\x1bamt", "Jugendamt"),
        ("Schulamt\x9b2J\x7f", "Schulamt2J"),  # C1 CSI and DEL
        ("Bürgerbüro \ud83d", "Bürgerbüro "),  # a lone surrogate (JSON "\ud83d") cannot be UTF-8
        ("Zeile 1\nZeile 2\tmit\r\nTab", "Zeile 1\nZeile 2\tmit\r\nTab"),  # text keeps its lines
    ],
)
def test_clean_text(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


def test_records_are_made_clean() -> None:
    body, office = parse_objects(karlsruhe(DIRTY))
    assert isinstance(body, BodyRecord)
    assert isinstance(office, DepartmentRecord)
    assert office.name == CLEAN
    assert office.short_name == "BfI"
    record = DepartmentRecord(
        "oparl", "id", "url", "body", "Amt", "A", "Verwaltungsbereich", "", "", "a@b.de\x00", "", None, None,
        datetime.now(UTC), themen=("Integration\x1b[0m", "Soziales"),
    )  # fmt: skip
    assert (record.email, record.themen) == ("a@b.de", ("Integration", "Soziales"))


@pytest.fixture
def stored() -> None:
    """Gemeinden, then Karlsruhe's office stored, then its name made dirty as an old database has it."""
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0
    engine = engine_for(Settings.from_env())
    with session_scope(engine) as session:
        store_records(session, parse_objects(karlsruhe("Büro für Integration")))
    with session_scope(engine) as session:
        session.execute(update(Department).values(name=DIRTY))


@pytest.mark.usefixtures("stored")
def test_export_and_run_survive_a_control_character(tmp_path: Path) -> None:
    xlsx = tmp_path / "leads.xlsx"
    result = runner.invoke(app, ["export", "--profile", str(PROFILE), "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(xlsx)["Kommunen"].iter_rows(values_only=True))
    karlsruhe = next(dict(zip(rows[0], row, strict=True)) for row in rows if row[5] == "08212000")
    assert f"Fachbereich: {CLEAN}" in karlsruhe["Warum"]
    assert karlsruhe["Fachbereich"] == CLEAN

    for suffix in ("csv", "json", "ics"):
        path = tmp_path / f"l.{suffix}"
        result = runner.invoke(app, ["export", "--profile", str(PROFILE), "-o", str(path)])
        assert result.exit_code == 0, result.output
        written = path.read_text(encoding="utf-8")
        assert not any(c in written for c in CONTROLS), suffix
    assert f"Fachbereich: {CLEAN}" in (tmp_path / "l.csv").read_text(encoding="utf-8")

    run = runner.invoke(app, ["run"])
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(Path(os.environ["KOMMUNEN_HOME"]) / "leads.xlsx")
    assert any(CLEAN in map(str, row) for row in book["Kommunen"].iter_rows(values_only=True))


@pytest.mark.usefixtures("stored")
def test_terminal_output_carries_no_escape_sequence() -> None:
    explained = runner.invoke(app, ["explain", "--profile", str(PROFILE), "kommune:08212000"])
    assert explained.exit_code == 0, explained.output
    assert f"Fachbereich: {CLEAN}" in explained.output
    contacts = runner.invoke(app, ["ansprechpartner", "Karlsruhe"])
    assert contacts.exit_code == 0, contacts.output
    assert CLEAN in contacts.output
    listed = runner.invoke(app, ["leads", "--profile", str(PROFILE), "--kind", "kommune", "-f", "csv"])
    for output in (explained.output, contacts.output, listed.output):
        assert not any(c in output for c in CONTROLS)


def test_every_format_of_render_is_clean() -> None:
    shown = {}
    for fmt in Format:
        out = io.StringIO()
        render([{"titel": DIRTY, "cpv": ["853\x00"]}], [("titel", "Titel"), ("cpv", "CPV")], fmt, out=out)
        shown[fmt] = out.getvalue()
        assert not any(c in shown[fmt] for c in CONTROLS), fmt
        assert CLEAN in shown[fmt]
    rows = list(csv.reader(io.StringIO(shown[Format.csv].removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["titel", "cpv"], [CLEAN, "853"]]
    assert json.loads(shown[Format.json]) == [{"titel": CLEAN, "cpv": ["853"]}]
