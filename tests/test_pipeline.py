"""The pipeline end to end over real HTTP on loopback, with real eForms notices as the bodies."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, func, select
from werkzeug import Request, Response

from kommunen.collect.pipeline import archive_validators, reparse, run_source
from kommunen.store.db import session_scope
from kommunen.store.models import Gemeinde, RawDocumentRow, Run, RunError, Tender
from scrapers.bund import Bund
from scrapers.http import Http, HttpSettings
from scrapers.oeffentlichevergabe import ACCEPT_EFORMS, Oeffentlichevergabe
from scrapers.registry import SOURCES
from scrapers.ted import TED
from tests.conftest import import_shared
from tests.recorded import SHARED

NOTICES = ["cn_24_multilingual", "veat_23", "pin-only_24", "INVALID_cn_24_empty", "can-social_25"]
FIRST_RUN = datetime(2026, 11, 20, 5, 15, tzinfo=UTC)


def clock(at: datetime = FIRST_RUN):  # type: ignore[no-untyped-def]
    return lambda: at


@pytest.fixture
def http(httpserver: HTTPServer, engine: Engine) -> Iterator[Http]:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    settings = HttpSettings(min_interval=0, backoff_base=0.01, retries=2)
    with Http(
        settings=settings, sleep=lambda _s: None, validators=archive_validators(engine), clock=clock()
    ) as c:
        yield c


def serve_ted(httpserver: HTTPServer, notices: list[str], body_of=None) -> list[dict]:  # type: ignore[no-untyped-def]
    """TED's search API (two pages, then an empty one with a token) and the notice XML."""
    payloads: list[dict] = []
    pages = [notices[:3], notices[3:], []]

    def search(request: Request) -> Response:
        payload = request.get_json()
        payloads.append(payload)
        number = int(payload.get("iterationNextToken", "t0")[1:])  # like TED: the token says where
        page = pages[min(number, 2)]
        body = {"notices": [{"publication-number": n} for n in page], "iterationNextToken": f"t{number + 1}"}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/v3/notices/search", method="POST").respond_with_handler(search)
    for name in notices:
        body = (body_of or {}).get(name) or (SHARED / f"tenders/eforms/{name}.xml").read_bytes()
        httpserver.expect_request(f"/en/notice/{name}/xml").respond_with_data(
            body, content_type="application/xml"
        )
    return payloads


def ted(httpserver: HTTPServer) -> TED:
    return TED(
        search_url=httpserver.url_for("/v3/notices/search"),
        notice_url=httpserver.url_for("/en/notice/{}/xml"),
    )


def tender_rows(engine: Engine) -> dict[str, Tender]:
    with session_scope(engine) as session:
        return {t.source_id: t for t in session.scalars(select(Tender))}


def test_ted_crawl_paginates_stores_and_records_errors(
    httpserver: HTTPServer, engine: Engine, http: Http
) -> None:
    import_shared(engine)
    payloads = serve_ted(httpserver, NOTICES)
    summary = run_source(
        engine, ted(httpserver), http, since=datetime(2026, 11, 1, tzinfo=UTC), clock=clock()
    )
    assert [p.get("iterationNextToken") for p in payloads] == [None, "t1", "t2"]
    assert payloads[0]["query"] == (
        "(buyer-country = DEU OR place-of-performance IN (DEU)) AND publication-date >= 20261101"
    )
    assert payloads[0]["limit"] == 250
    assert summary.status == "partial"
    assert summary.documents == 3 + len(NOTICES)
    assert (summary.counts.new, summary.counts.changed) == (4, 0)
    assert summary.errors == [
        (
            httpserver.url_for("/en/notice/INVALID_cn_24_empty/xml"),
            "parse",
            "keine Bekanntmachungs-ID (BT-701)",
        )
    ]
    rows = tender_rows(engine)
    neckargemuend = next(t for t in rows.values() if t.buyer_name == "Stadt Neckargemünd")
    assert neckargemuend.kommune_key == "08226056"  # Neckargemünd, Stadt: by PLZ 69151 and name
    assert neckargemuend.first_seen == FIRST_RUN
    assert sum(1 for t in rows.values() if t.kommune_key) == 1
    with session_scope(engine) as session:
        run = session.scalars(select(Run)).one()
        assert (run.status, run.new, run.errors, run.finished) == ("partial", 4, 1, FIRST_RUN)
        error = session.scalars(select(RunError)).one()
        assert (error.stage, error.url) == ("parse", httpserver.url_for("/en/notice/INVALID_cn_24_empty/xml"))
        archived = select(func.count()).where(RawDocumentRow.source == "ted")  # the GV files are there too
        assert session.scalar(archived) == 3 + len(NOTICES)


