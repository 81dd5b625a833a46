"""`similar --merkmal`: chosen INKAR indicators weigh into the likeness, of Gemeinden and of Kreise.

Values read from inkar/sozialleistungen.parquet with pyarrow (not through scrapers/inkar.py):
raumbezug "Kreise", zeitbezug 2021, column q_asyl_bev: 08416000 Tübingen 3.18, 08236000 Enzkreis
3.65, 08326000 Schwarzwald-Baar-Kreis 3.07, 08335000 Konstanz 3.92; raumbezug "Gemeinden",
zeitbezug 2022, column q_PBG_bev: 08416041 Tübingen 34.13, 08335043 Konstanz 38.6 (no Gemeinde has
q_asyl_bev, so a Gemeinde is compared by its Kreis's value).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.collect.indikatoren import import_indikatoren
from kommunen.errors import ConfigError, LookupFailed
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.similar import KommunenModel, SimilarityModel, SimilarQuery
from kommunen.store.db import session_scope
from tests.conftest import fresh_engine, import_shared
from tests.recorded import SHARED

ASYL_KREIS_2021 = {"08416": 3.18, "08236": 3.65, "08326": 3.07, "08335": 3.92}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("merkmal"))
    import_shared(engine)
    with session_scope(engine) as session:
        import_indikatoren(session, SHARED)
    return engine


@pytest.fixture(scope="module")
def model(db: Engine) -> KommunenModel:
    with session_scope(db) as session:
        return KommunenModel(GemeindeIndex(session))


def test_kreise_with_a_similar_asylum_rate_come_first(model: KommunenModel) -> None:
    plain = model.find(SimilarQuery(["Landkreis Tübingen"], k=20))
    weighed = model.find(SimilarQuery(["Landkreis Tübingen"], k=20, merkmale=["Asylbewerber"]))
    spalte, _ = model.kreise.spalten(["Asylbewerber"])[0]
    ix = model.kreise.index
    for key, value in ASYL_KREIS_2021.items():
        assert spalte.wert[ix.row_of[key]] == pytest.approx(value)

    def spread(results: list) -> float:  # type: ignore[type-arg]
        return sum(abs(spalte.wert[ix.row_of[r.ags]] - 3.18) for r in results) / len(results)

    assert spread(weighed) < spread(plain) / 3  # measured: 0.58 against 2.23 per 1,000
    assert [r.ags for r in weighed[:3]] == ["08236", "08326", "08335"]
    enzkreis = weighed[0]
    assert "Asylbewerber 3,6 zu 3,2 je 1.000 Einwohner" in enzkreis.begruendung  # 3.65 to 3.18
    assert "Asylbewerber 3,1 zu 3,2 je 1.000 Einwohner" in weighed[1].begruendung  # 3.07
    assert all(r.ebene == "kreis" for r in weighed)
    assert enzkreis.ausschlaggebend == "Asylbewerber"


def test_gemeinden_by_their_own_value_or_their_kreis_value(model: KommunenModel) -> None:
    results = model.find(
        SimilarQuery(["Tübingen"], k=20, merkmale=["asylbewerber", "Personen in Bedarfsgemeinschaften"])
    )
    konstanz = next(r for r in results if r.ags == "08335043")
    assert "Asylbewerber (Kreis) 3,9 zu 3,2 je 1.000 Einwohner" in konstanz.begruendung
    assert "Personen in Bedarfsgemeinschaften 38,6 zu 34,1 je 1.000 Einwohner" in konstanz.begruendung
    plain = model.find(SimilarQuery(["Tübingen"], k=20))
    assert [r.ags for r in results] != [r.ags for r in plain]


def test_the_same_name_twice_counts_once(model: KommunenModel) -> None:
    assert model.merkmal_keys(["Asylbewerber", "q_asyl_bev", "ASYLBEWERBER"]) == ["q_asyl_bev"]


def test_wrong_name_suggests(model: KommunenModel) -> None:
    with pytest.raises(LookupFailed, match=r"^Merkmal 'Asylbewerbr' unbekannt; meinten Sie Asylbewerber\?$"):
        model.merkmal_keys(["Asylbewerbr"])


def test_without_indicators_it_says_where_they_come_from(index: GemeindeIndex) -> None:
    with pytest.raises(ConfigError, match="Keine Merkmale gespeichert"):
        SimilarityModel(index).find(SimilarQuery(["Tübingen"], merkmale=["Asylbewerber"]))


def test_cli_merkmal(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNEN_DATABASE_URL", db.url.render_as_string(hide_password=False))
    runner = CliRunner()
    found = runner.invoke(app, ["similar", "Landkreis Tübingen", "--k", "3", "--merkmal", "Asylbewerber"])
    assert found.exit_code == 0, found.output
    lines = " ".join(found.stdout.split())
    assert "1. Enzkreis: 203.409 Einw. (Ref. Landkreis Tübingen 234.649)" in lines
    assert "Asylbewerber 3,6 zu 3,2 je 1.000 Einwohner" in lines
    wrong = runner.invoke(app, ["similar", "Tübingen", "--merkmal", "Asylbewerbr"])
    assert wrong.exit_code == 2
    assert wrong.stderr == "Fehler: Merkmal 'Asylbewerbr' unbekannt; meinten Sie Asylbewerber?\n"
    assert wrong.stdout == ""
