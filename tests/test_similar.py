"""`similar` on the real Gemeindeverzeichnis: what a user expects of comparable Kommunen."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from kommunen.collect.borders import import_borders
from kommunen.errors import ConfigError
from kommunen.places.distance import haversine_km
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.similar import SimilarityModel, SimilarQuery
from kommunen.store.db import session_scope
from tests.conftest import fresh_engine, import_shared
from tests.recorded import SHARED


@pytest.fixture(scope="module")
def model(index: GemeindeIndex) -> SimilarityModel:
    return SimilarityModel(index)


@pytest.mark.parametrize(("reference", "einwohner"), [("Tübingen", 93_615), ("Flensburg", 92_667)])
def test_city_of_90k_gets_cities_between_half_and_double(
    model: SimilarityModel, reference: str, einwohner: int
) -> None:
    results = model.find(SimilarQuery([reference], k=20))
    assert len(results) == 20
    assert all(einwohner / 2 <= r.einwohner <= einwohner * 2 for r in results)
    ref_type = model.typ_label[model.index.find(reference)]
    assert [r.typ for r in results[:5]] == [ref_type] * 5
    assert [r.rang for r in results] == list(range(1, 21))
    assert all(a.aehnlichkeit >= b.aehnlichkeit for a, b in itertools.pairwise(results))


def test_kreisfreie_stadt_compares_with_kreisfreie_staedte(model: SimilarityModel) -> None:
    results = model.find(SimilarQuery(["Augsburg"], k=10))
    assert {r.typ for r in results} == {"kreisfreie Stadt"}
    # 2024 directory: Mannheim 316,877 people on 144.97 km², Augsburg 303,150 on 146.85 km²
    assert results[0].name == "Mannheim"
    assert results[0].begruendung.startswith("316.877 Einw. (Ref. Augsburg 303.150) · 2.186/km² (Ref. 2.064)")
    assert "217 km von Augsburg" in results[0].begruendung


def test_small_gemeinde(model: SimilarityModel) -> None:
    results = model.find(SimilarQuery(["Dobitschen"], k=10))  # 415 people (2024 file), gering besiedelt
    assert all(207 <= r.einwohner <= 830 and r.typ == "Gemeinde" for r in results)


def test_reference_never_in_results(model: SimilarityModel) -> None:
    for refs in (["Augsburg"], ["Tübingen", "Marburg"], ["08416041"]):
        results = model.find(SimilarQuery(refs, k=50))
        ags = {model.index.ags[model.index.find(r)] for r in refs}
        assert ags.isdisjoint(r.ags for r in results)


def test_within_and_land_hold(model: SimilarityModel) -> None:
    ix = model.index
    results = model.find(SimilarQuery(["Tübingen", "Marburg"], k=30, within_km=150))
    refs = [ix.find("Tübingen"), ix.find("Marburg")]
    for r in results:
        row = ix.row_of[r.ags]
        nearest = min(float(haversine_km(ix.lat[row], ix.lon[row], ix.lat[j], ix.lon[j])) for j in refs)
        assert nearest <= 150
        assert r.entfernung_km is not None
        assert r.entfernung_km <= 150
    assert {r.referenz for r in results} == {"Tübingen", "Marburg"}

    bw = model.find(SimilarQuery(["08416041"], k=10, laender=["08"]))
    assert len(bw) == 10
    assert all(r.land == "Baden-Württemberg" for r in bw)


TUEBINGEN_UND_NACHBARN = {"08416", "08115", "08235", "08237", "08415", "08417"}  # Kreis and its 5 neighbours


@pytest.fixture(scope="module")
def bordered(tmp_path_factory: pytest.TempPathFactory) -> SimilarityModel:
    """The directory with the borders of VG5000 imported beside it."""
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("borders"))
    import_shared(engine)
    with session_scope(engine) as session:
        import_borders(session, SHARED)
    with session_scope(engine) as session:
        return SimilarityModel(GemeindeIndex(session))


def test_nachbarkreise_are_the_real_neighbours(bordered: SimilarityModel) -> None:
    assert bordered.nachbarkreise("08416") == TUEBINGEN_UND_NACHBARN
    results = bordered.find(SimilarQuery(["Tübingen"], k=100, nachbarkreise=True))
    assert len(results) == 100
    assert {r.ags[:5] for r in results} <= TUEBINGEN_UND_NACHBARN
    assert "08416036" in {r.ags for r in results}  # Rottenburg am Neckar


def test_neighbourhood_reasons_are_true(bordered: SimilarityModel) -> None:
    ix = bordered.index
    tue = ix.find("Tübingen")
    assert (
        bordered.lage(ix.row_of["08416036"], tue, "Tübingen") == "Nachbargemeinde von Tübingen"
    )  # Rottenburg
    assert bordered.lage(ix.find("Mössingen"), tue, "Tübingen") == "im selben Kreis wie Tübingen"
    assert bordered.lage(ix.find("Reutlingen"), tue, "Tübingen") == "im Nachbarkreis von Tübingen"
    assert bordered.lage(ix.find("Augsburg"), tue, "Tübingen") == ""
    rottenburg = next(r for r in bordered.find(SimilarQuery(["Tübingen"], k=200)) if r.ags == "08416036")
    assert "Nachbargemeinde von Tübingen" in rottenburg.begruendung
    assert "Nachbarkreis" not in rottenburg.begruendung


def test_without_stored_borders_nothing_is_said_about_neighbours(model: SimilarityModel) -> None:
    with pytest.raises(ConfigError, match="Keine Kreisgrenzen gespeichert"):
        model.find(SimilarQuery(["Tübingen"], nachbarkreise=True))
    results = model.find(SimilarQuery(["Tübingen"], k=200))
    assert not any("Nachbar" in r.begruendung for r in results)
    assert model.nachbarkreise("08416") == {"08416"}


def test_cli_import_borders_then_similar_nachbarkreise() -> None:
    """The whole import with borders, then again with nothing changed (its speed: benchmarks/similar.py)."""
    from typer.testing import CliRunner

    from kommunen.cli import app

    runner = CliRunner()
    cold = runner.invoke(app, ["import-gemeinden"])
    assert cold.exception is None, cold.output
    assert "Nachbarn   1040 Kreis-Paare, 30879 Gemeinde-Paare mit gemeinsamer Grenze (VG5000)" in cold.output
    warm = runner.invoke(app, ["import-gemeinden"])
    assert "Nachbarn" not in warm.output  # unchanged files: nothing computed again
    found = runner.invoke(app, ["similar", "Tübingen", "--nachbarkreise", "--k", "30", "--format", "csv"])
    assert found.exception is None, found.output
    lines = found.output.splitlines()[1:]
    assert len(lines) == 30
    assert all(line.split(";")[2][:5] in TUEBINGEN_UND_NACHBARN for line in lines)


def test_filters(model: SimilarityModel) -> None:
    results = model.find(SimilarQuery(["Tübingen"], k=15, min_einwohner=50_000, max_einwohner=70_000))
    assert all(50_000 <= r.einwohner <= 70_000 for r in results)
    stadt = model.find(SimilarQuery(["Tübingen"], k=15, types=["stadt"]))
    assert {r.typ for r in stadt} == {"Stadt"}
    with pytest.raises(ConfigError, match="Unbekannter Typ 'dorf'"):
        model.find(SimilarQuery(["Tübingen"], types=["dorf"]))
    assert model.find(SimilarQuery(["Tübingen"], within_km=0.1)) == []


@pytest.mark.parametrize(
    "query",
    [
        SimilarQuery(["Augsburg"], k=20),
        SimilarQuery(["Dobitschen"], k=50),  # 415 people: thousands of Gemeinden nearly as small
        SimilarQuery(["Tübingen", "Marburg"], k=30),
        SimilarQuery(["Tübingen"], k=10, laender=["08"], types=["stadt", "grosse-kreisstadt"]),
        SimilarQuery(["Tübingen"], k=10, within_km=40),
        SimilarQuery(["Kiel"], k=5, min_einwohner=100_000, max_einwohner=300_000),
    ],
    ids=["augsburg", "dobitschen", "two-references", "land-and-type", "within", "population"],
)
def test_find_is_the_k_nearest_of_all_rows_by_the_matchers_terms(
    model: SimilarityModel, query: SimilarQuery
) -> None:
    """find scores few rows in plain Python; the matcher's numpy terms score all of them."""
    ix = model.index
    refs = [ix.find(r) for r in query.references]
    total = np.min([model.terms(r).sum(axis=0) for r in refs], axis=0)
    km = np.min([haversine_km(ix.lat, ix.lon, ix.lat[r], ix.lon[r]) for r in refs], axis=0)
    keep = np.ones(len(ix), dtype=bool)
    keep[refs] = False
    if query.within_km is not None:
        keep &= km <= query.within_km
    if query.laender:
        keep &= np.isin(ix.land_key, list(query.laender))
    if query.types:
        keep &= np.isin(model.rank, [{"stadt": 1, "grosse-kreisstadt": 2}[t] for t in query.types])
    if query.min_einwohner is not None:
        keep &= ix.einwohner >= query.min_einwohner
    if query.max_einwohner is not None:
        keep &= ix.einwohner <= query.max_einwohner
    rows = sorted(np.flatnonzero(keep), key=lambda i: (total[i], -ix.einwohner[i], i))[: query.k]

    results = model.find(query)
    assert [r.ags for r in results] == [ix.ags[i] for i in rows]
    assert [r.aehnlichkeit for r in results] == [round(float(np.exp(-total[i] / 8)), 3) for i in rows]


def test_find_over_kreise_is_the_k_nearest_by_the_matchers_terms(index: GemeindeIndex) -> None:
    kreise = SimilarityModel(index.kreise)
    r = index.kreise.find("Landkreis Tübingen")
    total = kreise.terms(r).sum(axis=0)  # with the Land: another Land is one more unit
    rows = sorted((i for i in range(len(index.kreise)) if i != r), key=lambda i: (total[i], i))[:10]
    results = kreise.find(SimilarQuery(["Landkreis Tübingen"], k=10))
    assert [x.ags for x in results] == [index.kreise.ags[i] for i in rows]
    assert results[0].name == "Landkreis Göppingen"