def test_same_responses_twice_change_nothing(httpserver: HTTPServer, engine: Engine, http: Http) -> None:
    serve_ted(httpserver, NOTICES)
    run_source(engine, ted(httpserver), http, clock=clock())
    before = {k: (v.content_hash, v.first_seen) for k, v in tender_rows(engine).items()}
    again = run_source(engine, ted(httpserver), http, clock=clock(datetime(2026, 11, 21, tzinfo=UTC)))
    assert (again.counts.new, again.counts.changed) == (0, 0)
    assert {k: (v.content_hash, v.first_seen) for k, v in tender_rows(engine).items()} == before
    with session_scope(engine) as session:
        # the search pages are identical bodies too: the archive holds each body once
        assert session.scalar(select(func.count()).select_from(RawDocumentRow)) == 3 + len(NOTICES)


def test_changed_notice_updates_in_place_and_keeps_first_seen(
    httpserver: HTTPServer, engine: Engine, http: Http
) -> None:
    serve_ted(httpserver, NOTICES)
    run_source(engine, ted(httpserver), http, clock=clock())
    original = (SHARED / "tenders/eforms/veat_23.xml").read_bytes()
    corrected = original.replace(b"Stadt Neckargem\xc3\xbcnd", b"Stadt Neckargem\xc3\xbcnd, Hauptamt")
    assert corrected != original
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("")
    serve_ted(httpserver, NOTICES, body_of={"veat_23": corrected})
    later = datetime(2026, 11, 21, 5, 15, tzinfo=UTC)
    http.clock = clock(later)
    summary = run_source(engine, ted(httpserver), http, clock=clock(later))
    assert (summary.counts.new, summary.counts.changed) == (0, 1)
    row = next(t for t in tender_rows(engine).values() if t.buyer_name.startswith("Stadt Neckargem"))
    assert row.buyer_name == "Stadt Neckargemünd, Hauptamt"
    assert (row.first_seen, row.last_changed) == (FIRST_RUN, later)
    assert len(tender_rows(engine)) == 4


def test_failed_search_marks_the_run_failed_and_keeps_what_was_stored(
    httpserver: HTTPServer, engine: Engine, http: Http
) -> None:
    serve_ted(httpserver, NOTICES)
    run_source(engine, ted(httpserver), http, clock=clock())
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("")
    httpserver.expect_request("/v3/notices/search", method="POST").respond_with_data("", status=503)
    summary = run_source(engine, ted(httpserver), http, clock=clock())
    assert summary.status == "failed"
    assert "HTTP 503 nach 3 Versuchen" in summary.message
    assert len(tender_rows(engine)) == 4


def test_reparse_rebuilds_from_the_archive(httpserver: HTTPServer, engine: Engine, http: Http) -> None:
    serve_ted(httpserver, NOTICES)
    source = ted(httpserver)
    run_source(engine, source, http, clock=clock())
    with session_scope(engine) as session:
        session.query(Tender).delete()
    summary = reparse(engine, source)
    assert summary.counts.new == 4
    assert [stage for _, stage, _ in summary.errors] == ["parse"]
    assert len(tender_rows(engine)) == 4


def export_zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(f"{name}.xml", (SHARED / f"tenders/eforms/{name}.xml").read_bytes())
    return buffer.getvalue()


