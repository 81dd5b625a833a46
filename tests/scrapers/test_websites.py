"""The municipal website crawler over loopback: robots.txt, page and depth limits, per-host
spacing, a site that moved to another host, and the extractor. No municipal page is recorded in
../shared/data yet, so the pages here are minimal hand-written HTML that exercise the crawl;
they are not a layout test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from scrapers.base import RawDocument
from scrapers.errors import RobotsDisallowed
from scrapers.http import Http, HttpSettings
from scrapers.websites import MunicipalWebsites, extract_departments, organisation_links, themen
from tests.recorded import FETCHED_AT

AGS = "05114000"


def page(*links: str, body: str = "") -> str:
    anchors = "".join(
        f'<li><a href="{href}">{text}</a></li>' for href, text in (link.split("|") for link in links)
    )
    return f"<html><body><nav><ul>{anchors}</ul></nav><main>{body}</main></body></html>"


ORGANISATION = """
<h1>Organisation der Stadtverwaltung</h1>
<ul>
  <li><strong>Fachbereich Soziales, Senioren und Wohnen</strong><br>
      <a href="mailto:soziales@stadt.example">soziales@stadt.example</a>, Tel. 02151 86-0</li>
  <li><strong>Kommunales Integrationszentrum</strong> – Büro für Integration und Migration<br>
      <a href="tel:+49215186222">02151 86-222</a></li>
  <li><a href="/jugendamt">Jugendamt</a></li>
