"""OParl parser on the real Body objects of 29 council information systems and the spec's examples;
the crawl over loopback against the faults real endpoints show (redirects, broken and looping next
links, lists that never end)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from scrapers.base import RawDocument
from scrapers.errors import FetchError, ParseError
from scrapers.http import Http, HttpSettings
from scrapers.oparl import OParl, normalise_ags, parse_objects
from scrapers.records import BodyRecord, DepartmentRecord
from tests.recorded import FETCHED_AT, SHARED, recorded

BODY = "https://schema.oparl.org/1.1/Body"
ORGANIZATION = "https://schema.oparl.org/1.1/Organization"


def body(name: str) -> BodyRecord:
    (record,) = parse_objects(recorded(f"municipal/oparl-bodies/{name}.json"))
    assert isinstance(record, BodyRecord)
    return record


def test_krefeld_ags_from_rgs() -> None:
    b = body("Stadt Krefeld")
    assert (b.name, b.ags, b.website) == ("Stadt Krefeld", "05114000", "https://www.krefeld.de")
    assert b.source_id == "https://ris.krefeld.de/webservice/oparl/v1.0/body/1"
    assert b.organization_list == "https://ris.krefeld.de/webservice/oparl/v1.0/body/1/organization"
    assert b.contact_email == "ratundehrenamt@krefeld.de"


def test_ags_written_without_leading_zero() -> None:
    assert body("Gemeinde Titz").ags == "05358056"  # the endpoint says 5358056
    assert body("Gemeinde Schwalmtal").ags == "05166024"
    assert body("Stadt Leipzig").ags == ""  # says nothing: kommunen maps it by name


@pytest.mark.parametrize(
    ("ags", "rgs", "expected"),
    [
        ("5358056", None, "05358056"),
        ("051140000", "051140000000", "05114000"),
        ("05166024", None, "05166024"),
        (None, "057540040040", "05754040"),
        (None, None, ""),
    ],
)
def test_normalise_ags(ags: str | None, rgs: str | None, expected: str) -> None:
    assert normalise_ags(ags, rgs) == expected


@pytest.mark.parametrize(
    "path", sorted((SHARED / "municipal/oparl-bodies").glob("*.json")), ids=lambda p: p.stem
)
def test_every_real_body_parses(path) -> None:  # type: ignore[no-untyped-def]
    (record,) = parse_objects(recorded(path))
    assert record.name
    assert record.organization_list.startswith("http")
    assert record.ags == "" or (len(record.ags) == 8 and record.ags.isdigit())


def test_committee_from_the_spec() -> None:
    (org,) = parse_objects(recorded("municipal/oparl-spec-examples/Organization-01.json"))
    assert isinstance(org, DepartmentRecord)
    assert (org.name, org.short_name) == ("Ausschuss für Haushalt und Finanzen", "Finanzausschuss")
    assert (org.organization_type, org.classification) == ("Gremium", "Ausschuss")
    assert (org.body_id, org.start_date) == ("https://oparl.example.org/bodies/1", date(2012, 7, 17))


def test_other_objects_are_ignored_and_bad_json_is_clear() -> None:
    assert list(parse_objects(recorded("municipal/oparl-spec-examples/Meeting-01.json"))) == []
    with pytest.raises(ParseError, match="kein gültiges JSON"):
        list(parse_objects(RawDocument(url="https://x.example/body", body=b"<html>", fetched_at=FETCHED_AT)))


def test_crawl_survives_loops_and_bad_links_and_runs_every_endpoint(httpserver: HTTPServer) -> None:
    """Three endpoints on loopback: one whose System redirects in a circle, one whose lists end
    in a broken next link and in a loop of next links, and a healthy one after them."""
    base = httpserver.url_for("/")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/kreis/system").respond_with_data(
        "", status=302, headers={"Location": "/kreis/system2"}
    )
    httpserver.expect_request("/kreis/system2").respond_with_data(
        "", status=302, headers={"Location": "/kreis/system"}
    )

    def organizations(prefix: str, count: int, following: str | None) -> dict:  # type: ignore[type-arg]
        return {
            "data": [
                {"id": f"{base}{prefix}/org/{n}", "type": ORGANIZATION, "name": f"Amt {n}"}
                for n in range(count)
            ],
            "links": {"next": following} if following else {},
        }

    httpserver.expect_request("/stadt/system").respond_with_json({"body": f"{base}stadt/bodies"})
    httpserver.expect_request("/stadt/bodies").respond_with_json(
        {
            "data": [
                {"id": f"{base}stadt/body/1", "type": BODY, "organization": f"{base}stadt/orgs1"},
                {"id": f"{base}stadt/body/2", "type": BODY, "organization": f"{base}stadt/orgs2"},
            ]
        }
    )
    httpserver.expect_request("/stadt/orgs1").respond_with_json(
        organizations("stadt/1", 2, "http://[::1/organization?page=2")
    )
    httpserver.expect_request("/stadt/orgs2", query_string="page=2").respond_with_json(
        organizations("stadt/2b", 1, f"{base}stadt/orgs2")
    )
    httpserver.expect_request("/stadt/orgs2").respond_with_json(
        organizations("stadt/2a", 1, f"{base}stadt/orgs2?page=2")
    )
    httpserver.expect_request("/dorf/system").respond_with_json({"body": f"{base}dorf/bodies"})
    httpserver.expect_request("/dorf/bodies").respond_with_json(
        {"data": [{"id": f"{base}dorf/body/1", "type": BODY, "organization": f"{base}dorf/orgs"}]}
    )
    httpserver.expect_request("/dorf/orgs").respond_with_json(organizations("dorf", 1, None))

    source = OParl(endpoints=tuple(f"{base}{name}/system" for name in ("kreis", "stadt", "dorf")))
    settings = HttpSettings(min_interval=0, backoff_base=0.01, retries=1)
    with Http(settings=settings, sleep=lambda _s: None) as http:
        items = list(source.crawl(http, None))
    errors = [(e.url, e.reason) for e in items if isinstance(e, FetchError)]
    assert errors == [
        (
            f"{base}kreis/system",
            f"Weiterleitungsschleife: {base}kreis/system2 → {base}kreis/system",
        ),
        ("http://[::1/organization?page=2", "ungültige URL (Invalid IPv6 URL)"),
        (f"{base}stadt/orgs2", "Folgeseite schon abgerufen (Schleife nach 2 Seiten)"),
    ]
    records = [r for d in items if isinstance(d, RawDocument) for r in source.parse(d)]
    departments = sorted(r.source_id.removeprefix(base) for r in records if isinstance(r, DepartmentRecord))
    assert departments == [
        "dorf/org/0",
        "stadt/1/org/0",
        "stadt/1/org/1",
        "stadt/2a/org/0",
        "stadt/2b/org/0",
    ]
    fetched = [r.full_path.rstrip("?") for r, _ in httpserver.log]
    assert fetched.count("/stadt/orgs2") == 1  # the loop is not walked again


def test_a_page_cap_ends_a_list_that_never_ends(httpserver: HTTPServer) -> None:
    base = httpserver.url_for("/")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/system").respond_with_json({"body": f"{base}bodies"})
    httpserver.expect_request("/bodies").respond_with_handler(
        lambda r: Response(
            json.dumps(
                {"data": [], "links": {"next": f"{base}bodies?page={int(r.args.get('page', 1)) + 1}"}}
            ),
            content_type="application/json",
        )
    )
    with Http(settings=HttpSettings(min_interval=0), sleep=lambda _s: None) as http:
        items = list(OParl(endpoints=(f"{base}system",), max_pages=3).crawl(http, None))
    assert [type(i).__name__ for i in items] == ["RawDocument"] * 3 + ["FetchError"]
    assert (items[-1].url, items[-1].reason) == (
        f"{base}bodies?page=4",
        "mehr als 3 Seiten: die Liste endet hier",
    )
