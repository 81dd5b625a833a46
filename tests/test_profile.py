"""Profiles: every error at once with file:line: field, bounded sizes, places checked, no silent keys."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kommunen.cli import app, main
from kommunen.matching.profile import MAX_FILE_BYTES, ProfileError, load_profile
from kommunen.places.gemeinden import GemeindeIndex

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "data/profiles").glob("*.toml"))

MISSPELT = """\
name = "Mehrsprachig gGmbH"
laender = ["BY"]
[begriffe]
Integration = 1.0
cpv = ["72"]
[regoin]
laender = ["BY"]
[region]
radius_km = -5
heimat = "Augsburg"
laendr = ["BW"]
[zielkommunen]
min_einwohner = -1
max_einwohner = 5000
referenzen = ["Augsburg",
  "Agsburg"]
[fristen]
mindest_vorlauf_tage = 400
"""


def errors_of(path: Path, index: GemeindeIndex | None = None) -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile(path, index)
    return str(info.value).splitlines()


def write(tmp_path: Path, text: str, name: str = "profil.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_keys_and_sections_are_errors_all_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, MISSPELT)
    assert errors_of(path) == [
        f"{path}:2: laender: gehört in [region]",
        f"{path}:5: begriffe.cpv: gehört nicht in [begriffe], "
        "sondern oben in die Datei, vor den ersten [Abschnitt]",
        f"{path}:6: regoin: unbekannter Abschnitt; meinten Sie [region]?",
        f"{path}:9: region.radius_km: darf nicht negativ sein, nicht -5",
        f"{path}:11: region.laendr: unbekanntes Feld in [region]; meinten Sie laender?",
        f"{path}:13: zielkommunen.min_einwohner: darf nicht negativ sein, nicht -1",
        f"{path}:18: fristen.mindest_vorlauf_tage: muss zwischen 0 und 365 Tagen liegen, nicht 400",
    ]


def test_unknown_places_named_with_their_line(tmp_path: Path, index: GemeindeIndex) -> None:
    path = write(tmp_path, MISSPELT)
    lines = errors_of(path, index)
    assert len(lines) == 8  # the seven above and the misspelt reference on its own line of the list
    assert lines[-2].startswith(
        f"{path}:16: zielkommunen.referenzen: Keine Gemeinde 'Agsburg' gefunden. "
        "Meinten Sie: Augsburg (Bayern) – AGS 09761000; "
    )
    halle = write(
        tmp_path, 'name = "X"\n[begriffe]\nA = 1\n[region]\nheimat = "Halle"\nradius_km = 50\n', "h.toml"
    )
    (line,) = errors_of(halle, index)
    assert line.startswith(f"{halle}:5: region.heimat: 'Halle' ist mehrdeutig, bitte den AGS angeben: ")


def test_numbers_out_of_range(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'name = "X"\n[begriffe]\nA = 1\n[region]\nheimat = "Ulm"\nradius_km = nan\n'
        "[zielkommunen]\nmax_einwohner = -3\nmin_einwohner = 2.5\n",
    )
    assert errors_of(path) == [
        f"{path}:6: region.radius_km: muss zwischen 1 und 1000 km liegen, nicht nan",
        f"{path}:8: zielkommunen.max_einwohner: darf nicht negativ sein, nicht -3",
        f"{path}:9: zielkommunen.min_einwohner: erwartet ganze Zahl, gefunden Zahl (2.5)",
    ]


def test_sizes_are_bounded(tmp_path: Path) -> None:
    huge = tmp_path / "gross.toml"
    with huge.open("w", encoding="utf-8") as file:
        file.write('name = "')
        file.write("x" * 50_000_000)
        file.write('"\n[begriffe]\nA = 1\n')
    started = time.perf_counter()
    (line,) = errors_of(huge)
    assert time.perf_counter() - started < 1  # refused before it is parsed
    assert line == (
        f"{huge}: Profil größer als {MAX_FILE_BYTES // 1024} KB – ein Profil ist eine Seite Text "
        "(name höchstens 200, beschreibung 2000 Zeichen)"
    )
    words = "".join(f"w{i} = 0.5\n" for i in range(201))
    long = write(tmp_path, f'name = "{"N" * 300}"\nbeschreibung = "ok"\n[begriffe]\n{words}', "lang.toml")
    assert errors_of(long) == [
        f"{long}:1: name: höchstens 200 Zeichen, nicht 300",
        f"{long}:3: begriffe: höchstens 200 Begriffe, nicht 201",
    ]
    control = write(tmp_path, 'name = "Evil\\u001b[31m"\n[begriffe]\nA = 1\n', "esc.toml")
    assert errors_of(control) == [f"{control}:1: name: enthält ein Steuerzeichen (U+001B)"]
    header = write(tmp_path, 'name = "Evil\\nBcc: x@example.org"\n[begriffe]\nA = 1\n', "nl.toml")
    assert errors_of(header) == [f"{header}:1: name: enthält ein Steuerzeichen (U+000A)"]


def test_toml_errors_say_line_and_column_in_german(tmp_path: Path) -> None:
    comma = write(tmp_path, 'name = "X"\n[begriffe]\nIntegration = 1,0\n')
    assert errors_of(comma) == [
        f"{comma}:3: kein gültiges TOML, Spalte 16: nach dem Wert steht noch etwas"
        " – Zeile 3: Dezimalzahlen mit Punkt, z. B. 0.5 statt 0,5"
    ]


def test_a_password_manager_is_a_word_not_a_secret(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "X"\n[begriffe]\nPasswortmanager = 1\n[region]\nsecret = "x"\n')
    assert errors_of(path) == [
        f"{path}:5: region.secret: Passwörter gehören nicht ins Profil, sondern in die Umgebung "
        "(KOMMUNEN_SMTP_PASSWORD)"
    ]


def test_say_when_no_kommune_leads_can_come(tmp_path: Path, index: GemeindeIndex) -> None:
    none = load_profile(write(tmp_path, 'name = "X"\n[begriffe]\nA = 1\n'), index)
    assert none.notes == (
        f"{tmp_path / 'profil.toml'}:1: zielkommunen.referenzen: keine Referenzkommunen – daher keine "
        "Kommune-Leads (sie werden nach Ähnlichkeit zu Kommunen gefunden, für die Sie schon arbeiten); "
        "Ausschreibungen und Förderprogramme kommen trotzdem",
    )
    big = write(
        tmp_path,
        'name = "X"\n[begriffe]\nA = 1\n[zielkommunen]\nmin_einwohner = 4000000\nreferenzen = ["Ulm"]\n',
    )
    assert load_profile(big, index).notes == (
        f"{big}:5: zielkommunen: keine Gemeinde außer den Referenzen hat 4.000.000 und mehr Einwohner "
        "– daher keine Kommune-Leads",
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid_with_places_and_find_kommunen(path: Path, index: GemeindeIndex) -> None:
    assert load_profile(path, index).notes == ()


def test_check_and_every_command_report_the_same_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert CliRunner().invoke(app, ["import-gemeinden"]).exit_code == 0
    path = write(tmp_path, MISSPELT)
    seen = []
    for argv in (["profile", "check", str(path)], ["leads", "--profile", str(path)]):
        capsys.readouterr()
        monkeypatch.setattr("sys.argv", ["kommunen", *argv])
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code == 1
        seen.append(capsys.readouterr().err.splitlines())
    assert seen[0] == seen[1]
    assert len(seen[0]) == 8
    assert all(line.startswith(f"Fehler: {path}:") for line in seen[0])
    assert f"Fehler: {path}:6: regoin: unbekannter Abschnitt; meinten Sie [region]?" in seen[0]

    fine = write(tmp_path, 'name = "Ohne Referenzen"\n[begriffe]\nIntegration = 1\n', "ok.toml")
    checked = CliRunner().invoke(app, ["profile", "check", str(fine)])
    assert checked.exit_code == 0
    assert checked.output.startswith(f"Hinweis: {fine}:1: zielkommunen.referenzen: keine Referenzkommunen")
    assert f"{fine}: in Ordnung – Ohne Referenzen, 1 Begriffe, 0 CPV, 0 Referenzkommunen" in checked.output
