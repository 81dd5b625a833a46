"""The fault matrix: every fault a morning's crawl can meet, played by servers on 127.0.0.1.

Each case puts one faulty page between two good ones in a real source's crawl (service.bund.de's
feed, whose items are fetched one by one) and asserts what became of it: the error with its URL,
or the source paused, the good pages each fetched exactly once, and the time it took. The
pagination faults run through TED and the hostile XML through TED's notices; oversize local files
through `import-notices`' source; a paused source through the pipeline, with the next source
still run. `pytest tests/scrapers/test_faults.py` prints the matrix: case, outcome, time.
"""

from __future__ import annotations

import email.utils
import io
import json
import re
import socket
import tarfile
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from kommunen.collect.pipeline import run_source
from kommunen.store.db import session_scope
from kommunen.store.models import RawDocumentRow, Run, RunError
from kommunen.store.pauses import StoredPauses
from scrapers.base import RawDocument
from scrapers.bund import Bund
from scrapers.errors import FetchError, ParseError, RobotsDisallowed, SourcePaused
from scrapers.http import Http, HttpSettings
from scrapers.notice_files import NoticeFiles
from scrapers.oeffentlichevergabe import Oeffentlichevergabe
from scrapers.ted import TED
from tests.conftest import fresh_engine
from tests.recorded import SHARED

BASE = {
    "user_agent": "kommunen-test/1 (test@example.org)",
    "min_interval": 0,
    "backoff_base": 0.01,
    "retries": 2,
    "read_timeout": 2.0,
    "connect_timeout": 1.0,
    "max_body_bytes": 100_000,
}
TIGHT = {"request_deadline": 0.5, "read_timeout": 5.0}  # the deadline, not the read timeout, must end it
NOTICE = (SHARED / "tenders/eforms/cn_24_multilingual.xml").read_bytes()
MATRIX: list[tuple[str, str, float]] = []


@pytest.fixture(scope="module", autouse=True)
def print_matrix(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not MATRIX:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"{'Fall':<52} {'Zeit':>6}  Ergebnis")
        for case, outcome, seconds in MATRIX:
            reporter.write_line(f"{case:<52} {seconds:>5.2f}s  {outcome}")


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[HTTPServer, HTTPServer]]:
    pair = (HTTPServer(host="127.0.0.1", port=0), HTTPServer(host="127.0.0.1", port=0))
    for server in pair:
        server.start()
    yield pair
    for server in pair:
        server.clear()
        server.stop()


@pytest.fixture
def main(servers: tuple[HTTPServer, HTTPServer]) -> Iterator[HTTPServer]:
    """The source's own host: the feed and the good pages."""
    server = servers[0]
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    yield server
    server.clear()


@pytest.fixture
def fault(servers: tuple[HTTPServer, HTTPServer]) -> Iterator[HTTPServer]:
    """Another host on loopback that plays the fault, robots.txt included."""
    yield servers[1]
    servers[1].clear()


class RawServer:
    """A TCP server on 127.0.0.1 for what an HTTP library will not send: a hang, a drip, a
    truncated body, an unparseable Location. robots.txt is answered 404."""

    def __init__(self, behave: Callable[[socket.socket, threading.Event], None]) -> None:
        self.behave = behave
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                request = conn.recv(65536)
                if request.startswith(b"GET /robots.txt "):
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                self.behave(conn, self.stop)
            except OSError:
                return  # the client gave up: that is the point

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for thread in self.threads:
            thread.join(timeout=2)
        self.listener.close()


