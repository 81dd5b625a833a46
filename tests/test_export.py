"""Exports opened the way a person would: XLSX with openpyxl, CSV as German Excel, ICS as text."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from kommunen.matching.lead import Component, KommuneFacts, Lead, PastTender, TenderFacts
from kommunen.outputs.export import export
from kommunen.outputs.render import BERLIN, safe

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
HOSTILE = '=HYPERLINK("http://evil.example","Klick")'


def leads() -> list[Lead]:
    deadline = datetime(2026, 12, 18, 12, 0, tzinfo=UTC)
    tender = Lead(
        "tender",
        "ted:abc",
        HOSTILE,
        "https://ted.europa.eu/en/notice/-/detail/123-2026",
        0.82,
        [Component("text", 0.9, "Begriffe: Integration, mehrsprachig")],
        deadline=deadline,
        first_seen=datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        tender=TenderFacts(
            "Stadt Dortmund", "Dortmund", "05913000", "79540000 Dolmetschdienste", "Ausschreibung", 125000.0
        ),
    )
    funding = Lead(
        "funding",
        "foerderdatenbank:Bund/BMAS/einstiegsgeld",
        "Einstiegsgeld",
        "https://x.example/e",
        0.5,
        [Component("berechtigt", 1.0, "förderberechtigt: Kommune")],
    )
    kommune = Lead(
        "kommune",
        "09772184",
        "+Neusäß, St (Augsburg, Bayern) – AGS 09772184",
        "",
        0.7,
        [Component("aehnlichkeit", 0.9, "@im Nachbarkreis")],
        kommune=KommuneFacts(
            "09772184",
            "+Neusäß",
            "Gemeinde",
            "Augsburg",
            "Bayern",
            22483,
            ansprechstelle="Stadt Neusäß",
            adresse="Hauptstraße 28, 86356 Neusäß",
            website="https://www.neusaess.de",
            fachbereiche=["Amt für Integration"],
            historie=[
                PastTender(
                    "ted:1", 2023, "Dolmetscher", "vergeben", "Sozialamt", ("Sprachen GmbH (Ulm)",), "", 0.5
                )
            ],
        ),
    )
    return [tender, funding, kommune]


def test_formula_guard() -> None:
    assert safe(HOSTILE) == "'" + HOSTILE
    assert safe("\tcmd") == "'\tcmd"
    assert safe("Integration") == "Integration"


def test_xlsx_types_links_sheets_and_guard(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    export(leads(), path, NOW)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ausschreibungen", "Förderprogramme", "Kommunen"]
    sheet = book["Ausschreibungen"]
    header = [c.value for c in sheet[1]]
    assert header == [
        *("Punkte", "Titel", "Auftraggeber", "Ort", "CPV", "Stufe", "Frist", "Wert"),
        *("Warum", "Seit", "Link", "ID"),
    ]
    row = dict(zip(header, (c.value for c in sheet[2]), strict=True))
    assert row["Punkte"] == 82
    assert row["Titel"] == "'" + HOSTILE
    assert sheet.cell(2, 2).data_type == "s"  # text, not a formula
    assert (row["Auftraggeber"], row["Ort"], row["CPV"]) == (
        "Stadt Dortmund",
        "Dortmund",
        "79540000 Dolmetschdienste",
    )
    assert (row["Stufe"], row["Wert"]) == ("Ausschreibung", 125000)
    assert sheet.cell(2, 8).number_format == '#,##0 "€"'
    assert row["Warum"] == "Begriffe: Integration, mehrsprachig"
    assert row["Frist"] == datetime(2026, 12, 18, 13, 0, tzinfo=BERLIN).replace(tzinfo=None)  # 12:00 UTC
    assert row["Seit"] == datetime(2026, 11, 20, 7, 0, tzinfo=BERLIN).replace(
        tzinfo=None
    )  # first seen, local
    assert sheet.cell(2, 10).number_format == "DD.MM.YYYY"
    assert sheet.cell(2, 11).hyperlink.target == row["Link"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L2"
    kommunen = book["Kommunen"]
    header = [c.value for c in kommunen[1]]
    assert header[:12] == [
        *("Name", "Art", "Kreis", "Land", "Einwohner", "AGS", "Punkte", "Warum"),
        *("Ansprechstelle", "Adresse", "Fachbereich", "letzte passende Ausschreibung"),
    ]
    row = dict(zip(header, (c.value for c in kommunen[2]), strict=True))
    assert row["Name"] == "'+Neusäß"  # guarded
    assert (row["Art"], row["Kreis"], row["Einwohner"], row["AGS"]) == (
        "Gemeinde",
        "Augsburg",
        22483,
        "09772184",
    )
    assert row["Adresse"] == "Hauptstraße 28, 86356 Neusäß"
    assert (
        row["letzte passende Ausschreibung"]
        == "2023: Dolmetscher (Sozialamt) – vergeben an Sprachen GmbH (Ulm)"
    )
    assert kommunen.cell(2, 13).hyperlink.target == "https://www.neusaess.de"


def test_csv_for_german_excel(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    export(leads(), path, NOW)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[1][2] == "'" + HOSTILE
    assert rows[3][3] == "'@im Nachbarkreis"
    assert rows[1][4] == "18.12.2026 13:00"  # 12:00 UTC, in German time as Excel shows it
    assert (rows[1][5], rows[2][5]) == ("20.11.2026 07:00", "")  # first seen; unknown


def test_csv_with_commas_is_for_other_tools(tmp_path: Path) -> None:
    """`export --komma`: a comma-separated file keeps ISO dates, as tools outside Excel read them."""
    path = tmp_path / "leads.csv"
    export(leads(), path, NOW, delimiter=",")
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=","))
    assert rows[0][:5] == ["Punkte", "Art", "Titel", "Warum", "Frist"]
    assert rows[1][4] == "2026-12-18T12:00:00+00:00"


def test_json_and_ics(tmp_path: Path) -> None:
    export(leads(), tmp_path / "leads.json", NOW)
    data = json.loads((tmp_path / "leads.json").read_text(encoding="utf-8"))
    assert data[0]["komponenten"] == [
        {"name": "text", "wert": 0.9, "beleg": "Begriffe: Integration, mehrsprachig"}
    ]
    export(leads(), tmp_path / "fristen.ics", NOW)
    ics = (tmp_path / "fristen.ics").read_text(encoding="utf-8")
    assert ics.count("BEGIN:VEVENT") == 1  # only the tender has a deadline
    assert "DTSTART;VALUE=DATE:20261218" in ics
    assert "DTSTAMP:20261122T060000Z" in ics
    assert "UID:" in ics
    assert 'SUMMARY:Frist: =HYPERLINK("http://evil.example"\\,"Klick")' in ics
    again = tmp_path / "again.ics"
    export(leads(), again, NOW)
    assert again.read_text(encoding="utf-8") == ics  # stable UIDs


def test_list_commands_write_csv_for_german_excel() -> None:
    """`similar`, `tenders`, `leads -f csv`: the rules of `export` (BOM, semicolons, formula guard)."""
    import dataclasses
    import io

    from typer.testing import CliRunner

    from kommunen.cli import app
    from kommunen.config import Settings
    from kommunen.store.db import engine_for, session_scope
    from kommunen.store.records import store_records
    from scrapers.notice_files import parse_notice
    from tests.recorded import recorded

    runner = CliRunner()
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0
    notice = parse_notice(recorded("tenders/eforms/cn_24_maximal.xml"))
    with session_scope(engine_for(Settings.from_env())) as session:
        store_records(session, [dataclasses.replace(notice, title=HOSTILE, buyer_name="@SUMME(A1)")])

    similar = runner.invoke(app, ["similar", "Tübingen", "-k", "3", "-f", "csv"]).output
    assert similar.startswith("\ufeffrang;name;ags;kreis;land;")
    rows = list(csv.DictReader(io.StringIO(similar.removeprefix("\ufeff")), delimiter=";"))
    assert [(r["name"], r["ags"], r["einwohner"]) for r in rows] == [
        ("Konstanz", "08335043", "85770"),  # populations as in the 2024 directory's rows
        ("Reutlingen", "08415061", "118528"),
        ("Esslingen am Neckar", "08116019", "95881"),
    ]
    assert (rows[0]["entfernung_km"], rows[0]["aehnlichkeit"]) == ("95,8", "0,925")  # "95.8": a date

    tenders = runner.invoke(app, ["tenders", "-f", "csv"]).output
    assert tenders.startswith("\ufeff")
    (row,) = csv.DictReader(io.StringIO(tenders.removeprefix("\ufeff")), delimiter=";")
    assert (row["titel"], row["auftraggeber"]) == ("'" + HOSTILE, "'@SUMME(A1)")
    assert (row["veroeffentlicht"], row["frist"]) == ("23.03.2023", "22.05.2023 21:59")  # 20:59+01:00

    profile = str(Path(__file__).resolve().parents[1] / "data/profiles/integration.toml")
    listed = runner.invoke(app, ["leads", "--profile", profile, "--kind", "kommune", "-f", "csv"]).output
    assert listed.startswith("\ufeffpunkte;seit;art;titel;begruendung;id;url")
