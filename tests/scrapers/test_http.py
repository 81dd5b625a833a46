"""The HTTP client over real HTTP on loopback: retries, Retry-After, timeouts, truncation,
robots.txt, conditional GET, size cap, per-host spacing, redirects, pauses and budgets.
No mocked transport. The fault matrix over whole sources is in test_faults.py."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from scrapers.errors import FetchError, RobotsDisallowed, SourcePaused
from scrapers.http import Http, HttpSettings, Validators

FAST = HttpSettings(
    user_agent="kommunen-test/1 (test@example.org)", min_interval=0, backoff_base=0.01, retries=3
)


def in_turn(*responses: Response):  # type: ignore[no-untyped-def]
    """A handler answering with each response in turn, then the last one again."""
    queue = list(responses)

    def handler(_request: Request) -> Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def http(sleeps: Sleeps) -> Iterator[Http]:
    with Http(settings=FAST, sleep=sleeps) as client:
        yield client


@pytest.fixture(autouse=True)
def no_robots(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


def test_user_agent_and_body(httpserver: HTTPServer, http: Http) -> None:
    httpserver.expect_request("/a", headers={"User-Agent": FAST.user_agent}).respond_with_data(
        "hallo", content_type="text/plain"
    )
    doc = http.get(httpserver.url_for("/a"))
    assert (doc.body, doc.status, doc.content_type) == (b"hallo", 200, "text/plain")
    assert doc.fetched_at.tzinfo is not None


def test_429_honours_retry_after(httpserver: HTTPServer, http: Http, sleeps: Sleeps) -> None:
    httpserver.expect_request("/busy").respond_with_handler(
        in_turn(Response("zu viel", status=429, headers={"Retry-After": "7"}), Response("ok"))
    )
    assert http.get(httpserver.url_for("/busy")).body == b"ok"
    assert sleeps == [7.0]


def test_500_then_success_backs_off(httpserver: HTTPServer, http: Http, sleeps: Sleeps) -> None:
    httpserver.expect_request("/flaky").respond_with_handler(
        in_turn(Response("kaputt", status=500), Response("kaputt", status=503), Response("ok"))
    )
    assert http.get(httpserver.url_for("/flaky")).body == b"ok"
    assert len(sleeps) == 2
    assert 0.01 <= sleeps[0] <= 0.015
    assert 0.02 <= sleeps[1] <= 0.03  # exponential, with jitter


def test_persistent_500_gives_up_with_a_clear_error(httpserver: HTTPServer, http: Http) -> None:
    httpserver.expect_request("/down").respond_with_data("kaputt", status=502)
    with pytest.raises(FetchError, match="HTTP 502 nach 4 Versuchen") as info:
        http.get(httpserver.url_for("/down"))
    assert info.value.url == httpserver.url_for("/down")


def test_404_is_not_retried(httpserver: HTTPServer, http: Http, sleeps: Sleeps) -> None:
    httpserver.expect_request("/weg").respond_with_data("", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        http.get(httpserver.url_for("/weg"))
    assert sleeps == []


def test_timeout(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(0.5)
        return Response("spät")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    settings = HttpSettings(read_timeout=0.1, retries=1, backoff_base=0.01, min_interval=0)
    with (
        Http(settings=settings, sleep=sleeps) as client,
        pytest.raises(FetchError, match="Zeitüberschreitung"),
    ):
        client.get(httpserver.url_for("/slow"))
    assert len(sleeps) == 1


@pytest.fixture
def truncating_server() -> Iterator[str]:
    """Promises 1000 bytes, sends 5, hangs up: what a dropped connection looks like."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nkurz")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    listener.close()


def test_truncated_body(truncating_server: str, sleeps: Sleeps) -> None:
    settings = HttpSettings(retries=1, backoff_base=0.01, min_interval=0, respect_robots=False)
    with (
        Http(settings=settings, sleep=sleeps) as client,
        pytest.raises(FetchError, match="Verbindung abgebrochen"),
    ):
        client.get(f"{truncating_server}/notice.xml")
    assert len(sleeps) == 1