@pytest.fixture
def raw() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(behave: Callable[[socket.socket, threading.Event], None]) -> RawServer:
        servers.append(RawServer(behave))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def hang(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """Headers at once, then one byte every 50 ms: each read in time, the whole never."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 90000\r\nConnection: close\r\n\r\n")
    while not stop.wait(0.05):
        conn.sendall(b"x")


def truncated(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\nkurz")


def bad_location(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://[::1\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    )


@dataclass
class Servers:
    main: HTTPServer
    fault: HTTPServer
    raw: Callable[[Callable[[socket.socket, threading.Event], None]], RawServer]


def in_turn(*responses: Response) -> Callable[[Request], Response]:
    queue = list(responses)
    return lambda _request: queue.pop(0) if len(queue) > 1 else queue[0]


def http_date(hours: float) -> str:
    return email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=hours), usegmt=True)


def retry_after(seconds: str) -> Response:
    return Response("", status=429, headers={"Retry-After": seconds})


def detail(title: str) -> Response:
    return Response(f"<html><body><main><h1>{title}</h1></main></body></html>", content_type="text/html")


@dataclass(frozen=True)
class Case:
    name: str
    serve: Callable[[Servers], str]  # plays the fault; returns the feed item's URL
    error: type[FetchError] | None  # None: the page comes after all
    reason: str = ""  # regex on the error's reason
    seconds: float = 1.0  # bound on the whole crawl
    settings: dict[str, Any] = field(default_factory=dict)
    sleeps: tuple[float, ...] | None = None  # the waits asked of Http.sleep, when they matter


def _serve(path: str, handler: Callable[[Request], Response], robots: str | Response = "") -> Any:
    def serve(s: Servers) -> str:
        s.fault.expect_request("/robots.txt").respond_with_handler(
            robots if callable(robots) else lambda _r: Response(robots or "", status=200 if robots else 404)
        )
        s.fault.expect_request(path).respond_with_handler(handler)
        return s.fault.url_for(path)

    return serve


def _raw(behave: Callable[[socket.socket, threading.Event], None]) -> Callable[[Servers], str]:
    return lambda s: f"{s.raw(behave).url}/bekanntmachung"


def _redirect_loop(s: Servers) -> str:
    s.fault.expect_request("/robots.txt").respond_with_data("", status=404)
    s.fault.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    s.fault.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    return s.fault.url_for("/a")


def _cross_host(s: Servers) -> str:
    s.fault.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /neu/\n")
    s.fault.expect_request("/neu/seite").respond_with_handler(lambda _r: detail("darf nicht kommen"))
    moved = {"Location": s.fault.url_for("/neu/seite")}
    s.main.expect_request("/umgezogen").respond_with_data("", status=301, headers=moved)
    return s.main.url_for("/umgezogen")


def _cross_host_allowed(s: Servers) -> str:
    s.fault.expect_request("/robots.txt").respond_with_data("", status=404)
    s.fault.expect_request("/neu/seite").respond_with_handler(lambda _r: detail("Neue Adresse"))
    moved = {"Location": s.fault.url_for("/neu/seite")}
    s.main.expect_request("/umgezogen").respond_with_data("", status=301, headers=moved)
    return s.main.url_for("/umgezogen")


def _chunked_oversize(_request: Request) -> Response:
    return Response((b"x" * 10_000 for _ in range(50)), content_type="text/html")  # no Content-Length


CASES = [
    Case(
        "429, kurzes Retry-After",
        _serve("/p", in_turn(retry_after("1"), detail("Nach Pause"))),
        None,
        settings={"request_deadline": 5.0},
        sleeps=(1.0,),
    ),
    Case(
        "429, langes Retry-After",
        _serve("/p", lambda _r: retry_after("86400")),
        SourcePaused,
        r"^HTTP 429, Retry-After 86400 s: Quelle pausiert bis \d\d\.\d\d\.\d{4} \d\d:\d\d UTC$",
        sleeps=(),
    ),
    Case(
        "503 mit Retry-After als Datum",
        _serve("/p", lambda _r: Response("", 503, headers={"Retry-After": http_date(hours=2)})),
        SourcePaused,
        r"^HTTP 503, Retry-After 7[12]\d\d s: Quelle pausiert bis \d\d\.\d\d\.\d{4} \d\d:\d\d UTC$",
    ),
    Case("5xx", _serve("/p", lambda _r: Response("kaputt", 503)), FetchError, r"^HTTP 503 nach 3 Versuchen$"),
    Case("5xx, dann gut", _serve("/p", in_turn(Response("", 500), detail("Zweiter Versuch"))), None),
    Case("hängt", _raw(hang), FetchError, r"^Zeitlimit der Anfrage \(0\.5 s\) überschritten$", 1.5, TIGHT),
    Case("tröpfelt", _raw(drip), FetchError, r"^Zeitlimit der Anfrage \(0\.5 s\) überschritten$", 1.5, TIGHT),
    Case("abgeschnitten", _raw(truncated), FetchError, r"^Verbindung abgebrochen"),
    Case("Weiterleitungsschleife", _redirect_loop, FetchError, r"^Weiterleitungsschleife: .*/b → .*/a$"),
    Case(
        "Weiterleitung ohne gültiges Ziel",
        _raw(bad_location),
        FetchError,
        r"^ungültige Weiterleitung \(Invalid URL in location header: Invalid port: ':1'\.\)$",
    ),
    Case(
        "Weiterleitung auf Host, dessen robots.txt verbietet",
        _cross_host,
        RobotsDisallowed,
        r"^nach Weiterleitung auf http://127\.0\.0\.1:\d+/neu/seite: robots\.txt verbietet den Abruf$",
    ),
    Case("Weiterleitung auf anderen Host", _cross_host_allowed, None),
    Case(
        "robots.txt verbietet",
        _serve("/p", lambda _r: detail("verboten"), robots="User-agent: *\nDisallow: /p\n"),
        RobotsDisallowed,
        r"^robots\.txt verbietet den Abruf$",
    ),
    Case(
        "robots.txt 5xx",
        _serve("/p", lambda _r: detail("nie gefragt"), robots=lambda _r: Response("", 503)),
        RobotsDisallowed,
        r"^robots\.txt nicht abrufbar \(HTTP 503 nach 3 Versuchen\): kein Zugriff$",
    ),
    Case(
        "robots.txt 429, langes Retry-After",
        _serve("/p", lambda _r: detail("nie gefragt"), robots=lambda _r: retry_after("3600")),
        SourcePaused,
        r"^robots\.txt: HTTP 429, Retry-After 3600 s: Quelle pausiert bis ",
    ),
    Case(
        "robots.txt 429, dann erlaubt",
        _serve("/p", lambda _r: detail("Erlaubt"), robots=in_turn(retry_after("0"), Response("", 404))),
        None,
    ),
    Case(
        "zu groß (Content-Length)",
        _serve("/p", lambda _r: Response(b"x" * 200_000)),
        FetchError,
        r"^Antwort größer als 100000 Bytes$",
    ),
    Case(
        "zu groß (ohne Content-Length)",
        _serve("/p", _chunked_oversize),
        FetchError,
        r"^Antwort größer als 100000 Bytes$",
    ),
]


def feed(*links: str) -> str:
    items = "".join(
        f"<item><title>Bekanntmachung {n}</title><link>{link}</link><description>Vergabestelle: Stadt"
        f"</description></item>"
        for n, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bund</title>{items}</channel></rss>'


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fault(case: Case, main: HTTPServer, fault: HTTPServer, raw: Any) -> None:
    url = case.serve(Servers(main, fault, raw))
    main.expect_request("/gut/1").respond_with_handler(lambda _r: detail("Eins"))
    main.expect_request("/gut/2").respond_with_handler(lambda _r: detail("Zwei"))
    good = [main.url_for("/gut/1"), main.url_for("/gut/2")]
    main.expect_request("/feed").respond_with_data(
        feed(good[0], url, good[1]), content_type="application/rss+xml"
    )
    source = Bund(feed_url=main.url_for("/feed"))
    sleeps: list[float] = []
    items: list[RawDocument | FetchError] = []
    paused: SourcePaused | None = None
    started = time.monotonic()
    with Http(settings=HttpSettings(**{**BASE, **case.settings}), sleep=sleeps.append) as http:
        try:
            items.extend(source.crawl(http, None))
        except SourcePaused as exc:
            paused = exc
    seconds = time.monotonic() - started

    docs = [i.url for i in items if isinstance(i, RawDocument)]
    errors = [i for i in items if isinstance(i, FetchError)]
    if case.error is None:
        assert (errors, paused) == ([], None)
        assert docs[:2] == [source.feed_url, good[0]]
        assert docs[3:] == [good[1]]
        assert len(docs) == 4
        outcome = f"ok ({docs[2]})" if docs[2] != url else "ok"
    elif case.error is SourcePaused:
        assert errors == []
        assert paused is not None
        assert paused.url == url
        assert re.search(case.reason, paused.reason), paused.reason
        assert docs == [source.feed_url, good[0]]  # the source stops: nothing more is asked of it
        outcome = f"pausiert: {paused.reason}"
    else:
        assert paused is None
        assert [(type(e), e.url) for e in errors] == [(case.error, url)]
        assert re.search(case.reason, errors[0].reason), errors[0].reason
        assert docs == [source.feed_url, *good]  # the others still come, each once
        outcome = f"{type(errors[0]).__name__}: {errors[0].reason}"
    assert seconds < case.seconds
    if case.sleeps is not None:
        assert tuple(sleeps) == case.sleeps
    assert len([r for r, _ in main.log if r.path == "/gut/1"]) == 1  # nothing fetched twice
    MATRIX.append((case.name, outcome, seconds))


def test_a_cross_host_redirect_asks_robots_before_the_page(
    main: HTTPServer, fault: HTTPServer, raw: Any
) -> None:
    with Http(settings=HttpSettings(**BASE)) as http:
        with pytest.raises(RobotsDisallowed):
            http.get(_cross_host(Servers(main, fault, raw)))
        assert [r.path for r, _ in fault.log] == ["/robots.txt"]  # the page itself never asked for
    fault.clear()
    with Http(settings=HttpSettings(**BASE)) as http:
        doc = http.get(_cross_host_allowed(Servers(main, fault, raw)))
    assert doc.url == fault.url_for("/neu/seite")
    assert [r.path for r, _ in fault.log] == ["/robots.txt", "/neu/seite"]


# --- pagination -------------------------------------------------------------------------------


def serve_search(
    server: HTTPServer,
    page: Callable[[int], dict[str, Any]],
    notice: Callable[[str], bytes] = lambda _number: NOTICE,
    delay: float = 0.0,
) -> list[dict[str, Any]]:
    """TED's search API, `page(n)` answering the n-th POST, and each notice's XML."""
    payloads: list[dict[str, Any]] = []

    def search(request: Request) -> Response:
        payloads.append(request.get_json())
        return Response(json.dumps(page(len(payloads))), content_type="application/json")

    def xml(request: Request) -> Response:
        time.sleep(delay)
        return Response(notice(request.path.split("/")[3]), content_type="application/xml")

    server.expect_request("/v3/notices/search", method="POST").respond_with_handler(search)
    server.expect_request(re.compile(r"/en/notice/[^/]+/xml")).respond_with_handler(xml)
    return payloads


def ted(server: HTTPServer, **kwargs: Any) -> TED:
    return TED(server.url_for("/v3/notices/search"), server.url_for("/en/notice/{}/xml"), **kwargs)


def test_ted_stops_on_a_repeated_token(main: HTTPServer) -> None:
    """The API that answered 20,000 POSTs in 30 s: the same token and notices forever. Here it
    gives up by itself after 50, so the crawl before the fix ends too."""
    payloads = serve_search(
        main,
        lambda n: {
            "notices": [] if n > 50 else [{"publication-number": "1-2026"}],
            "iterationNextToken": "t",
        },
    )
    started = time.monotonic()
    with Http(settings=HttpSettings(**BASE)) as http:
        items = list(ted(main).crawl(http, datetime(2026, 11, 1, tzinfo=UTC)))
    seconds = time.monotonic() - started
    assert len(payloads) == 2
    assert [type(i).__name__ for i in items] == ["RawDocument", "RawDocument", "RawDocument", "FetchError"]
    error = items[-1]
    assert isinstance(error, FetchError)
    assert (error.url, error.reason) == (
        main.url_for("/v3/notices/search"),
        "iterationNextToken wiederholt sich (Seite 2): Suche endet",
    )
    assert len([r for r, _ in main.log if r.path == "/en/notice/1-2026/xml"]) == 1
    MATRIX.append(("TED: Token wiederholt sich", f"FetchError: {error.reason}", seconds))


def test_ted_has_a_page_cap(main: HTTPServer) -> None:
    payloads = serve_search(
        main, lambda n: {"notices": [{"publication-number": f"{n}-2026"}], "iterationNextToken": f"t{n}"}
    )
    started = time.monotonic()
    with Http(settings=HttpSettings(**BASE)) as http:
        items = list(ted(main, max_pages=4).crawl(http, datetime(2026, 11, 1, tzinfo=UTC)))
    seconds = time.monotonic() - started
    assert len(payloads) == 4
    error = items[-1]
    assert isinstance(error, FetchError)
    assert error.reason == "mehr als 4 Suchseiten: Suche endet hier"
    assert len([i for i in items if isinstance(i, RawDocument)]) == 8  # 4 search pages, 4 notices
    MATRIX.append(("TED: Seitenlimit", f"FetchError: {error.reason}", seconds))


def test_a_source_run_has_a_time_budget(main: HTTPServer) -> None:
    serve_search(
        main, lambda n: {"notices": [{"publication-number": f"{n}-{k}"} for k in range(50)]}, delay=0.05
    )
    started = time.monotonic()
    with (
        Http(settings=HttpSettings(**BASE, source_budget=0.4)) as http,
        pytest.raises(SourcePaused, match=r"Zeitbudget der Quelle \(0\.4 s\) aufgebraucht") as info,
    ):
        list(ted(main).crawl(http, datetime(2026, 11, 1, tzinfo=UTC)))
    seconds = time.monotonic() - started
    assert seconds < 1.5  # without a budget: 50 notices of 50 ms each, 2.5 s
    assert "/en/notice/" in info.value.url
    MATRIX.append(("Zeitbudget einer Quelle", f"pausiert: {info.value.reason}", seconds))


# --- hostile XML ------------------------------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]><ContractNotice>&lol9;</ContractNotice>"
)


def hostile(secret: Path) -> dict[str, bytes]:
    buyer = "Служба за публикации на Европейския съюз".encode()
    include = (
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" parse="text"/>'
    )
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><ContractNotice '.encode()
    xxe = NOTICE.replace(b"<ContractNotice ", doctype, 1).replace(buyer, b"&xxe;")
    return {
        "billion-laughs": LAUGHS,
        "xxe": xxe,
        "xinclude": NOTICE.replace(buyer, include.encode()),
        "deep": b"<a>" * 5000 + b"</a>" * 5000,
        "good": NOTICE,
    }


def test_hostile_xml_is_refused_per_notice(main: HTTPServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-1234")
    bodies = hostile(secret)
    serve_search(
        main,
        lambda n: {"notices": [{"publication-number": k} for k in bodies] if n == 1 else []},
        bodies.__getitem__,
    )
    source = ted(main)
    started = time.monotonic()
    with Http(settings=HttpSettings(**BASE)) as http:
        docs = [
            d for d in source.crawl(http, datetime(2026, 11, 1, tzinfo=UTC)) if isinstance(d, RawDocument)
        ]
    outcomes: dict[str, str] = {}
    for doc in (d for d in docs if "/en/notice/" in d.url):
        name = doc.url.rsplit("/", 2)[1]
        try:
            records = list(source.parse(doc))
        except ParseError as exc:
            outcomes[name] = f"ParseError: {exc.reason}" if exc.url == doc.url else f"falsche URL {exc.url}"
        else:
            assert "GEHEIM" not in repr(records)
            outcomes[name] = f"ok, {len(records)} Bekanntmachung"
    seconds = time.monotonic() - started
    assert outcomes["billion-laughs"].startswith("ParseError: ")  # libxml2's amplification guard or ours
    assert outcomes["xxe"] == "ParseError: XML mit DOCTYPE/Entitäten wird abgelehnt"
    assert outcomes["deep"].startswith("ParseError: kein wohlgeformtes XML (Excessive depth")
    assert outcomes["xinclude"] == outcomes["good"] == "ok, 1 Bekanntmachung"  # not included, not read
    assert seconds < 2
    for name, outcome in outcomes.items():
        MATRIX.append((f"XML: {name}", outcome, seconds / len(outcomes)))


# --- local files (import-notices) --------------------------------------------------------------


def test_an_oversize_local_file_is_its_own_error_and_never_read(tmp_path: Path) -> None:
    big = tmp_path / "riesig.xml"
    big.write_bytes(b"<a>" + b" " * (21 * 1024 * 1024) + b"</a>")
    (tmp_path / "gut.xml").write_bytes(NOTICE)
    started = time.monotonic()
    tracemalloc.start()
    try:
        items = list(NoticeFiles([tmp_path]).crawl(None, None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    assert [(type(i).__name__, i.url.rsplit("/", 1)[1]) for i in items] == [
        ("RawDocument", "gut.xml"),
        ("FetchError", "riesig.xml"),
    ]
    error = items[1]
    assert isinstance(error, FetchError)
    assert error.reason == "Datei ist zu groß (21.0 MB, höchstens 20 MB)"
    assert peak < 5 * 1024 * 1024
    MATRIX.append(("Datei über 20 MB", f"FetchError: {error.reason}", seconds))


def test_an_archive_is_read_member_by_member(tmp_path: Path) -> None:
    package = tmp_path / "paket.tar"
    with tarfile.open(package, "w") as tar:
        for name, body in (("a.xml", NOTICE), ("riesig.xml", b" " * (21 * 1024 * 1024)), ("z.xml", NOTICE)):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        filler = tarfile.TarInfo("beiwerk.bin")  # not a notice: never read
        filler.size = 8 * 1024 * 1024
        tar.addfile(filler, io.BytesIO(b"\0" * filler.size))
    started = time.monotonic()
    tracemalloc.start()
    try:
        items = list(NoticeFiles([package], max_bytes=20 * 1024 * 1024).crawl(None, None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    assert [(type(i).__name__, i.url.rsplit("#", 1)[1]) for i in items] == [
        ("RawDocument", "a.xml"),
        ("FetchError", "riesig.xml"),
        ("RawDocument", "z.xml"),
    ]
    assert peak < 5 * 1024 * 1024  # the 29 MB archive never whole in memory
    MATRIX.append(("Archiv mit Datei über 20 MB", f"FetchError: {items[1].reason}", seconds))


# --- through the pipeline: a paused source is recorded, the next one runs -----------------------


def test_a_paused_source_is_recorded_and_the_next_runs(
    main: HTTPServer, fault: HTTPServer, tmp_path: Path
) -> None:
    engine = fresh_engine("sqlite", tmp_path)
    fault.expect_request("/robots.txt").respond_with_data("", status=404)
    fault.expect_request("/p").respond_with_data("", status=429, headers={"Retry-After": "7200"})
    main.expect_request("/gut/1").respond_with_handler(lambda _r: detail("Eins"))
    main.expect_request("/feed-a").respond_with_data(feed(main.url_for("/gut/1"), fault.url_for("/p")))
    main.expect_request("/feed-b").respond_with_data(feed(main.url_for("/gut/1")))
    clock = lambda: datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # noqa: E731
    with Http(settings=HttpSettings(**BASE), clock=clock, sleep=lambda _s: None) as http:
        paused = run_source(engine, Bund(feed_url=main.url_for("/feed-a")), http, clock=clock)
        other = run_source(engine, Bund(feed_url=main.url_for("/feed-b")), http, clock=clock)
    assert paused.status == "failed"
    assert paused.errors == [
        (
            fault.url_for("/p"),
            "fetch",
            "HTTP 429, Retry-After 7200 s: Quelle pausiert bis 20.11.2026 07:00 UTC",
        )
    ]
    assert (other.status, other.counts.new) == ("ok", 0)  # the same page: stored by the first run
    with session_scope(engine) as session:
        runs = [(r.status, r.errors) for r in session.scalars(select(Run).order_by(Run.id))]
        assert runs == [("failed", 1), ("ok", 0)]
        assert session.scalars(select(RunError.url)).all() == [fault.url_for("/p")]
        urls = session.scalars(select(RawDocumentRow.url).order_by(RawDocumentRow.id)).all()
    assert urls == [main.url_for("/feed-a"), main.url_for("/gut/1"), main.url_for("/feed-b")]  # nothing twice
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_pause_outlives_the_process_that_was_told(fault: HTTPServer, tmp_path: Path, backend: str) -> None:
    """Retry-After 7200 at 05:00: a run at 06:00 (cron, a new process) asks the host nothing,
    one at 07:01 asks again."""
    engine = fresh_engine(backend, tmp_path)
    fault.expect_request("/robots.txt").respond_with_data("", status=404)
    fault.expect_request("/p").respond_with_data("", status=429, headers={"Retry-After": "7200"})

    def run_at(hour: int, minute: int) -> Http:
        clock = lambda: datetime(2026, 11, 20, hour, minute, tzinfo=UTC)  # noqa: E731
        return Http(
            settings=HttpSettings(**BASE), clock=clock, sleep=lambda _s: None, pauses=StoredPauses(engine)
        )

    with run_at(5, 0) as http, pytest.raises(SourcePaused):
        http.get(fault.url_for("/p"))
    asked = len(fault.log)
    with run_at(6, 0) as http, pytest.raises(SourcePaused) as paused:
        http.get(fault.url_for("/p"))
    assert paused.value.reason == "HTTP 429, Retry-After 7200 s: Quelle pausiert bis 20.11.2026 07:00 UTC"
    assert len(fault.log) == asked  # not even robots.txt
    fault.clear()
    fault.expect_request("/robots.txt").respond_with_data("", status=404)
    fault.expect_request("/p").respond_with_data("wieder da")
    with run_at(7, 1) as http:
        assert http.get(fault.url_for("/p")).body == b"wieder da"
    engine.dispose()


def test_a_hostile_feed_is_its_parse_error_not_the_crawls_end(main: HTTPServer) -> None:
    main.expect_request("/feed").respond_with_data(LAUGHS, content_type="application/rss+xml")
    source = Bund(feed_url=main.url_for("/feed"))
    with Http(settings=HttpSettings(**BASE)) as http:
        items = list(source.crawl(http, None))
    assert [type(i).__name__ for i in items] == ["RawDocument"]
    with pytest.raises(ParseError) as info:
        list(source.parse(items[0]))  # type: ignore[arg-type]
    assert info.value.url == main.url_for("/feed")


def test_an_oversize_member_of_an_export_is_its_own_error(main: HTTPServer) -> None:
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", NOTICE)
        archive.writestr("riesig.xml", b" " * (21 * 1024 * 1024))
        archive.writestr("z.xml", NOTICE)
    main.expect_request("/api/notice-exports", query_string="pubDay=2026-11-20").respond_with_data(
        export.getvalue()
    )
    main.expect_request("/api/notice-exports").respond_with_data("", status=404)
    source = Oeffentlichevergabe(export_url=main.url_for("/api/notice-exports") + "?pubDay={}")
    clock = lambda: datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # noqa: E731
    with Http(settings=HttpSettings(**{**BASE, "max_body_bytes": 10**7}), clock=clock) as http:
        items = list(source.crawl(http, datetime(2026, 11, 19, tzinfo=UTC)))
    assert [(type(i).__name__, i.url.rsplit("#", 1)[-1]) for i in items] == [
        ("RawDocument", "a.xml"),
        ("FetchError", "riesig.xml"),
        ("RawDocument", "z.xml"),
    ]
    MATRIX.append(("Export-ZIP mit Datei über 20 MB", f"FetchError: {items[1].reason}", 0.0))
