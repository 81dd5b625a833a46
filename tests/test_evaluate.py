"""`kommunen evaluate` as a user runs it: real notices imported, own labels, metrics and misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kommunen.cli import app, main
from kommunen.matching.evaluation import LabelError, load_labels, ndcg_at, precision_at
from tests.recorded import SHARED

runner = CliRunner()
PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/integration.toml"
LABELS = """notice,grade,reason
tenders/ted-eforms-de/657671-2024.xml,2,Dolmetscher für das Jugendamt
ted-r209-de/486837-2018.xml,2,Betreuung von Flüchtlingen
tenders/ted-r209-de/000053-2020.xml,0,Elektroarbeiten
tenders/ted-r209-de/013897-2017.xml,0,Wasserkonzession
tenders/ted-eforms-de/182323-2024.xml,0,IT für das Gesundheitsamt
tenders/ted-r209-de/237786-2016.xml,0,schulische Integrationshilfen (Behinderung)
tenders/nirgends/1-2099.xml,1,gibt es nicht
"""


@pytest.fixture
def notices() -> None:
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0
    assert runner.invoke(app, ["import-codelisten"]).exit_code == 0
    folders = [SHARED / "tenders" / f for f in ("ted-eforms-de", "ted-r209-de")]
    result = runner.invoke(app, ["import-notices", *map(str, folders)])
    assert result.exit_code == 0, result.output


@pytest.mark.usefixtures("notices")
def test_evaluate_prints_both_rankings_and_what_is_missing(tmp_path: Path) -> None:
    labels = tmp_path / "urteile.csv"
    labels.write_text(LABELS, encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "-p", str(PROFILE), "-l", str(labels), "-k", "2", "-f", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert set(found) >= {"k", "precision_at_k", "ndcg_at_k", "baseline", "ranked", "missing"}
    assert found["k"] == 2
    assert [r["notice"] for r in found["ranked"][:2]] == [
        "tenders/ted-eforms-de/657671-2024.xml",
        "ted-r209-de/486837-2018.xml",
    ]
    assert (found["precision_at_k"], found["ndcg_at_k"]) == (1.0, 1.0)
    assert found["baseline"]["precision_at_k"] < 1.0  # "Integration" alone ranks the Duisburg pupils high
    assert found["missing"] == ["tenders/nirgends/1-2099.xml"]
    assert len(found["ranked"]) == 6
    assert found["ranked"][0]["reason"].startswith("Begriffe: Dolmetscher")
    table = runner.invoke(app, ["evaluate", "-p", str(PROFILE), "-l", str(labels), "-k", "2"])
    assert "6 beurteilte Bekanntmachungen, davon 2 relevant; 1 nicht in der Datenbank" in table.output
    assert all(len(line) <= 80 for line in table.output.splitlines())


def test_wrong_labels_name_file_and_line(tmp_path: Path) -> None:
    labels = tmp_path / "urteile.csv"
    labels.write_text("notice,grade\nx.xml,2\ny.xml,3\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"urteile\.csv:3: grade '3' – erlaubt sind 0, 1 und 2"):
        load_labels(labels)
    labels.write_text("notice;grade\nx.xml;2\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"urteile\.csv:1: die erste Zeile"):
        load_labels(labels)
    labels.write_text("notice,grade\nx.xml,2\nx.xml,0\n", encoding="utf-8")
    with pytest.raises(LabelError, match="doppelt"):
        load_labels(labels)


def test_a_bad_labels_file_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.argv", ["kommunen", "evaluate", "-p", str(PROFILE), "-l", str(tmp_path / "fehlt.csv")]
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ")
    assert "fehlt.csv: nicht lesbar" in err
    assert "Traceback" not in err


def test_metrics_on_grades() -> None:
    assert precision_at([2, 0, 1, 0], relevant=2, k=2) == 0.5
    assert precision_at([2, 1, 0], relevant=2, k=10) == 1.0  # min(k, relevant) below
    assert ndcg_at([2, 1, 0], k=3) == 1.0
    assert 0 < ndcg_at([0, 1, 2], k=3) < 0.6


@pytest.mark.usefixtures("notices")
def test_tenders_json_names_the_kommune_and_the_stage() -> None:
    result = runner.invoke(app, ["tenders", "--search", "Dolmetscherleistungen", "-f", "json"])
    assert result.exit_code == 0, result.output
    (dortmund,) = json.loads(result.output)
    assert (dortmund["kommune"], dortmund["kommune_name"], dortmund["stufe"]) == (
        "05913000",
        "Dortmund, Stadt",
        "Ausschreibung",
    )
    result = runner.invoke(app, ["tenders", "--search", "Flüchtlingen", "-f", "json"])
    wetterau = next(t for t in json.loads(result.output) if t["source_id"] == "486837-2018")
    assert (wetterau["kommune"], wetterau["kommune_name"], wetterau["stufe"]) == (
        "06440",
        "Wetteraukreis",  # already says Kreis; "Passau" reads "Landkreis Passau"
        "vergeben",
    )


@pytest.mark.usefixtures("notices")
def test_tenders_offen_leaves_out_what_is_awarded_already() -> None:
    every = json.loads(runner.invoke(app, ["tenders", "--search", "Flüchtlingen", "-f", "json"]).output)
    assert "vergeben" in {t["stufe"] for t in every}  # 486837-2018, the Wetteraukreis award (above)
    result = runner.invoke(app, ["tenders", "--offen", "--limit", "500", "-f", "json"])
    assert result.exit_code == 0, result.output
    still_open = json.loads(result.output)
    assert still_open  # prior information notices without a deadline are still to come
    closed = {"vergeben", "geändert", "vergeben ohne Ausschreibung"}
    assert {t["stufe"] for t in still_open}.isdisjoint(closed)
    assert "486837-2018" not in {t["source_id"] for t in still_open}