def test_body_size_cap(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    settings = HttpSettings(max_body_bytes=1000, min_interval=0)
    with Http(settings=settings, sleep=sleeps) as client, pytest.raises(FetchError, match="größer als 1000"):
        client.get(httpserver.url_for("/big"))
    assert sleeps == []


def test_robots_disallow(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /intern/\n")
    httpserver.expect_request("/oeffentlich").respond_with_data("ja")
    with Http(settings=FAST, sleep=sleeps) as client:
        assert client.get(httpserver.url_for("/oeffentlich")).body == b"ja"
        with pytest.raises(RobotsDisallowed, match=r"robots\.txt verbietet"):
            client.get(httpserver.url_for("/intern/liste"))
    assert not any(r.path.startswith("/intern") for r, _ in httpserver.log)


def test_robots_server_error_means_disallow(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=503)
    settings = HttpSettings(retries=0, min_interval=0)
    with (
        Http(settings=settings, sleep=sleeps) as client,
        pytest.raises(RobotsDisallowed, match="nicht abrufbar"),
    ):
        client.get(httpserver.url_for("/seite"))


def test_etag_304_returns_the_archived_body(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/liste", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/liste").respond_with_data("neu", headers={"ETag": '"v2"'})
    known = {httpserver.url_for("/liste"): Validators(etag='"v1"', body=b"archiviert")}
    with Http(settings=FAST, sleep=sleeps, validators=known.get) as client:
        doc = client.get(httpserver.url_for("/liste"))
        assert (doc.status, doc.body) == (304, b"archiviert")
        fresh = client.get(httpserver.url_for("/liste"), conditional=False)
        assert (fresh.status, fresh.body, fresh.headers["etag"]) == (200, b"neu", '"v2"')


def test_per_host_spacing(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/p").respond_with_data("ok")
    with Http(settings=HttpSettings(min_interval=0.5), sleep=sleeps) as client:
        for _ in range(3):
            client.get(httpserver.url_for("/p"))
    waits = [s for s in sleeps if s > 0]
    assert len(waits) == 3  # robots.txt, then /p three times: three waits between four requests
    assert all(0.4 < w <= 0.5 for w in waits)


def test_paginate_stops_on_a_loop_and_says_so(httpserver: HTTPServer, http: Http) -> None:
    httpserver.expect_request("/seite/1").respond_with_json({"next": "/seite/2"})
    httpserver.expect_request("/seite/2").respond_with_json({"next": "/seite/1"})
    pages = list(
        http.paginate(
            httpserver.url_for("/seite/1"), lambda d: httpserver.url_for(json.loads(d.body)["next"])
        )
    )
    assert [p.url for p in pages[:2]] == [httpserver.url_for("/seite/1"), httpserver.url_for("/seite/2")]
    assert isinstance(pages[2], FetchError)
    assert (pages[2].url, pages[2].reason) == (
        httpserver.url_for("/seite/1"),
        "Folgeseite schon abgerufen (Schleife nach 2 Seiten)",
    )
    assert len(httpserver.log) == 3  # robots.txt and the two pages, each once


def test_paginate_has_a_page_cap(httpserver: HTTPServer, http: Http) -> None:
    httpserver.expect_request("/endlos").respond_with_handler(
        lambda r: Response(json.dumps({"next": int(r.args.get("n", "0")) + 1}))
    )
    pages = list(
        http.paginate(
            httpserver.url_for("/endlos"),
            lambda d: httpserver.url_for(f"/endlos?n={json.loads(d.body)['next']}"),
            max_pages=5,
        )
    )
    assert len(pages) == 6
    assert isinstance(pages[-1], FetchError)
    assert pages[-1].url == httpserver.url_for("/endlos?n=5")
    assert pages[-1].reason == "mehr als 5 Seiten: die Liste endet hier"


def test_redirect_is_followed_to_the_final_url(httpserver: HTTPServer, http: Http) -> None:
    httpserver.expect_request("/alt").respond_with_data("", status=301, headers={"Location": "/neu"})
    httpserver.expect_request("/neu").respond_with_data("angekommen")
    doc = http.get(httpserver.url_for("/alt"))
    assert (doc.url, doc.body, doc.status) == (httpserver.url_for("/neu"), b"angekommen", 200)


def test_redirect_loop_is_that_urls_error(httpserver: HTTPServer, http: Http) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError) as info:
        http.get(httpserver.url_for("/a"))
    assert info.value.url == httpserver.url_for("/a")
    assert info.value.reason == (
        f"Weiterleitungsschleife: {httpserver.url_for('/b')} → {httpserver.url_for('/a')}"
    )
    assert [r.path for r, _ in httpserver.log] == ["/robots.txt", "/a", "/b"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1/organization?page=2", "ungültige URL (Invalid IPv6 URL)"),
        ("ftp://ris.example/body", "ungültige URL (erwartet http:// oder https:// mit Rechnernamen)"),
        ("/nur/ein/pfad", "ungültige URL (erwartet http:// oder https:// mit Rechnernamen)"),
    ],
)
def test_a_bad_link_is_its_own_error(http: Http, url: str, reason: str) -> None:
    with pytest.raises(FetchError) as info:
        http.get(url)
    assert (info.value.url, info.value.reason) == (url, reason)


@pytest.fixture
def other_host() -> Iterator[HTTPServer]:
    """A second server on loopback: another origin, with robots.txt of its own."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_cross_host_redirect_asks_the_new_hosts_robots_first(
    httpserver: HTTPServer, other_host: HTTPServer, http: Http
) -> None:
    other_host.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /intern/\n")
    other_host.expect_request("/intern/seite").respond_with_data("geheim")
    other_host.expect_request("/offen").respond_with_data("offen")
    httpserver.expect_request("/umzug").respond_with_data(
        "", status=301, headers={"Location": other_host.url_for("/intern/seite")}
    )
    httpserver.expect_request("/offen").respond_with_data(
        "", status=308, headers={"Location": other_host.url_for("/offen")}
    )
    with pytest.raises(RobotsDisallowed) as info:
        http.get(httpserver.url_for("/umzug"))
    assert info.value.url == httpserver.url_for("/umzug")
    assert info.value.reason == (
        f"nach Weiterleitung auf {other_host.url_for('/intern/seite')}: robots.txt verbietet den Abruf"
    )
    assert [r.path for r, _ in other_host.log] == ["/robots.txt"]  # the page itself never asked for
    assert http.get(httpserver.url_for("/offen")).url == other_host.url_for("/offen")


def test_a_long_retry_after_pauses_the_host(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/busy").respond_with_data("", status=429, headers={"Retry-After": "86400"})
    httpserver.expect_request("/andere").respond_with_data("ok")
    with Http(settings=FAST, sleep=sleeps) as client:
        with pytest.raises(SourcePaused) as info:
            client.get(httpserver.url_for("/busy"))
        assert info.value.url == httpserver.url_for("/busy")
        assert info.value.reason.startswith("HTTP 429, Retry-After 86400 s: Quelle pausiert bis ")
        with pytest.raises(SourcePaused):  # the same host, asked nothing more
            client.get(httpserver.url_for("/andere"))
    assert sleeps == []
    assert [r.path for r, _ in httpserver.log] == ["/robots.txt", "/busy"]


def test_a_429_that_does_not_end_pauses_too(httpserver: HTTPServer, http: Http, sleeps: Sleeps) -> None:
    httpserver.expect_request("/busy").respond_with_data("", status=429)
    with pytest.raises(SourcePaused, match=r"^.*: HTTP 429 nach 4 Versuchen: Quelle pausiert bis "):
        http.get(httpserver.url_for("/busy"))
    assert len(sleeps) == 3


def test_robots_429_pauses_instead_of_allowing_everything(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_request("/seite").respond_with_data("ja")
    with Http(settings=FAST, sleep=sleeps) as client, pytest.raises(SourcePaused) as info:
        client.get(httpserver.url_for("/seite"))
    assert info.value.url == httpserver.url_for("/seite")
    assert [r.path for r, _ in httpserver.log] == ["/robots.txt"]


def test_no_server_says_so(sleeps: Sleeps) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nobody listens there now
    with Http(settings=FAST, sleep=sleeps) as client, pytest.raises(FetchError) as info:
        client.get(f"http://127.0.0.1:{port}/seite")
    assert not isinstance(info.value, RobotsDisallowed)
    assert info.value.reason.startswith("keine Verbindung zum Server")


def test_the_budget_pauses_the_source(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(0.15)
        return Response("langsam")

    httpserver.expect_request("/langsam").respond_with_handler(slow)

    def ten_pages(client: Http) -> None:
        for _ in range(10):
            client.get(httpserver.url_for("/langsam"))

    started = time.monotonic()
    with (
        Http(settings=FAST, sleep=sleeps) as client,
        client.budget(0.4),
        pytest.raises(SourcePaused, match=r"Zeitbudget der Quelle \(0\.4 s\) aufgebraucht"),
    ):
        ten_pages(client)
    assert time.monotonic() - started < 1.2  # without a budget: ten pages of 150 ms
    assert len([r for r, _ in httpserver.log if r.path == "/langsam"]) <= 3
