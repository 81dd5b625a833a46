"""Förderdatenbank: the official XML export (real subset) and real programme pages."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.foerderdatenbank import Foerderdatenbank, parse_export, parse_programme_page
from tests.recorded import FETCHED_AT, SHARED, recorded

EXPORT = SHARED / "funding/foerderdatenbank-export"
PAGE = "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/{}.html"


def export_zip() -> bytes:
    """The recorded export files, zipped the way the live export ships them (BMWI/FDB/...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(EXPORT.rglob("*.xml")):
            archive.write(path, path.relative_to(EXPORT))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def programmes() -> dict:  # type: ignore[type-arg]
    doc = RawDocument(
        url="https://www.foerderdatenbank.de/FDB/WS/export", body=export_zip(), fetched_at=FETCHED_AT
    )
    return {p.source_id: p for p in parse_export(doc)}


def test_export_has_the_three_programmes(programmes: dict) -> None:  # type: ignore[type-arg]
    assert sorted(programmes) == [
        "Bund/BA/eingliederungszuschuss-bund",
        "Bund/BKM/deutsch-franzoesische-kooperationen-film-ffa",
        "Bund/BMAS/einstiegsgeld",
    ]


def test_einstiegsgeld(programmes: dict) -> None:  # type: ignore[type-arg]
    p = programmes["Bund/BMAS/einstiegsgeld"]
    assert p.title == "Einstiegsgeld"
    assert p.kurzbeschreibung == (
        "Das Einstiegsgeld dient der Unterstützung von Menschen beim Einstieg in die Selbstständigkeit "
        "oder bei der Aufnahme einer abhängigen Beschäftigung."
    )
    assert "Die Förderung erfolgt in Form eines Zuschusses für höchstens 24 Monate." in p.beschreibung
    assert (p.foerderart, p.foerdergebiet, p.foerdergeber) == (("Zuschuss",), ("bundesweit",), ("Bund",))
    assert (p.foerderbereich, p.foerderberechtigte) == (
        ("Existenzgründung & -festigung",),
        ("Existenzgründer/in",),
    )
    assert p.stichworte == "Sozialgesetz Hartz Hilfe zur Selbstständigkeit"
    assert p.stand == date(2020, 4, 21)
    assert (
        p.url == "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/Bund/BMAS/einstiegsgeld.html"
    )
    assert (
        "Bundesagentur für Arbeit (BA), Regensburger Straße 104, 90478 Nürnberg, Tel: +49 800 455-5500"
        in (p.ansprechpunkt)
    )


def test_programme_open_to_public_bodies_and_associations(programmes: dict) -> None:  # type: ignore[type-arg]
    p = programmes["Bund/BA/eingliederungszuschuss-bund"]
    assert p.title == "Finanzielle Unterstützungsmöglichkeiten bei Neueinstellungen (Eingliederungszuschüsse)"
    assert p.foerderberechtigte == ("Unternehmen", "Verband/Vereinigung", "Öffentliche Einrichtung")
    assert p.foerderbereich == ("Arbeit",)
    film = programmes["Bund/BKM/deutsch-franzoesische-kooperationen-film-ffa"]
    assert (film.foerderart, film.foerderbereich) == (("Darlehen", "Bürgschaft"), ("Kultur, Medien & Sport",))
    assert film.ansprechpunkt == (
        "FFA Filmförderungsanstalt, Große Präsidentenstraße 9, 10178 Berlin, Tel: +49 30 27577-0",
    )


def test_programme_page_multi_description() -> None:
    url = PAGE.format("Land/Thueringen/beteiligungen-thueringen-mbg-express")
    p = parse_programme_page(recorded("funding/foerderdatenbank/detail_multi_desc.html", url=url))
    assert (
        p.title == "Beteiligungen der Mittelständischen Beteiligungsgesellschaft Thüringen mbH (MBG express)"
    )
    assert (p.foerderart, p.foerdergebiet, p.foerderberechtigte) == (
        ("Beteiligung",),
        ("Thüringen",),
        ("Unternehmen",),
    )
    assert p.kurzbeschreibung.startswith("Wenn Sie Investitionen planen, um die Wettbewerbsfähigkeit")
    assert p.ansprechpunkt[0].startswith(
        "Mittelständische Beteiligungsgesellschaft Thüringen mbH (MBG), Bonifaciusstraße 19"
    )
    assert p.source_id == "Land/Thueringen/beteiligungen-thueringen-mbg-express"


def test_older_layout_with_slugs_and_ascii_labels() -> None:
    p = parse_programme_page(
        recorded("funding/foerderdatenbank/detail_fail_19_12.html", url=PAGE.format("Land/Hessen/x"))
    )
    assert p.title == "Förderung von Forschung und Entwicklung in Unternehmen"
    assert (p.foerderart, p.foerdergebiet) == (("Zuschuss",), ("Hessen",))
    assert p.foerderbereich == ("Forschung & Innovation (themenspezifisch)",)
    assert p.foerdergeber == (
        "Hessisches Ministerium für Wirtschaft, Energie, Verkehr, Wohnen und ländlichen Raum",
    )


def test_labels_with_commas_stay_whole() -> None:
    p = parse_programme_page(
        recorded("funding/foerderdatenbank/detail_fail_07_25.html", url=PAGE.format("Bund/BKM/x"))
    )
    assert (p.foerderart, p.foerderbereich) == (("Darlehen", "Bürgschaft"), ("Kultur, Medien & Sport",))
    assert p.title == (
        "Förderung Deutsch-Französischer Koproduktionen im Rahmen des "
        "Filmförderungsgesetzes 2025 (Minitraité-Förderung)"
    )


@pytest.mark.parametrize(
    "path", sorted((SHARED / "funding/foerderdatenbank").glob("detail*.html")), ids=lambda p: p.name
)
def test_every_programme_page_parses(path) -> None:  # type: ignore[no-untyped-def]
    p = parse_programme_page(recorded(path, url=PAGE.format(f"Bund/X/{path.stem}")))
    assert p.title
    assert p.foerderberechtigte
    assert p.ansprechpunkt


def test_listing_page_is_not_a_programme() -> None:
    doc = recorded("funding/foerderdatenbank/overview.html", url="https://www.foerderdatenbank.de/suche.html")
    with pytest.raises(ParseError, match="kein Block Förderart"):
        list(Foerderdatenbank().parse(doc))