</ul>
"""


@pytest.fixture
def sleeps() -> list[float]:
    return []


def crawl(httpserver: HTTPServer, sleeps: list[float], **limits: int) -> list:  # type: ignore[type-arg]
    settings = HttpSettings(min_interval=0.2, backoff_base=0.01, retries=0)
    source = MunicipalWebsites(start={AGS: httpserver.url_for("/")}, **limits)
    with Http(settings=settings, sleep=sleeps.append) as http:
        return list(source.crawl(http, None))


def serve_site(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /intern/\n")
    httpserver.expect_request("/").respond_with_data(
        page(
            "/rathaus/organisation|Organisation",
            "/veranstaltungen|Veranstaltungen",
            "/intern/aemter|Ämter intern",
        ),
        content_type="text/html",
    )
    httpserver.expect_request("/rathaus/organisation").respond_with_data(
        page("/rathaus/aemter/a-z|Ämter von A bis Z", body=ORGANISATION), content_type="text/html"
    )
    httpserver.expect_request("/rathaus/aemter/a-z").respond_with_data(
        page("/rathaus/aemter/tief|Fachbereiche im Detail", body="<h2>Amt für Digitalisierung</h2>"),
        content_type="text/html",
    )
    httpserver.expect_request("/jugendamt").respond_with_data(
        page(body="<h1>Jugendamt</h1>"), content_type="text/html"
    )
    httpserver.expect_request("/rathaus/aemter/tief").respond_with_data(page(), content_type="text/html")


def test_follows_organisation_links_and_obeys_robots(httpserver: HTTPServer, sleeps: list[float]) -> None:
    serve_site(httpserver)
    items = crawl(httpserver, sleeps, max_depth=2, max_pages=25)
    fetched = [i.url for i in items if isinstance(i, RawDocument)]
    assert fetched == [
        httpserver.url_for(p) for p in ("/", "/rathaus/organisation", "/rathaus/aemter/a-z", "/jugendamt")
    ]
    assert [type(i) for i in items if not isinstance(i, RawDocument)] == [RobotsDisallowed]
    assert not any(r.path == "/veranstaltungen" for r, _ in httpserver.log)  # not an organisation link
    assert not any(r.path.startswith("/intern") for r, _ in httpserver.log)
    assert len([s for s in sleeps if s > 0]) >= 3  # spaced per host


def test_depth_and_page_limits(httpserver: HTTPServer, sleeps: list[float]) -> None:
    serve_site(httpserver)
    shallow = [i.url for i in crawl(httpserver, sleeps, max_depth=1) if isinstance(i, RawDocument)]
    assert shallow == [httpserver.url_for("/"), httpserver.url_for("/rathaus/organisation")]
    few = [i for i in crawl(httpserver, sleeps, max_pages=2) if isinstance(i, RawDocument)]
    assert len(few) == 2


def test_extracts_departments_with_official_contacts() -> None:
    doc = RawDocument(
        url="https://stadt.example/rathaus/organisation",
        body=page(body=ORGANISATION).encode(),
        fetched_at=FETCHED_AT,
    )
    found = {d.name: d for d in extract_departments(doc, AGS)}
    soziales = found["Fachbereich Soziales, Senioren und Wohnen"]
    assert (soziales.email, soziales.phone, soziales.themen) == (
        "soziales@stadt.example",
        "02151 86-0",
        ("Soziales",),
    )
    assert (soziales.ags, soziales.source_url, soziales.seen_at) == (AGS, doc.url, FETCHED_AT)
    integration = found["Kommunales Integrationszentrum – Büro für Integration und Migration"]
    assert (integration.phone, integration.themen) == ("+49215186222", ("Integration",))
    assert found["Jugendamt"].website == "https://stadt.example/jugendamt"
    assert "Organisation der Stadtverwaltung" not in found


def test_links_and_topics() -> None:
    doc = RawDocument(
        url="https://stadt.example/",
        body=page(
            "/rathaus|Rathaus", "https://andere.example/aemter|Ämter anderswo", "/news|Neuigkeiten"
        ).encode(),
        fetched_at=FETCHED_AT,
    )
    assert organisation_links(doc) == ["https://stadt.example/rathaus"]
    assert themen("Amt für Klimaschutz und Digitalisierung") == ("Digitalisierung", "Klima/Umwelt")
    assert themen("Amt für Schule, Jugend und Sport") == ("Jugend", "Bildung")


@pytest.fixture
def new_host() -> Iterator[HTTPServer]:
    """Where the Gemeinde's site moved to: another origin on loopback, with robots.txt of its own."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_site_that_moved_keeps_its_ags_and_the_new_hosts_robots(
    httpserver: HTTPServer, new_host: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": new_host.url_for("/")}
    )
    new_host.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /intern/\n")
    new_host.expect_request("/").respond_with_data(
        page("/rathaus/organisation|Organisation", "/intern/aemter|Ämter intern"), content_type="text/html"
    )
    new_host.expect_request("/rathaus/organisation").respond_with_data(
        page(body=ORGANISATION), content_type="text/html"
    )
    new_host.expect_request("/jugendamt").respond_with_data(page(body="<h1>Jugendamt</h1>"))
    source = MunicipalWebsites(start={AGS: httpserver.url_for("/")})
    settings = HttpSettings(min_interval=0, backoff_base=0.01, retries=0)
    with Http(settings=settings, sleep=sleeps.append) as http:
        items = list(source.crawl(http, None))
    docs = [i for i in items if isinstance(i, RawDocument)]
    paths = ["/", "/rathaus/organisation", "/jugendamt"]
    assert [d.url for d in docs] == [new_host.url_for(p) for p in paths]
    assert [type(i) for i in items if not isinstance(i, RawDocument)] == [RobotsDisallowed]
    assert [r.path for r, _ in new_host.log] == ["/robots.txt", *paths]  # robots.txt before any page
    departments = [d for doc in docs for d in source.parse(doc)]
    assert {d.name for d in departments} >= {"Fachbereich Soziales, Senioren und Wohnen", "Jugendamt"}
    assert {d.ags for d in departments} == {AGS}


@pytest.mark.parametrize(
    "url", ["https://www.krefeld.de/rathaus", "https://KREFELD.de/", "http://krefeld.de"]
)
def test_www_and_case_are_the_same_site(url: str) -> None:
    source = MunicipalWebsites(start={AGS: "https://krefeld.de/"})
    doc = RawDocument(url=url, body=page(body=ORGANISATION).encode(), fetched_at=FETCHED_AT)
    assert {d.ags for d in source.parse(doc)} == {AGS}
