"""The municipal website crawler over loopback: robots.txt, page and depth limits, per-host
spacing, a site that moved to another host, and the extractor, on minimal hand-written HTML that
exercises the crawl; then link discovery and decoding on the real pages in
../shared/data/municipal/websites (Ahlen TYPO3, Untergruppenbach, Ittlingen, Brackenheim)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from scrapers.base import RawDocument
from scrapers.errors import RobotsDisallowed
from scrapers.http import Http, HttpSettings
from scrapers.websites import MunicipalWebsites, extract_departments, organisation_links, page_text, themen
from tests.recorded import FETCHED_AT, recorded

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


SITES = "municipal/websites"
AHLEN = "https://www.ahlen.de/start/aktuelles/aktuelle/information/nachricht/aus-ahlen/reparaturcafe-am-31-januar/"


@pytest.mark.parametrize(
    ("path", "url", "links"),
    [
        pytest.param(
            "ahlen/ahlen.de.reparaturcafe.html",
            AHLEN,  # og:url; the page's <base href> is https://www.ahlen.de/
            [
                "https://www.ahlen.de/start/verwaltung/organisationsplan/",
                "https://www.ahlen.de/start/verwaltung/anschriften-verwaltungsgebaeude/",
                "https://www.ahlen.de/start/themen/rathaus-politik/",
                "https://www.ahlen.de/start/service/buergerservice/",
            ],
            id="ahlen",
        ),
        pytest.param(
            "untergruppenbach/ubach.html",
            "http://www.untergruppenbach.de/index.php?id=7",
            [
                "http://www.untergruppenbach.de/index.php?id=127&no_cache=1",  # Mitarbeiter
                "http://www.untergruppenbach.de/index.php?id=31",  # Rathaus, Service & Gemeinderat
                "http://www.untergruppenbach.de/index.php?id=33&no_cache=1",  # Rathaus Untergruppenbach
                "http://www.untergruppenbach.de/index.php?id=34&no_cache=1",  # Verwaltungsstelle …
                "http://www.untergruppenbach.de/index.php?id=132&no_cache=1",  # Behördenadressen
                "http://www.untergruppenbach.de/index.php?id=37&no_cache=1",  # Bürgerservice
            ],
            id="untergruppenbach",
        ),
        pytest.param(
            "ittlingen/ittlingen.html",
            "http://www.ittlingen.de/2346_DEU_WWW.php",
            [
                "http://www.ittlingen.de/2341_DEU_WWW.php",  # Behörden & Ämter
                "http://www.ittlingen.de/2205_DEU_WWW.php",  # Rathaus
                "http://www.ittlingen.de/2345_DEU_WWW.php",  # Verwaltung
            ],
            id="ittlingen",
        ),
        pytest.param(
            "brackenheim/WWW.php.htm",
            "http://www.brackenheim.de/2273_DEU_WWW.php",
            [
                "http://www.brackenheim.de/2204_DEU_WWW.php",  # Rathaus
                "http://www.brackenheim.de/2272_DEU_WWW.php",  # Stadtverwaltung
                "http://www.brackenheim.de/2271_DEU_WWW.php",  # Rathausinfo
            ],
            id="brackenheim",
        ),
    ],
)
def test_real_pages_link_to_their_administration(path: str, url: str, links: list[str]) -> None:
    """Departments and people first, then Rathaus/Verwaltung, then the service desk; never the
    news ("Rathaus Aktuell"), forms ("Rathausvordrucke"), the council, print views or mail."""
    assert organisation_links(recorded(f"{SITES}/{path}", url=url)) == links


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("ittlingen/ittlingen.html", "hilft über 500.000 €-Hürde"),  # windows-1252: 0x80 is €
        ("brackenheim/WWW.php.htm", "Größte Weinbaugemeinde Württembergs"),
        ("untergruppenbach/ubach.html", "Bürgerservice"),  # declared ISO-8859-1
        ("ahlen/ahlen.de.reparaturcafe.html", "Reparaturcafé"),  # <meta charset="utf-8">
    ],
)
def test_pages_decode_by_their_declared_charset(path: str, text: str) -> None:
    decoded = page_text(recorded(f"{SITES}/{path}"))
    assert text in decoded
    assert "\ufffd" not in decoded


def test_charset_of_the_http_header_wins_and_undeclared_pages_are_guessed() -> None:
    body = '<meta charset="utf-8"><p>Bürgerbüro</p>'.encode("cp1252")
    doc = RawDocument(
        url="https://a.example/",
        body=body,
        fetched_at=FETCHED_AT,
        content_type="text/html; charset=windows-1252",
    )
    assert "Bürgerbüro" in page_text(doc)
    plain = RawDocument(
        url="https://a.example/", body="<p>Bürgerbüro €</p>".encode("cp1252"), fetched_at=FETCHED_AT
    )
    assert "Bürgerbüro €" in page_text(plain)
    assert "Bürgerbüro" in page_text(
        RawDocument(url="https://a.example/", body="<p>Bürgerbüro</p>".encode(), fetched_at=FETCHED_AT)
    )


def test_links_by_their_words_on_any_layout() -> None:
    """Words other sites use, none of the four recorded sites' URLs: held-out layouts see the same."""
    doc = RawDocument(
        url="https://www.gemeinde.example/startseite",
        body=page(
            "/de/buergerservice-verwaltung/ansprechpartner|Ansprechpartner von A–Z",
            "/politik/organigramm.pdf|Organigramm",
            "/leben/jugendamt|Jugendamt",
            "/rathaus/aktuelles|Rathaus aktuell",
            "/verwaltung/stellenangebote|Stellenangebote der Verwaltung",
            "/ehrenamt|Ehrenamt",
            "/impressum|Impressum",
            "/rathaus|Rathaus & Verwaltung",
            "/buergerbuero|Bürgerbüro",
            "#|Verwaltung",
            "/was-erledige-ich-wo/|",
        )
        .replace("</ul>", '<li><a href="/b"><img alt="Bürgerservice" src="b.png"></a></li></ul>')
        .encode(),
        fetched_at=FETCHED_AT,
    )
    assert organisation_links(doc) == [
        "https://www.gemeinde.example/de/buergerservice-verwaltung/ansprechpartner",
        "https://www.gemeinde.example/politik/organigramm.pdf",
        "https://www.gemeinde.example/leben/jugendamt",
        "https://www.gemeinde.example/was-erledige-ich-wo/",
        "https://www.gemeinde.example/rathaus",
        "https://www.gemeinde.example/buergerbuero",
        "https://www.gemeinde.example/b",
    ]
