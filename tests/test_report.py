"""The HTML report on the shared data: 400 Kreise, the references, a lead's card, nothing fetched,
every text escaped. Its behaviour in a real browser: test_report_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import shapely
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kommunen.matching.lead import Component, Lead
from kommunen.matching.leads import Ranking
from kommunen.matching.profile import load_profile
from kommunen.outputs import report
from kommunen.outputs.map import gauss_krueger, karte
from tests.recorded import SHARED
from tests.report_data import NOW, PROFILE, Built, built

__all__ = ["built"]  # the session fixture, shared with the browser test

MAX_BYTES = 3_000_000
DORTMUND = "05913000"
DOLMETSCHEN = "tender:eforms:33a2f07e-61df-4b7d-baac-618dc4e4814b"  # 00657671-2024, Stadt Dortmund


def page(path: Path) -> HTMLParser:
    return HTMLParser(path.read_text(encoding="utf-8"))


def test_cli_writes_the_report_and_says_so(built: Built) -> None:
    assert re.fullmatch(
        rf"Bericht geschrieben: {re.escape(str(built.today))} \(\d+ Leads, 0,\d MB\)\n", built.output
    )
    assert 0 < built.today.stat().st_size < MAX_BYTES


def test_one_path_per_kreis_of_today(built: Built) -> None:
    html = page(built.path)
    keys = [p.attributes["data-key"] for p in html.css("#kreise path")]
    assert len(keys) == 400 == len(set(keys))
    assert "16056" not in keys  # Eisenach is part of the Wartburgkreis since 01.07.2021
    (wartburg,) = html.css('#kreise path[data-key="16063"]')
    assert wartburg.css_first("title").text() == "Wartburgkreis"
    assert built.path.stat().st_size < MAX_BYTES


def test_references_home_radius_and_open_tenders_are_on_the_map(built: Built) -> None:
    html = page(built.path)
    refs = {c.attributes["data-key"]: c.css_first("title").text() for c in html.css("circle.refpunkt")}
    assert refs == {
        "09761000": "Referenzkommune Augsburg",
        "08416041": "Referenzkommune Tübingen, Universitätsstadt",
    }
    assert "ref" in html.css_first('#gemeinden path[data-key="09761000"]').attributes["class"].split()
    augsburg = html.css_first("#card-09761000")
    assert "Referenzkommune" in augsburg.css_first(".art").text()
    assert "303.150" in augsburg.text()  # Einwohner, Gemeindeverzeichnis 31.12.2024
    circle = html.css_first("circle.umkreis")
    assert circle.attributes["r"] == "200.0"
    assert circle.css_first("title").text() == "200 km um Augsburg"
    tenders = {c.attributes["data-zeile"]: c.attributes["data-key"] for c in html.css("circle.tender")}
    assert tenders[DOLMETSCHEN] == DORTMUND  # open until 04.12.2024
    assert all(len(key) in (5, 8) for key in tenders.values())


def test_a_lead_card_has_facts_indicators_contact_and_its_tender(built: Built) -> None:
    html = page(built.path)
    card = html.css_first(f"#card-{DORTMUND}")
    assert card.css_first("h2").text() == "Dortmund"
    text = card.text()
    assert "595.471" in text  # Einwohner
    assert "SGB-II-Quote" in text  # INKAR, imported with the Gemeindeverzeichnis
    assert "Friedensplatz 1, 44135 Dortmund" in text  # Destatis Anschriften
    assert card.css_first(f'a[data-zeile="{DOLMETSCHEN}"]') is not None
    row = html.css_first(f'tr[id="zeile-{DOLMETSCHEN}"]')
    assert row.attributes["data-land"] == "NW"
    assert row.attributes["data-kommune"] == DORTMUND
    assert "Rahmenvertrag Dolmetscherleistungen Jugendamt" in row.text()
    assert "Warum: Begriffe: Dolmetscher" in row.text()
    assert row.css_first("td:nth-child(4)").text() == "04.12.2024"
    assert row.css_first('a[href^="https://ted.europa.eu/"]') is not None
    cells = [built.report.zeilen[0].art, built.report.zeilen[0].punkte]
    assert cells == ["Ausschreibung", 74]  # the best lead first


def test_deadlines_by_week(built: Built) -> None:
    bars = built.report.wochen
    assert [b.label for b in bars[:3]] == ["KW 2", "KW 3", "KW 4"]
    assert bars[-1].label == "später"
    assert sum(b.anzahl for b in bars) == sum(
        1 for z in built.report.zeilen if z.frist_iso and z.frist_iso >= "2024-01-08"
    )
    html = page(built.path)
    assert len(html.css("#wochen rect")) == 13


def test_nothing_is_fetched(built: Built) -> None:
    html = page(built.path)
    assert html.css("[src]") == []  # no script, image or frame from anywhere
    assert [n.tag for n in html.css("[href]") if n.tag != "a"] == []  # no stylesheet, icon or font
    styles = " ".join(s.text() for s in html.css("style"))
    assert "url(" not in styles
    assert "@import" not in styles
    assert all(a.attributes["href"].startswith(("https://", "http://", "#")) for a in html.css("a"))


def test_text_from_notices_cannot_break_out(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    from kommunen.cli.common import engine, gemeinde_index

    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    lead = Lead("funding", "foerderdatenbank:x", evil, "javascript:alert(3)", 0.5, [Component("x", 1, evil)])
    profile = load_profile(PROFILE)
    monkeypatch.setenv("KOMMUNEN_HOME", str(built.path.parent))
    made = report.bericht(engine(), profile, Ranking.of([lead]), gemeinde_index(), SHARED, NOW)
    html = report.render(made)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "javascript:" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    assert html.count("<script") == 2  # the data and the code, nothing else


def test_gauss_krueger_puts_a_town_into_its_own_outline() -> None:
    drawn = karte(SHARED, {"09761000", "02000000"})
    for ags, lon, lat in (("09761000", 10.89759, 48.36838), ("02000000", 10.0, 53.55)):
        x, y = drawn.point(lon, lat)
        (area,) = [g for g in drawn.gemeinden if g.key == ags]
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", area.d)]
        outline = shapely.Polygon(list(zip(numbers[::2], numbers[1::2], strict=True)))
        assert outline.buffer(1.0).contains(shapely.Point(x, y)), ags  # within a km
    assert gauss_krueger(9.0, 0.0) == (3_500_000.0, 0.0)


def test_report_of_similar_kommunen(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from kommunen.cli import app

    target = tmp_path / "karte.html"
    monkeypatch.setenv("KOMMUNEN_HOME", str(built.path.parent))
    done = CliRunner().invoke(app, ["similar", "Tübingen", "--k", "5", "--karte", str(target)])
    assert done.exit_code == 0, done.output
    assert f"Karte geschrieben: {target}" in done.output
    html = page(target)
    assert len(html.css("#kreise path")) == 400
    assert [c.attributes["data-key"] for c in html.css("circle.refpunkt")] == ["08416041"]
    assert len(html.css("#leads tbody tr")) == 5