def test_oeffentlichevergabe_export(httpserver: HTTPServer, engine: Engine, http: Http) -> None:
    httpserver.expect_request(
        "/api/notice-exports", query_string="pubDay=2026-11-19", headers={"Accept": ACCEPT_EFORMS}
    ).respond_with_data(export_zip(["veat_23", "pin-cfc_25", "INVALID_pin-only_24_empty"]))
    httpserver.expect_request("/api/notice-exports", query_string="pubDay=2026-11-20").respond_with_data(
        "", status=404
    )
    source = Oeffentlichevergabe(export_url=httpserver.url_for("/api/notice-exports") + "?pubDay={}")
    summary = run_source(engine, source, http, since=datetime(2026, 11, 19, tzinfo=UTC), clock=clock())
    assert summary.counts.new == 2
    assert len(summary.errors) == 1
    assert summary.errors[0][0].endswith("#INVALID_pin-only_24_empty.xml")
    flughafen = next(t for t in tender_rows(engine).values() if t.buyer_city == "Stuttgart")
    assert (flughafen.source, flughafen.buyer_name) == ("oeffentlichevergabe", "Flughafen Stuttgart GmbH")
    assert flughafen.kommune_key is None  # a company, not a municipality


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ausschreibungen</title>
<item><title>Sprachmittlung für die Ausländerbehörde</title>
<link>{detail}</link>
<guid>{detail}</guid>
<description>&lt;p&gt;Vergabestelle: Stadt Musterhausen&lt;/p&gt;
&lt;p&gt;Angebotsfrist: 05.12.2026&lt;/p&gt;</description>
<pubDate>Fri, 20 Nov 2026 08:00:00 +0100</pubDate></item>
<item><title>Reinigung Rathaus</title><link>{missing}</link></item>
</channel></rss>"""
DETAIL = """<html><body><main><h1>Sprachmittlung für die Ausländerbehörde (Lose 1-3)</h1>
<dl><dt>Vergabestelle:</dt><dd>Stadt Musterhausen, Fachbereich Ordnung</dd>
<dt>Angebotsfrist:</dt><dd>07.12.2026</dd><dt>Veröffentlicht:</dt><dd>20.11.2026</dd></dl>
<p>Dolmetsch- und Übersetzungsleistungen in 12 Sprachen.</p></main></body></html>"""


def test_bund_feed_and_notice_pages(httpserver: HTTPServer, engine: Engine, http: Http) -> None:
    """The feed and page here follow RSS 2.0 and a plain dl layout: no real sample is recorded."""
    detail, missing = httpserver.url_for("/ausschreibung/123456.html"), httpserver.url_for("/weg.html")
    httpserver.expect_request("/rss").respond_with_data(
        RSS.format(detail=detail, missing=missing), content_type="application/rss+xml"
    )
    httpserver.expect_request("/ausschreibung/123456.html").respond_with_data(
        DETAIL, content_type="text/html"
    )
    httpserver.expect_request("/weg.html").respond_with_data("", status=404)
    summary = run_source(engine, Bund(feed_url=httpserver.url_for("/rss")), http, clock=clock())
    assert [(url, stage) for url, stage, _ in summary.errors] == [(missing, "fetch")]
    rows = tender_rows(engine)
    assert set(rows) == {detail, missing}  # the feed's records; the page updated the first in place
    row = rows[detail]
    assert row.title == "Sprachmittlung für die Ausländerbehörde (Lose 1-3)"
    assert row.buyer_name == "Stadt Musterhausen, Fachbereich Ordnung"
    assert row.submission_deadline is not None
    assert row.submission_deadline.astimezone(UTC) == datetime(2026, 12, 7, 22, 59, tzinfo=UTC)
    assert row.publication_date == date(2026, 11, 20)
    assert "12 Sprachen" in row.description
    assert rows[missing].title == "Reinigung Rathaus"


def test_registry() -> None:
    for name, source in SOURCES.items():
        assert source.name == name
        assert source.kind in {"gemeinde", "tender", "funding", "department", "code"}
        module = __import__(type(source).__module__, fromlist=["_"])
        header = module.__doc__ or ""
        assert "Quelle" in header
        assert "Format" in header


class Interrupted(TED):
    """TED whose crawl is killed (Ctrl-C) after the first notices, as a user or OOM would."""

    def crawl(self, http, since):  # type: ignore[no-untyped-def]
        for n, doc in enumerate(super().crawl(http, since)):
            if n == 3:
                raise KeyboardInterrupt
            yield doc


def test_killed_run_keeps_what_it_stored_and_the_next_run_resumes(
    httpserver: HTTPServer, engine: Engine, http: Http
) -> None:
    serve_ted(httpserver, NOTICES)
    search, notice = httpserver.url_for("/v3/notices/search"), httpserver.url_for("/en/notice/{}/xml")
    with pytest.raises(KeyboardInterrupt):
        run_source(engine, Interrupted(search_url=search, notice_url=notice), http, clock=clock())
    assert len(tender_rows(engine)) == 2  # the two notices fetched before the kill
    with session_scope(engine) as session:
        assert session.scalars(select(Run.status)).all() == ["failed"]
    summary = run_source(engine, ted(httpserver), http, clock=clock())
    assert (summary.status, summary.counts.new) == ("partial", 2)  # the rest; nothing twice
    assert len(tender_rows(engine)) == 4


def test_offline_mirror_replays_recorded_responses(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kommunen.collect.sources import make_http
    from kommunen.config import ScrapeSettings

    notice = "https://ted.europa.eu/en/notice/12345-2026/xml"
    (tmp_path / "manifest.json").write_text(json.dumps({notice: "veat_23.xml"}))
    (tmp_path / "veat_23.xml").write_bytes((SHARED / "tenders/eforms/veat_23.xml").read_bytes())
    with make_http(ScrapeSettings(contact="test@example.org", min_interval=1.0, mirror=tmp_path)) as offline:
        doc = offline.get(notice)
        assert doc.body.startswith(b"<?xml")
        with pytest.raises(Exception, match="HTTP 404"):
            offline.get("https://ted.europa.eu/en/notice/99999-2026/xml")


def test_foerderdatenbank_export_and_etag(httpserver: HTTPServer, engine: Engine, http: Http) -> None:
    from kommunen.matching.funding import find_funding
    from scrapers.foerderdatenbank import Foerderdatenbank
    from tests.scrapers.test_foerderdatenbank import export_zip

    body = export_zip()
    httpserver.expect_request("/FDB/WS/export", headers={"If-None-Match": '"e1"'}).respond_with_data(
        "", status=304
    )
    httpserver.expect_request("/FDB/WS/export").respond_with_data(body, headers={"ETag": '"e1"'})
    source = Foerderdatenbank(export_url=httpserver.url_for("/FDB/WS/export"))
    first = run_source(engine, source, http, clock=clock())
    assert (first.status, first.counts.new) == ("ok", 3)
    second = run_source(engine, source, http, clock=clock())
    counts = (second.counts.new, second.counts.changed, second.counts.unchanged)
    assert (second.documents, counts) == (1, (0, 0, 3))  # 304: nothing downloaded or parsed, 3 unchanged
    assert httpserver.log[-1][1].status_code == 304

    open_to_public = find_funding(engine, berechtigt="Öffentliche Einrichtung")
    assert [f.source_id for f in open_to_public] == ["Bund/BA/eingliederungszuschuss-bund"]
    assert [f.titel for f in find_funding(engine, search="Selbstständigkeit")] == ["Einstiegsgeld"]


def test_oparl_crawl_tolerates_a_failing_next_page(
    httpserver: HTTPServer, engine: Engine, http: Http
) -> None:
    """System → bodies → organizations over loopback. The bodies are real (Krefeld, Leipzig);
    the organization pages follow the spec's Organization example, as no endpoint's list is
    recorded yet."""
    from kommunen.places.departments import find_contacts
    from scrapers.oparl import OParl

    import_shared(engine)
    base = httpserver.url_for("/oparl")
    bodies = []
    for name, path in (("Stadt Krefeld", "krefeld"), ("Stadt Leipzig", "leipzig")):
        real = json.loads((SHARED / f"municipal/oparl-bodies/{name}.json").read_text())
        real.update(id=f"{base}/body/{path}", organization=f"{base}/body/{path}/organization")
        bodies.append(real)
    spec = json.loads((SHARED / "municipal/oparl-spec-examples/Organization-01.json").read_text())

    def org(path: str, number: int, name: str, kind: str) -> dict:
        return {
            **spec,
            "id": f"{base}/org/{path}/{number}",
            "body": f"{base}/body/{path}",
            "name": name,
            "organizationType": kind,
            "classification": "",
            "endDate": None,
        }

    httpserver.expect_request("/oparl/system").respond_with_json(
        {"id": f"{base}/system", "body": f"{base}/bodies"}
    )
    httpserver.expect_request("/oparl/bodies").respond_with_json({"data": bodies, "links": {}})
    # registered first: a handler without query_string would match page 2 as well
    httpserver.expect_request("/oparl/body/krefeld/organization", query_string="page=2").respond_with_data(
        "Internal Server Error", status=500
    )
    httpserver.expect_request("/oparl/body/krefeld/organization").respond_with_json(
        {
            "data": [
                org("krefeld", 1, "Fachbereich Soziales, Senioren, Wohnen", "Verwaltungsbereich"),
                org("krefeld", 2, "Integrationsrat", "Gremium"),
            ],
            "links": {"next": f"{base}/body/krefeld/organization?page=2"},
        }
    )
    httpserver.expect_request("/oparl/body/leipzig/organization").respond_with_json(
        {
            "data": [org("leipzig", 1, "Referat für Migration und Integration", "Verwaltungsbereich")],
            "links": {},
        }
    )
    summary = run_source(engine, OParl(endpoints=(f"{base}/system",)), http, clock=clock())
    assert summary.counts.new == 5  # 2 bodies + 3 organizations
    assert [(stage, message) for _, stage, message in summary.errors] == [
        ("fetch", "HTTP 500 nach 3 Versuchen")
    ]

    krefeld = find_contacts(engine, "05114000")
    assert [(c.stelle, c.art) for c in krefeld] == [
        ("Fachbereich Soziales, Senioren, Wohnen", "Verwaltungsbereich"),
        ("Integrationsrat", "Gremium"),
    ]
    assert krefeld[0].quelle == f"{base}/body/krefeld/organization"
    leipzig = find_contacts(engine, "14713000", thema="Integration")  # Leipzig's body has no ags: by name
    assert [c.stelle for c in leipzig] == ["Referat für Migration und Integration"]
    assert find_contacts(engine, "14713000", thema="Kultur") == []


def test_scrape_and_run_online_skip_an_unconfigured_source_and_go_on(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No KOMMUNEN_OPARL_ENDPOINTS: one line for oparl; every other due source runs, on loopback."""
    import re
    import time

    from typer.testing import CliRunner

    from kommunen.cli import app

    serve_ted(httpserver, NOTICES)
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request(re.compile(".*")).respond_with_data("nicht hier", status=404)
    base = httpserver.url_for("/").rstrip("/")
    for name in ("TED", "OEFFENTLICHEVERGABE", "BUND", "FOERDERDATENBANK", "CODELISTEN"):
        monkeypatch.setenv(f"KOMMUNEN_URL_{name}", base)
    monkeypatch.setenv("KOMMUNEN_MIN_INTERVAL", "0")
    runner = CliRunner()
    started = time.monotonic()
    scraped = runner.invoke(app, ["scrape"])
    assert scraped.exception is None or isinstance(scraped.exception, SystemExit), scraped.output
    lines = scraped.output.splitlines()
    skipped = [line for line in lines if line.startswith("oparl")]
    assert skipped == [
        "oparl: übersprungen, nicht eingerichtet (KOMMUNEN_OPARL_ENDPOINTS fehlt: "
        "System-URLs der OParl-Endpunkte, mit Komma getrennt)"
    ]
    ran = {line.split()[0] for line in lines if re.match(r"^\w+ +\S+ +\d+ Dokumente", line)}
    assert ran == {"ted", "oeffentlichevergabe", "bund", "foerderdatenbank", "codelisten"}
    # three search pages and five notices, one of them invalid: TED really ran, on loopback
    assert re.search(r"^ted +\S+ +8 Dokumente  neu +4", scraped.output, re.MULTILINE)
    paths = {request.path for request, _ in httpserver.log}
    assert {
        "/v3/notices/search",
        "/FDB/WS/export",
        "/Content/DE/Ausschreibungen/Suche/Formular.html",
        "/OP-TED/eForms-SDK/develop/codelists/cpv_social-service-cpv.gc",
    } <= paths
    assert any(path.startswith("/api/notice-exports") for path in paths)
    assert time.monotonic() - started < 30

    online = runner.invoke(app, ["run", "--online"])
    assert online.exception is None or isinstance(online.exception, SystemExit), online.output
    assert "oparl: übersprungen, nicht eingerichtet (KOMMUNEN_OPARL_ENDPOINTS fehlt" in online.output
    assert "Keine Quelle ist fällig" in online.output  # the others ran a moment ago
    assert "Leads für Mehrsprachig gGmbH: " in online.output


