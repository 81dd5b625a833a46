"""The command line as a user meets it: help everywhere, readable output, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kommunen.cli import app, main
from scrapers.registry import SOURCES
from tests.recorded import SHARED

runner = CliRunner()


@pytest.fixture
def imported() -> None:
    result = runner.invoke(app, ["import-gemeinden"])
    assert result.exit_code == 0, result.output
    assert "Gemeinden   10959  neu  10959" in result.output


def test_every_command_has_help() -> None:
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, name
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert "Aufruf: " in result.output


@pytest.mark.usefixtures("imported")
def test_similar_formats() -> None:
    table = runner.invoke(app, ["similar", "Tübingen", "Marburg", "--within", "150", "--k", "5"])
    assert table.exit_code == 0, table.output
    # 2024 directory rows: Tübingen 93,615 at 866/km², Marburg 78,203 at 631/km², Fulda 70,366 at 676/km²
    assert "Ähnlich wie Tübingen (93.615 Einw., 866/km²); Marburg (78.203 Einw., 631/km²)" in table.output
    assert "Fulda" in table.output  # 70 km from Marburg

    as_csv = runner.invoke(app, ["similar", "08416041", "--k", "10", "--land", "BW", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == 10
    assert {r["land"] for r in rows} == {"Baden-Württemberg"}
    assert rows[0]["begruendung"].endswith(rows[0]["ausschlaggebend"])

    as_json = json.loads(runner.invoke(app, ["similar", "Augsburg", "-k", "3", "-f", "json"]).output)
    assert [r["name"] for r in as_json] == ["Mannheim", "Karlsruhe", "Bonn"]


@pytest.mark.usefixtures("imported")
def test_gemeinde_facts() -> None:
    result = runner.invoke(app, ["gemeinde", "Kiel"])
    assert result.exit_code == 0
    assert "Kiel, Landeshauptstadt" in result.output
    assert "248.873" in result.output  # the 2024 directory's Kiel row
    assert "Gemeindeverzeichnis (AuszugGV4QAktuell_2024.xlsx)" in result.output
    assert "file://" not in result.output  # the publisher, not a local path


@pytest.mark.usefixtures("imported")
def test_errors_are_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["kommunen", "similar", "Augsbrug"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Fehler: Keine Gemeinde 'Augsbrug' gefunden. Meinten Sie: Augsburg (Bayern)")
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_missing_database_content_and_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["kommunen", "similar", "Augsburg"])
    with pytest.raises(SystemExit):
        main()
    assert "zuerst `kommunen import-gemeinden`" in capsys.readouterr().err
    monkeypatch.setattr("sys.argv", ["kommunen", "import-gemeinden", str(tmp_path / "nix.csv")])
    with pytest.raises(SystemExit):
        main()
    assert capsys.readouterr().err == f"Fehler: {tmp_path / 'nix.csv'}: Datei nicht lesbar (gibt es nicht)\n"


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["kommunen", "--debug", "similar", "Augsburg"])
    with pytest.raises(Exception, match="kennt noch keine Gemeinden"):
        main()


def test_run_is_the_main_job(tmp_path: Path) -> None:
    import openpyxl

    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0, result.output
    assert "Leads für Mehrsprachig gGmbH: " in result.output
    assert "foerderdatenbank     ok            1 Dokument   neu     3" in result.output  # one export
    assert "Digest: nicht eingerichtet" in result.output
    book = openpyxl.load_workbook(Path(os.environ["KOMMUNEN_HOME"]) / "leads.xlsx")
    assert book["Kommunen"].max_row > 1
    header = [c.value for c in book["Kommunen"][1]]
    assert header[8:10] == ["Ansprechstelle", "Adresse"]
    assert book["Kommunen"].cell(2, header.index("Seit") + 1).value is not None  # first seen: this run
    assert book["Kommunen"].cell(2, 9).value  # every Kommune lead names its office
    assert "Gemeinden   10959" in result.output
    assert "codelisten           ok" in result.output  # CPV and NUTS names for the reasons
    assert "Reutlingen" in result.output  # similar to Tübingen, 12 km away: a lead the references explain
    assert "ähnlich groß wie Referenzkommune Tübingen" in result.output

    found = json.loads(runner.invoke(app, ["codes", "jugend", "-f", "json"]).output)
    assert {"code": "85311300", "name": "Kinder- und Jugendfürsorgeleistungen"} in found
    assert len(found) == 3
    nuts = json.loads(runner.invoke(app, ["codes", "MÜNCHEN", "--liste", "nuts", "-f", "json"]).output)
    assert [r["code"] for r in nuts] == ["DE212", "DE21H"]

    profile = tmp_path / "sozial.toml"  # after the run the code lists are there for a profile check
    profile.write_text(
        'name = "X"\ncpv = ["sozial"]\n[begriffe]\nJugendhilfe = 1\n[region]\nnuts = ["DE21", "DE9Z"]\n',
        encoding="utf-8",
    )
    checked = runner.invoke(app, ["profile", "check", str(profile)])  # main() prints it as "Fehler: …"
    assert str(checked.exception) == f"{profile}:6: region.nuts: DE9Z ist kein deutscher NUTS-Code"
    profile.write_text(profile.read_text(encoding="utf-8").replace(', "DE9Z"', ""), encoding="utf-8")
    assert runner.invoke(app, ["profile", "check", str(profile)]).exit_code == 0


def test_import_notices_tenders_sources_reparse() -> None:
    first = runner.invoke(app, ["import-notices", str(SHARED / "tenders/eforms")])
    assert first.exit_code == 0, first.output
    assert "eforms               teilweise    92 Dokumente  neu    79" in first.output
    assert "Lesen: file://" in first.output
    again = runner.invoke(app, ["import-notices", str(SHARED / "tenders/eforms")])
    assert "neu     0  geändert    0  unverändert    80  Fehler  12" in again.output  # 92 - 12 rejected

    listing = runner.invoke(app, ["tenders", "--search", "Neckargemünd", "-f", "json"])
    (row,) = json.loads(listing.output)
    assert (row["auftraggeber"], row["ort"], row["art"]) == (
        "Stadt Neckargemünd",
        "69151 Neckargemünd",
        "veat",
    )

    german = json.loads(runner.invoke(app, ["tenders", "--land", "BW", "-f", "json"]).output)
    # DE128 Rhein-Neckar-Kreis, DE113 Esslingen (pin-cfc_25 and pin-only_fin-reg)
    assert {r["auftraggeber"] for r in german} == {
        "Stadt Neckargemünd",
        "Flughafen Stuttgart GmbH",
        "PartyName1234",
    }

    status = runner.invoke(app, ["sources", "-f", "json"])
    by_name = {s["name"]: s for s in json.loads(status.output)}
    assert set(by_name) == set(SOURCES)
    assert {"ted", "oeffentlichevergabe", "bund", "foerderdatenbank", "oparl", "websites"} <= set(by_name)
    # the second import reports the same 12 rejected documents again (issue 13, finding 9)
    assert (by_name["eforms"]["status"], by_name["eforms"]["errors"]) == ("partial", 12)
    assert by_name["ted"]["status"] == "nie gelaufen"
    assert by_name["ted"]["next_run"]

    rebuilt = runner.invoke(app, ["reparse", "eforms"])
    assert rebuilt.exit_code == 0
    assert "eforms: 92 Dokumente" in rebuilt.output


def test_scrape_unknown_source_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["kommunen", "scrape", "tedd"])
    with pytest.raises(SystemExit):
        main()
    assert capsys.readouterr().err.startswith(
        "Fehler: Unbekannte Quelle 'tedd'; bekannt: gemeindeverzeichnis, ted"
    )


def test_profile_check_leads_and_explain() -> None:
    profile = str(Path(__file__).resolve().parents[1] / "data/profiles/integration.toml")
    runner.invoke(app, ["import-gemeinden"])
    check = runner.invoke(app, ["profile", "check", profile])
    assert check.exit_code == 0, check.output
    assert "in Ordnung – Mehrsprachig gGmbH, 8 Begriffe, 4 CPV, 2 Referenzkommunen" in check.output

    command = ["leads", "--profile", profile, "--kind", "kommune", "-f", "json"]
    ranked = json.loads(runner.invoke(app, command).output)
    assert len(ranked) == 30
    assert all(r["art"] == "kommune" and r["begruendung"] for r in ranked)
    assert {r["seit"] for r in ranked} == {"neu"}
    again = json.loads(
        runner.invoke(app, ["leads", "--profile", profile, "--kind", "kommune", "-f", "json"]).output
    )
    assert [r["id"] for r in again] == [r["id"] for r in ranked]
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", r["seit"]) for r in again)  # seen before: since when
    explained = runner.invoke(app, ["explain", "--profile", profile, ranked[0]["id"]])
    assert explained.exit_code == 0
    assert "Ähnlichkeit" in explained.output  # the component's German name
    assert "Lage" in explained.output

    wrong = runner.invoke(app, ["leads", "--profile", profile, "--kind", "gemeinden"])
    assert wrong.exit_code != 0


def test_export_command(tmp_path: Path) -> None:
    import openpyxl

    profile = str(Path(__file__).resolve().parents[1] / "data/profiles/integration.toml")
    runner.invoke(app, ["import-gemeinden"])
    result = runner.invoke(
        app, ["export", "--profile", profile, "-o", str(tmp_path / "leads.xlsx"), "--limit", "20"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("20 Leads nach ")
    book = openpyxl.load_workbook(tmp_path / "leads.xlsx")
    assert book["Kommunen"].max_row == 21  # header + 20 Kommunen (no tenders stored in this test)
    wrong = runner.invoke(app, ["export", "--profile", profile, "-o", str(tmp_path / "leads.pdf")])
    assert wrong.exit_code != 0


def test_digest_dry_run(tmp_path: Path) -> None:
    profile = str(Path(__file__).resolve().parents[1] / "data/profiles/integration.toml")
    runner.invoke(app, ["import-gemeinden"])
    result = runner.invoke(
        app,
        [
            "digest",
            "--profile",
            profile,
            "--to",
            "team@example.org",
            "--dry-run",
            "-o",
            str(tmp_path / "digest.eml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "== Kommunen zum Ansprechen (100) ==" in result.output  # 15 shown, all handed out
    assert "… und 85 weitere: alle in leads.xlsx oder mit `kommunen leads`" in result.output
    assert (tmp_path / "digest.eml").read_bytes().startswith(b"Subject: Mehrsprachig gGmbH: 100 neue Leads")
    both = runner.invoke(
        app, ["digest", "--profile", profile, "--to", "x@example.org", "--send", "--dry-run"]
    )
    assert both.exit_code != 0
