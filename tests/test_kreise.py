"""Kreise as Kommunen and merged Gemeinden, on the real 31.12.2024 directory and its changes.

Values checked by reading the files with openpyxl:
- AuszugGV4QAktuell_2024.xlsx: the Gemeinden of Kreis 09772 (Landkreis Augsburg) are 47 and have
  263,578 inhabitants on 1,070.75 km²; Kreis 08416 (Tübingen) 15 Gemeinden, 234,649 people; Kreis 03241
  (Region Hannover) 1,177,676; Kreis 16063 (Wartburgkreis, with Eisenach) 159,028; Kreis rows by
  Textkennzeichen 251 × 44, 97 × 41, 42 × 43, 9 × 42, 1 × 45; Uder 16061119 has 6,097 inhabitants.
- Anschriften…31012023_final.xlsx, Satzart 40: 09772 "Landratsamt Augsburg", Ort Augsburg, PLZ 86136,
  no street; 01056 (Pinneberg) Ort Elmshorn; 03241 Region Hannover, Ort Hannover.
- Gebietsaenderungen_2024.xlsx rows 14–24: Birkenfelde 16061007 and ten others → Uder 16061119,
  01.01.2024; rows 32/33: Rodeberg 16064055 → Dingelstädt (1,552 people) and Mühlhausen (481).
  …2025-01-01_bis_2025-02-28.xlsx row 11: Niedergeckler 07232089 → Obergeckler 07232503, 01.01.2025.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from kommunen.collect.borders import import_borders
from kommunen.collect.imports import import_derived
from kommunen.errors import AmbiguousGemeinde, UnknownKreis
from kommunen.matching.kommune_leads import KommuneEvidence, KommuneLeads
from kommunen.matching.profile import ProfileError, load_profile
from kommunen.matching.score import Matcher
from kommunen.places.gemeinden import GemeindeIndex, gemeinde_facts
from kommunen.places.kreise import kreis_facts
from kommunen.places.similar import KommunenModel, SimilarQuery
from kommunen.store.db import session_scope
from tests.conftest import fresh_engine, import_shared
from tests.recorded import SHARED

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
TUEBINGEN_NACHBARN = {"08115", "08235", "08237", "08415", "08417"}  # VG5000, as in test_similar.py


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("kreise"))
    import_shared(engine)
    with session_scope(engine) as session:
        derived = import_derived(session, SHARED)
        import_borders(session, SHARED)
    assert (derived.aenderungen, derived.kreissitze) == (86, 400)
    return engine


@pytest.fixture(scope="module")
def ix(db: Engine) -> GemeindeIndex:
    with session_scope(db) as session:
        return GemeindeIndex(session)


def test_all_400_kreise_with_population_area_and_seat(ix: GemeindeIndex) -> None:
    kreise = ix.kreise
    assert len(kreise) == 400
    assert Counter(kreise.typ) == {
        "Landkreis": 251,
        "Kreisfreie Stadt": 97,
        "Kreis": 42,
        "Stadtkreis": 9,
        "Regionalverband": 1,
    }
    augsburg = kreise.row_of["09772"]
    assert kreise.kurzname[augsburg] == "Landkreis Augsburg"
    assert (kreise.einwohner[augsburg], kreise.gemeinden[augsburg]) == (263_578, 47)
    assert kreise.flaeche[augsburg] == pytest.approx(1070.75)
    assert kreise.dichte[augsburg] == pytest.approx(263_578 / 1070.75)
    assert (kreise.sitz["09772"], kreise.anschrift["09772"]) == (
        "Augsburg",
        "Landratsamt Augsburg, 86136 Augsburg",
    )
    assert kreise.sitz["01056"] == "Elmshorn"  # Kreis Pinneberg's administration is not in Pinneberg
    hannover = kreise.row_of["03241"]
    assert (kreise.kurzname[hannover], kreise.einwohner[hannover], kreise.sitz["03241"]) == (
        "Region Hannover",
        1_177_676,
        "Hannover",
    )
    assert kreise.einwohner[kreise.row_of["16063"]] == 159_028  # Wartburgkreis, Eisenach included


@pytest.mark.parametrize(
    ("query", "ebene", "key"),
    [
        ("Augsburg", "gemeinde", "09761000"),  # a plain name is the Gemeinde, as it always was
        ("Stadt Augsburg", "gemeinde", "09761000"),
        ("Landkreis Augsburg", "kreis", "09772"),
        ("Kreis Augsburg", "kreis", "09772"),
        ("Lkr. Augsburg", "kreis", "09772"),
        ("Augsburg (Landkreis)", "kreis", "09772"),
        ("kreisfreie Stadt Augsburg", "kreis", "09761"),  # the city as a Kreis
        ("09772", "kreis", "09772"),
        ("Kreis 09772", "kreis", "09772"),
        ("Landkreis Tübingen", "kreis", "08416"),
        ("Region Hannover", "kreis", "03241"),
        ("StädteRegion Aachen", "kreis", "05334"),
        ("Regionalverband Saarbrücken", "kreis", "10041"),
        ("Wartburgkreis", "kreis", "16063"),  # no Gemeinde has that name
        ("Dithmarschen", "kreis", "01051"),
        ("72070", "gemeinde", "08416041"),  # a postal code, no Kreis key
        ("PLZ 08115", "gemeinde", "14524170"),  # Lichtentanne
    ],
)
def test_find_kommune_tells_gemeinde_from_kreis(ix: GemeindeIndex, query: str, ebene: str, key: str) -> None:
    found = ix.find_kommune(query)
    assert (found.ebene, found.key) == (ebene, key)


def test_a_number_that_is_a_kreis_key_and_a_postal_code_is_asked_back(ix: GemeindeIndex) -> None:
    with pytest.raises(AmbiguousGemeinde, match=r"Landkreis Böblingen .* „Kreis 08115“.*„PLZ 08115“"):
        ix.find_kommune("08115")
    with pytest.raises(UnknownKreis, match=r"Kein Kreis 'Landkreis Augsbrug'.*Landkreis Augsburg"):
        ix.find_kommune("Landkreis Augsbrug")


def test_merged_gemeinde_resolves_to_its_successor_and_says_so(ix: GemeindeIndex, db: Engine) -> None:
    for query in ("16061007", "Birkenfelde"):
        found = ix.find_kommune(query)
        assert (found.ebene, found.key) == ("gemeinde", "16061119")
        assert found.hinweis == "Birkenfelde (AGS 16061007) ist seit 01.01.2024 Teil von Uder (AGS 16061119)"
    assert ix.einwohner[ix.find("16061007")] == 6_097
    rodeberg = ix.find_kommune("Rodeberg")  # split: the part with most people decides
    assert rodeberg.key == "16061118"
    assert rodeberg.hinweis.endswith("ist seit 01.01.2024 Teil von Dingelstädt, Stadt (AGS 16061118)")
    with session_scope(db) as session:
        later = gemeinde_facts(session, "07232089")  # still in the 31.12.2024 directory
    assert later["Gebietsänderung"] == "seit 01.01.2025 Teil von Obergeckler (AGS 07232503)"


def test_kreis_facts(ix: GemeindeIndex, db: Engine) -> None:
    with db.connect() as conn:
        facts = kreis_facts(ix.kreise, conn, ix.kreise.row_of["09772"])
    assert facts["Name"] == "Landkreis Augsburg"
    assert facts["Sitz der Kreisverwaltung"] == "Augsburg"
    assert facts["Einwohner"] == 263_578
    assert (facts["Gebietsstand"], facts["Einwohner am"]) == ("31.12.2024", "31.12.2023")
    assert "Stadt Augsburg" in str(facts["Nachbarkreise"])  # the city it surrounds
    assert "Landkreis Aichach-Friedberg" in str(facts["Nachbarkreise"])


def test_similar_landkreis_tuebingen_gives_kreise(ix: GemeindeIndex) -> None:
    model = KommunenModel(ix)
    results = model.find(SimilarQuery(["Landkreis Tübingen"], k=5))
    assert [r.ebene for r in results] == ["kreis"] * 5
    assert all(len(r.ags) == 5 and r.typ == "Landkreis" for r in results)
    assert "08416" not in {r.ags for r in results}
    # Göppingen: 263,706 people at 411/km², vs Tübingen's 234,649 at 452/km², both in BW
    assert results[0].name == "Landkreis Göppingen"
    assert results[0].begruendung.startswith(
        "263.706 Einw. (Ref. Landkreis Tübingen 234.649) · 411/km² (Ref. 452)"
    )
    assert "Land Baden-Württemberg" in results[0].begruendung
    near = model.find(SimilarQuery(["Landkreis Tübingen"], k=10, nachbarkreise=True))
    assert {r.ags for r in near} == TUEBINGEN_NACHBARN
    assert all("Nachbarkreis von Landkreis Tübingen" in r.begruendung for r in near)


def test_gemeinde_and_kreis_references_together(ix: GemeindeIndex) -> None:
    results = KommunenModel(ix).find(SimilarQuery(["Tübingen", "Landkreis Tübingen"], k=30))
    assert {r.ebene for r in results} == {"gemeinde", "kreis"}
    assert [r.rang for r in results] == list(range(1, 31))
    assert all(a.aehnlichkeit >= b.aehnlichkeit for a, b in itertools.pairwise(results))


def _profile(tmp_path: Path, zielkommunen: str) -> Path:
    path = tmp_path / "profil.toml"
    path.write_text(f'name = "Test"\n\n[begriffe]\nIntegration = 1.0\n\n[zielkommunen]\n{zielkommunen}\n')
    return path


def test_profile_with_a_kreis_reference_gives_kreis_leads(ix: GemeindeIndex, tmp_path: Path) -> None:
    path = _profile(tmp_path, 'referenzen = ["Landkreis Tübingen", "Augsburg"]\narten = ["kreis"]')
    profile = load_profile(path, ix)
    assert profile.arten == ("kreis",)
    leads = KommuneLeads(Matcher(profile, ix, NOW), KommuneEvidence()).leads(20)
    assert len(leads) == 20
    assert all(len(lead.ref) == 5 for lead in leads)
    by_key = {lead.ref: lead for lead in leads}
    assert by_key["08117"].title == "Landkreis Göppingen (Baden-Württemberg) – Kreis 08117"
    assert (
        by_key["08117"].reason
        == "ähnlich groß wie Referenzkreis Landkreis Tübingen (263.706 zu 234.649 Einw.) · "
        "53 km von Referenzkreis Landkreis Tübingen"  # no region: nearer a reference is better
    )
    assert by_key["08415"].reason == (  # Reutlingen
        "ähnlich groß wie Referenzkreis Landkreis Tübingen (293.624 zu 234.649 Einw.) · "
        "18 km von Referenzkreis Landkreis Tübingen · Nachbarkreis von Landkreis Tübingen"
    )
    both = Matcher(
        load_profile(_profile(tmp_path, 'referenzen = ["Landkreis Tübingen", "Augsburg"]'), ix), ix, NOW
    )
    kinds = {len(lead.ref) for lead in KommuneLeads(both, KommuneEvidence()).leads(2000)}
    assert kinds == {5, 8}  # both arten by default


def test_profile_arten_are_checked(ix: GemeindeIndex, tmp_path: Path) -> None:
    path = _profile(tmp_path, 'referenzen = ["Landkreis Tübingen"]\narten = ["gemeinde", "landkreis"]')
    with pytest.raises(
        ProfileError, match=r"profil\.toml:8: zielkommunen\.arten: 'landkreis': erlaubt sind gemeinde, kreis"
    ):
        load_profile(path, ix)
    unknown = _profile(tmp_path, 'referenzen = ["Landkreis Tübingn"]')
    with pytest.raises(
        ProfileError, match=r"profil\.toml:7: zielkommunen\.referenzen: Kein Kreis 'Landkreis Tübingn'"
    ):
        load_profile(unknown, ix)


def test_cli_gemeinde_shows_a_kreis_and_the_gebietsstand() -> None:
    from kommunen.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["import-gemeinden"]).exit_code == 0
    kreis = runner.invoke(app, ["gemeinde", "Landkreis Augsburg"], terminal_width=200)
    assert kreis.exit_code == 0, kreis.output
    assert re.search(r"Sitz der Kreisverwaltung\s+Augsburg\s", kreis.output)
    assert "Gebietsstand 31.12.2024 · Einwohner 31.12.2023 · Quelle: Statistisches Bundesamt" in kreis.output
    merged = runner.invoke(app, ["gemeinde", "16061007"], terminal_width=200)
    assert "Birkenfelde (AGS 16061007) ist seit 01.01.2024 Teil von Uder (AGS 16061119)" in merged.output
    similar = runner.invoke(app, ["similar", "Landkreis Tübingen", "--k", "5", "--format", "csv"])
    assert similar.exit_code == 0, similar.output
    rows = similar.output.splitlines()[1:]
    assert [row.split(";")[2] for row in rows][:1] == ["08117"]
