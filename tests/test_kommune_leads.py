"""Kommune leads on the recorded data as `kommunen run` leaves it: why, whom, and what they bought.

The histories come from real notices: Kreisausschuss des Wetteraukreises awarded "Sozialarbeiterische
Betreuung von Flüchtlingen" to RDW Trockendock e.V., Friedberg (ted-r209-de/486837-2018.xml); the
Vergabe- und Beschaffungszentrum Dortmund put "Rahmenvertrag Dolmetscherleistungen Jugendamt" out
to tender on 28.10.2024 (ted-eforms-de/657671-2024.xml). The offices are rows of the Destatis
Anschriftenverzeichnis 31.01.2023.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.matching.kommune_leads import KommuneEvidence, KommuneLeads
from kommunen.matching.lead import Lead
from kommunen.matching.leads import rank
from kommunen.matching.profile import load_profile
from kommunen.matching.score import Matcher
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import make_engine, session_scope

PROFILES = Path(__file__).resolve().parents[1] / "data/profiles"
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture(scope="module")
def ranked(ran: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{ran / 'kommunen.db'}")
    with session_scope(engine) as session:
        index = GemeindeIndex(session)
    found = {}
    for name in ("integration", "digital", "jugendbeteiligung", "klima"):
        profile = load_profile(PROFILES / f"{name}.toml", index)
        found[name] = (profile, rank(engine, profile, index, NOW))
    yield found, index
    engine.dispose()


def _rows(sheet) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """A sheet's rows by its header, as a person filtering it reads them."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


def _evidence_kinds(lead: Lead) -> set[str]:
    return {c.name for c in lead.components if c.value > 0 and c.evidence}


@pytest.mark.parametrize("name", ["integration", "digital", "jugendbeteiligung", "klima"])
def test_top_20_say_why_differ_and_name_an_office(ranked, name: str) -> None:  # type: ignore[no-untyped-def]
    found, _ = ranked
    profile, ranking = found[name]
    top = ranking.select("kommune", limit=20)
    assert len(top) == 20
    for lead in top:
        assert len(_evidence_kinds(lead)) >= 2, (lead.title, lead.reason)
        assert lead.kommune is not None
        assert lead.kommune.ansprechstelle, lead.title
        assert lead.kommune.adresse, lead.title
    for a, b in itertools.combinations(top, 2):
        assert a.score != b.score or a.reason == b.reason, (a.title, b.title)
    assert "kreis" in profile.arten
    assert any(lead.kommune.art == "Kreis" for lead in top if lead.kommune)  # the profile asks for them
    assert all(a.score >= b.score for a, b in itertools.pairwise(top))


def test_purchase_history_with_stage_department_and_winner(ranked) -> None:  # type: ignore[no-untyped-def]
    found, _ = ranked
    _, ranking = found["integration"]
    wetterau = ranking.find("kommune:06440")
    assert wetterau.kommune is not None
    (past,) = wetterau.kommune.historie
    assert (past.year, past.title, past.stage) == (
        2018,
        "Sozialarbeiterische Betreuung von Flüchtlingen",
        "vergeben",
    )
    assert past.winners == ("RDW Trockendock e.V. (Friedberg)",)
    assert past.sentence() == (
        "2018: Sozialarbeiterische Betreuung von Flüchtlingen (Fachbereich Jugend und Soziales – "
        "Vertragswesen) – vergeben an RDW Trockendock e.V. (Friedberg)"
    )
    assert wetterau.kommune.ansprechstelle == "Kreisausschuss des Wetteraukreises"
    assert wetterau.kommune.adresse == "Europaplatz / Gebäude B, 61169 Friedberg (Hessen)"
    dortmund = ranking.find("kommune:05913000")
    assert dortmund.kommune is not None
    (past,) = dortmund.kommune.historie
    assert (past.year, past.title, past.stage) == (
        2024,
        "Rahmenvertrag Dolmetscherleistungen Jugendamt",
        "Ausschreibung",
    )
    history = next(c for c in dortmund.components if c.name == "historie")
    assert history.value > 0.5
    assert history.evidence.startswith("1 passende Ausschreibung: 2024: Rahmenvertrag Dolmetscherleistungen")


