"""VG5000 boundaries → neighbours, on the real shapefiles of 01.01.2021 and the real change lists."""

from __future__ import annotations

from collections import Counter

import pytest

from scrapers import gebiete
from scrapers.errors import ParseError
from tests.recorded import SHARED

VG5000 = SHARED / "gebiete/vg5000_0101_2021"


def layer(name: str) -> gebiete.Shapefile:
    stem = VG5000 / f"VG5000_{name}"
    return gebiete.Shapefile(
        f"file://{stem}.shp", *(stem.with_suffix(e).read_bytes() for e in (".shp", ".shx", ".dbf"))
    )


def around(pairs: list[gebiete.NachbarRecord], key: str) -> set[str]:
    return {p.key_b if p.key_a == key else p.key_a for p in pairs if key in (p.key_a, p.key_b)}


@pytest.fixture(scope="module")
def kreise() -> list[gebiete.NachbarRecord]:
    return gebiete.neighbours("kreis", layer("KRS"), gebiete.KREIS_SUCCESSORS)


@pytest.fixture(scope="module")
def gemeinden() -> list[gebiete.NachbarRecord]:
    steps = gebiete.bbsr_successors(
        "bbsr", (SHARED / "gemeinden/bbsr_ref-gemeinden-ab-2020.xlsx").read_bytes()
    )
    changes = gebiete.dissolved_gemeinden(
        "2024", (SHARED / "gemeinden/Gebietsaenderungen_2024.xlsx").read_bytes()
    )
    return gebiete.neighbours("gemeinde", layer("GEM"), gebiete.chain([*steps, changes]))


def test_landkreis_muenchen_has_its_ten_neighbours(kreise: list[gebiete.NachbarRecord]) -> None:
    # The city it surrounds, then clockwise from the north: Freising, Erding, Ebersberg, Rosenheim,
    # Miesbach, Bad Tölz-Wolfratshausen, Starnberg, Fürstenfeldbruck, Dachau.
    assert around(kreise, "09184") == {
        "09162", "09178", "09177", "09175", "09187", "09182", "09173", "09188", "09179", "09174",
    }  # fmt: skip
    assert around(kreise, "09162") == {"09184", "09174", "09179"}  # München Stadt (SOURCES.md)


def test_eisenach_is_part_of_the_wartburgkreis(kreise: list[gebiete.NachbarRecord]) -> None:
    assert around(kreise, "16056") == set()
    # Eisenach's own neighbours were the Wartburgkreis and the Unstrut-Hainich-Kreis: the latter stays.
    assert around(kreise, "16063") == {"06631", "06632", "06636", "16064", "16066", "16067"}
    degrees = Counter(k for p in kreise for k in (p.key_a, p.key_b))
    assert (len(kreise), len(degrees)) == (1040, 400)  # 1,042 pairs of 401 Kreise before the merger
    assert (min(degrees.values()), max(degrees.values())) == (1, 11)
    assert all(p.key_a < p.key_b and p.grenze_km > 0 for p in kreise)


def test_kreis_tuebingen(kreise: list[gebiete.NachbarRecord]) -> None:
    # Böblingen, Calw, Freudenstadt, Reutlingen, Zollernalbkreis
    assert around(kreise, "08416") == {"08115", "08235", "08237", "08415", "08417"}


def test_gemeinden_touching_tuebingen(gemeinden: list[gebiete.NachbarRecord]) -> None:
    assert around(gemeinden, "08416041") == {
        "08115002",  # Altdorf (Kreis Böblingen)
        "08115051",  # Weil im Schönbuch
        "08415060",  # Pliezhausen (Kreis Reutlingen)
        "08416009",  # Dettenhausen
        "08416011",  # Dußlingen
        "08416022",  # Kirchentellinsfurt
        "08416023",  # Kusterdingen
        "08416036",  # Rottenburg am Neckar
        "08416048",  # Ammerbuch
    }
    assert len(gemeinden) == 30_879


def test_merged_gemeinden_lend_their_borders(gemeinden: list[gebiete.NachbarRecord]) -> None:
    keys = {k for p in gemeinden for k in (p.key_a, p.key_b)}
    # Eisenach (16056000 in 2021) is 16063105 now, with Herleshausen in Hessen across the Werra.
    assert "16056000" not in keys
    assert {"06636005", "16063097"} <= around(gemeinden, "16063105")  # Herleshausen, Gerstungen
    # Hahausen and Lutter am Barenberge went into the new Langelsheim (03153019) in 2021;
    # Birkenfelde into Uder (16061119) on 01.01.2024 (Gebietsänderungen 2024).
    assert not {"03153006", "03153009", "16061007"} & keys
    assert "03153019" in keys
    assert "16061119" in keys


def test_successor_chain() -> None:
    """A Gemeinde merged in 2021 into one merged again in 2024 ends at the 2024 one."""
    assert gebiete.chain([{"a": "b"}, {"b": "c", "x": "y"}, {"y": "x"}]) == {"a": "c", "b": "c", "y": "x"}


def test_a_broken_layer_names_its_file() -> None:
    broken = gebiete.Shapefile("file:///kaputt.shp", b"kein shapefile", b"", b"")
    with pytest.raises(ParseError) as info:
        gebiete.read_borders(broken)
    assert info.value.url == "file:///kaputt.shp"
