"""ICS as a calendar reads it: lines folded at 75 octets (RFC 5545, 3.1), and the count said is the
count of events in the file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.matching.lead import Component, Lead
from kommunen.outputs.export import export

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/integration.toml"
LONG_TITLE = (
    "Rahmenvertrag über Sprach- und Kulturmittlung (Dolmetschen) für die Ämter und Einrichtungen "
    "der Stadt Göttingen, Fachbereich Soziales – Integration, Teilhabe und Förderung"
)


def tender(title: str, deadline: datetime | None) -> Lead:
    return Lead(
        "tender",
        f"ted:{len(title)}",
        title,
        "https://ted.europa.eu/de/notice/-/detail/654321-2026",
        0.8,
        [Component("text", 0.9, "Begriffe: Integration, Sprachmittlung, Dolmetschen, mehrsprachig")],
        deadline=deadline,
    )


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character(tmp_path: Path) -> None:
    path = tmp_path / "fristen.ics"
    export([tender(LONG_TITLE, datetime(2026, 12, 18, 12, 0, tzinfo=UTC))], path, NOW)
    raw = path.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # every line ends with CRLF
    assert max(len(line) for line in lines) == 75
    assert all(len(line) <= 75 for line in lines)
    assert sum(line.startswith(b" ") for line in lines) >= 3  # SUMMARY and DESCRIPTION went on
    text = raw.decode("utf-8")  # no UTF-8 sequence was cut in two
    summary = next(line for line in unfold(text) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:Frist: " + LONG_TITLE.replace(",", "\\,")
    description = next(line for line in unfold(text) if line.startswith("DESCRIPTION:"))
    assert description == (
        "DESCRIPTION:Begriffe: Integration\\, Sprachmittlung\\, Dolmetschen\\, mehrsprachig "
        "https://ted.europa.eu/de/notice/-/detail/654321-2026"
    )


def test_fold_counts_octets_not_characters(tmp_path: Path) -> None:
    path = tmp_path / "umlaute.ics"
    export([tender("Ä" * 100, datetime(2026, 12, 18, 12, 0, tzinfo=UTC))], path, NOW)
    lines = path.read_bytes().split(b"\r\n")
    summary = [line for line in lines if line.startswith((b"SUMMARY", b" \xc3"))]
    assert [len(line) for line in summary] == [75, 75, 67]  # "SUMMARY:Frist: " + 30 Ä; " " + 37 Ä; " " + 33 Ä
    assert b"".join(line.removeprefix(b" ") for line in summary).decode() == "SUMMARY:Frist: " + "Ä" * 100


def test_the_count_said_is_the_count_of_events(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0
    path = tmp_path / "leads.ics"
    result = runner.invoke(app, ["export", "--profile", str(PROFILE), "-o", str(path), "--limit", "20"])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8").count("BEGIN:VEVENT") == 0  # Kommunen have no deadlines
    assert result.output == f"0 Fristen nach {path} geschrieben (20 der 20 Leads ohne Frist)\n"