def test_the_warm_run_skips_the_unchanged_gemeindeverzeichnis(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """Like any archived source: unchanged bytes are not parsed again; changed ones are."""
    from typer.testing import CliRunner

    from kommunen.cli import app
    from kommunen.collect.imports import GV_FILE, PLZ_FILE

    data = tmp_path / "data"
    (data / "gemeinden").mkdir(parents=True)
    for name in (GV_FILE, PLZ_FILE):
        (data / name).write_bytes((SHARED / name).read_bytes())
    monkeypatch.setenv("KOMMUNEN_DATA_DIR", str(data))
    runner = CliRunner()
    gv_skipped = f"{data / GV_FILE}: unverändert seit dem letzten Import, übersprungen"
    plz_skipped = f"{data / PLZ_FILE}: unverändert seit dem letzten Import, übersprungen"

    cold = runner.invoke(app, ["run"])
    assert "Gemeinden   10959  neu  10959" in cold.output, cold.output
    warm = runner.invoke(app, ["run"])
    assert warm.exception is None, warm.output
    assert f"{gv_skipped}\n{plz_skipped}\n" in warm.output
    assert "Gemeinden   10959" not in warm.output
    assert "Leads für Mehrsprachig gGmbH: " in warm.output

    original = (data / GV_FILE).read_bytes()
    (data / GV_FILE).write_bytes(_flensburg_changed(original))
    changed = runner.invoke(app, ["import-gemeinden"])
    assert "Gemeinden   10959  neu      0  geändert     1  unverändert  10958" in changed.output
    assert plz_skipped in changed.output
    assert gv_skipped not in changed.output
    (data / GV_FILE).write_bytes(original)  # back to the first file: its data again, not skipped
    back = runner.invoke(app, ["import-gemeinden"])
    assert "Gemeinden   10959  neu      0  geändert     1  unverändert  10958" in back.output
    again = runner.invoke(app, ["import-gemeinden"])
    assert again.output == f"{gv_skipped}\n{plz_skipped}\n"
    with session_scope(make_engine_for_home()) as session:
        assert session.scalar(select(Gemeinde.einwohner).where(Gemeinde.ags == "01001000")) == 92_667
        archived = session.execute(
            select(RawDocumentRow.url).where(RawDocumentRow.source == "gemeindeverzeichnis")
        ).all()
    assert sorted(url for (url,) in archived) == sorted(
        [str(data / GV_FILE), str(data / GV_FILE), str(data / PLZ_FILE)]
    )  # the two versions of the Gemeindeverzeichnis, the PLZ list once


def _flensburg_changed(xlsx: bytes) -> bytes:
    """The 2024 directory with Flensburg's 92,667 inhabitants as 92,700: one cell of its sheet XML
    (`<v>92667</v>` occurs once, in xl/worksheets/sheet2.xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                assert body.count(b"<v>92667</v>") == 1
                body = body.replace(b"<v>92667</v>", b"<v>92700</v>")
            dst.writestr(item, body)
    return out.getvalue()


def make_engine_for_home() -> Engine:
    from kommunen.config import Settings
    from kommunen.store.db import engine_for

    return engine_for(Settings.from_env())