def test_a_kommune_that_bought_before_ranks_above_itself_without(ranked) -> None:  # type: ignore[no-untyped-def]
    found, index = ranked
    profile, ranking = found["integration"]
    with_history = ranking.find("kommune:05913000")
    bare = KommuneLeads(Matcher(profile, index, NOW), KommuneEvidence()).lead("05913000")
    assert bare is not None
    assert with_history.score > bare.score + 0.15
    assert {c.name: c.value for c in bare.components}["aehnlichkeit"] == pytest.approx(
        {c.name: c.value for c in with_history.components}["aehnlichkeit"]
    )


def test_gemeinde_office_from_the_anschriftenverzeichnis(ranked) -> None:  # type: ignore[no-untyped-def]
    found, _ = ranked
    _, ranking = found["integration"]
    reutlingen = ranking.find("kommune:08415061")
    assert reutlingen.kommune is not None
    assert (reutlingen.kommune.ansprechstelle, reutlingen.kommune.adresse) == (
        "Stadtverwaltung Reutlingen",
        "Marktplatz 22, 72764 Reutlingen",
    )
    assert (reutlingen.kommune.art, reutlingen.kommune.kreis, reutlingen.kommune.land) == (
        "Gemeinde",
        "Reutlingen",
        "Baden-Württemberg",
    )
    kreis = ranking.find("kommune:08415")
    assert kreis.kommune is not None
    assert (kreis.kommune.ansprechstelle, kreis.kommune.adresse) == (
        "Landratsamt Reutlingen",
        "Bismarckstraße 47, 72764 Reutlingen",
    )


def test_cli_explain_lists_the_history_and_the_office(ran: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNEN_HOME", str(ran))
    profile = str(PROFILES / "integration.toml")
    shown = runner.invoke(app, ["explain", "--profile", profile, "kommune:06440"])
    assert shown.exit_code == 0, shown.output
    assert "Einkaufshistorie" in shown.output
    assert "Ansprechstelle: Kreisausschuss des Wetteraukreises, Europaplatz / Gebäude B" in shown.output
    assert "2018: Sozialarbeiterische Betreuung von Flüchtlingen" in shown.output
    assert "https://ted.europa.eu/en/notice/-/detail/486837-2018" in shown.output
    assert "Ähnlichkeit" in shown.output  # the components in German


def test_cli_leads_and_xlsx_name_the_office(
    ran: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KOMMUNEN_HOME", str(ran))
    profile = str(PROFILES / "integration.toml")
    listed = runner.invoke(
        app, ["leads", "--profile", profile, "--kind", "kommunen", "--limit", "10", "-f", "json"]
    )
    assert listed.exit_code == 0, listed.output
    assert "Landratsamt Reutlingen, Bismarckstraße 47, 72764 Reutlingen" in listed.output
    path = tmp_path / "leads.xlsx"
    assert runner.invoke(app, ["export", "--profile", profile, "-o", str(path)]).exit_code == 0
    book = openpyxl.load_workbook(path)
    reutlingen = next(r for r in _rows(book["Kommunen"]) if r["AGS"] == "08415")
    assert (reutlingen["Name"], reutlingen["Art"], reutlingen["Land"]) == (
        "Landkreis Reutlingen",
        "Kreis",
        "Baden-Württemberg",
    )
    assert reutlingen["Ansprechstelle"] == "Landratsamt Reutlingen"
    assert reutlingen["Einwohner"] == 293_624
    rows = _rows(book["Ausschreibungen"])
    wetterau = next(r for r in rows if r["Titel"] == "Sozialarbeiterische Betreuung von Flüchtlingen")
    assert (wetterau["Auftraggeber"], wetterau["Ort"], wetterau["Stufe"]) == (
        "Kreisausschuss des Wetteraukreises",
        "Friedberg",
        "vergeben",
    )
    assert wetterau["CPV"].startswith("85310000 ")
