"""`similar` on the real Gemeindeverzeichnis: what a user expects of comparable Kommunen."""

from __future__ import annotations

import itertools

import pytest

from kommunen.errors import ConfigError
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.similar import SimilarityModel, SimilarQuery, haversine_km


@pytest.fixture(scope="module")
def model(index: GemeindeIndex) -> SimilarityModel:
    return SimilarityModel(index)


@pytest.mark.parametrize(("reference", "einwohner"), [("Tübingen", 91_506), ("Flensburg", 90_164)])
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
    assert results[0].name == "Mannheim"  # 310,658 people at 2,143/km² vs Augsburg's 296,582 at 2,019
    assert results[0].begruendung.startswith("310.658 Einw. (Ref. Augsburg 296.582) · 2.143/km² (Ref. 2.019)")
    assert "216 km von Augsburg" in results[0].begruendung


def test_small_gemeinde(model: SimilarityModel) -> None:
    results = model.find(SimilarQuery(["Dobitschen"], k=10))  # 439 people, gering besiedelt
    assert all(220 <= r.einwohner <= 880 and r.typ == "Gemeinde" for r in results)


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


def test_nachbarkreise(model: SimilarityModel) -> None:
    neighbours = model.nachbarkreise("08416")  # Landkreis Tübingen
    assert {"08416", "08415", "08115", "08417"} <= neighbours  # itself, Reutlingen, Böblingen, Zollernalb
    assert "09761" not in neighbours  # Augsburg is far away
    results = model.find(SimilarQuery(["Tübingen"], k=10, nachbarkreise=True))
    assert results
    assert all(r.ags[:5] in neighbours for r in results)


def test_filters(model: SimilarityModel) -> None:
    results = model.find(SimilarQuery(["Tübingen"], k=15, min_einwohner=50_000, max_einwohner=70_000))
    assert all(50_000 <= r.einwohner <= 70_000 for r in results)
    stadt = model.find(SimilarQuery(["Tübingen"], k=15, types=["stadt"]))
    assert {r.typ for r in stadt} == {"Stadt"}
    with pytest.raises(ConfigError, match="Unbekannter Typ 'dorf'"):
        model.find(SimilarQuery(["Tübingen"], types=["dorf"]))
    assert model.find(SimilarQuery(["Tübingen"], within_km=0.1)) == []
