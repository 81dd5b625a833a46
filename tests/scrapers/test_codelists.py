"""eForms code lists (genericode) from ../shared/data/codelists, and fetched over loopback."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from scrapers.base import RawDocument
from scrapers.codelists import EformsCodelists, parse_codelist
from scrapers.errors import FetchError, ParseError
from scrapers.http import Http, HttpSettings
from tests.recorded import FETCHED_AT, SHARED, recorded


def test_social_service_cpv_with_german_names() -> None:
    codes = {c.code: c for c in parse_codelist(recorded("codelists/cpv_social-service-cpv.gc"))}
    assert len(codes) == 115
    first = codes["75121000"]
    assert (first.list_name, first.label_de, first.label_en) == (
        "social-service-cpv",
        "Administrative Dienste im Bildungswesen",
        "Administrative educational services",
    )
    assert codes["85311300"].label_de == "Kinder- und Jugendfürsorgeleistungen"
    assert codes["85312000"].label_de == "Dienstleistungen der Sozialfürsorge, ohne Unterbringung"
    assert "79540000" not in codes  # interpreting is no light-regime service


def test_german_nuts3_regions() -> None:
    codes = {c.code: c.label_de for c in parse_codelist(recorded("codelists/nuts_nuts-deu-lvl3.gc"))}
    assert len(codes) == 401
    assert codes["DE111"] == "Stuttgart, Stadtkreis"
    assert codes["DE212"] == "München, Kreisfreie Stadt"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "leeres XML"),
        (b"<gc:CodeList xmlns:gc='x'><Identification/>", "kein wohlgeformtes XML"),
        (b"<CodeList><SimpleCodeList/></CodeList>", "keine Codeliste"),
        (b"<CodeList><Identification><LongName>x</LongName></Identification></CodeList>", "ohne Zeilen"),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CodeList>&e;</CodeList>',
            "DOCTYPE",
        ),
    ],
)
def test_broken_lists_are_reported_with_their_url(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        list(parse_codelist(RawDocument("https://example.org/x.gc", body, FETCHED_AT)))
    assert "https://example.org/x.gc" in str(info.value)


def test_fetched_from_the_sdk_and_a_missing_list_is_one_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    for name in ("cpv_social-service-cpv.gc", "nuts_nuts-deu-lvl3.gc", "notice-type.gc"):
        httpserver.expect_request(f"/codelists/{name}").respond_with_data(
            (SHARED / "codelists" / name).read_bytes(), content_type="application/xml"
        )
    httpserver.expect_request("/codelists/procurement-procedure-type.gc").respond_with_data("", status=404)
    source = EformsCodelists(base_url=httpserver.url_for("/codelists/"))
    settings = HttpSettings(min_interval=0, backoff_base=0.01, retries=0)
    with Http(settings=settings, sleep=lambda _: None) as http:
        found = list(source.crawl(http, None))
    errors = [f for f in found if isinstance(f, FetchError)]
    documents = [f for f in found if isinstance(f, RawDocument)]
    assert len(documents) == 3
    assert len(errors) == 1
    assert "procurement-procedure-type.gc" in errors[0].url
    names = {record.list_name for doc in documents for record in source.parse(doc)}
    assert names == {"social-service-cpv", "nuts-deu-lvl3", "notice-type"}


def test_files_on_disk_and_a_missing_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = EformsCodelists([SHARED / "codelists", tmp_path / "fehlt.gc"])
    found = list(source.crawl(None, None))
    assert len([f for f in found if isinstance(f, RawDocument)]) == 7  # six .gc lists and the CPV labels
    (missing,) = [f for f in found if isinstance(f, FetchError)]
    assert missing.url.endswith("fehlt.gc")


def test_the_whole_cpv_vocabulary_with_german_labels() -> None:
    from scrapers.codelists import parse_cpv_labels

    doc = recorded("codelists/cpv_2008_de_labels.csv")
    labels = {r.code: r.label_de for r in parse_cpv_labels(doc)}
    assert len(labels) == 9_454
    assert labels["79540000"] == "Dolmetscherdienste"  # "79540000-1": check digit dropped
    assert labels["85311000"] == "Dienstleistungen im Sozialwesen in Verbindung mit Heimen"
    assert labels["45000000"] == "Bauarbeiten"


def test_a_cpv_list_with_a_broken_code_names_its_line() -> None:
    from scrapers.codelists import parse_cpv_labels

    body = b'"code","name"\n"7954-1","kaputt"\n'
    doc = RawDocument(url="file:///x/cpv.csv", body=body, fetched_at=FETCHED_AT)
    with pytest.raises(ParseError, match="Zeile 2: kein CPV-Code"):
        list(parse_cpv_labels(doc))
