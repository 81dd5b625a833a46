"""Error reports survive: a run killed with SIGKILL is closed at the next start with its errors
kept, and a document its parser rejected stays reported on every later run until it parses."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.collect.pipeline import reparse, run_source
from kommunen.store.db import session_scope
from kommunen.store.models import RawDocumentRow, Run, RunError, Tender
from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.notice_files import NoticeFiles
from scrapers.records import Record
from tests.processes import kill_when
from tests.recorded import SHARED

ROOT = Path(__file__).resolve().parents[1]
BROKEN = b'<?xml version="1.0"?>\n<Unbekannt><x>kaputt</x></Unbekannt>\n'
BIG_FOLDER = SHARED / "tenders/ted-r209-de"  # 370 notices: a few seconds to import
GOOD = SHARED / "tenders/eforms/veat_23.xml"
FIXED = SHARED / "tenders/eforms/can-social_23.xml"
runner = CliRunner()


def runs(database: Path) -> list[tuple[int, str, str, int, int]]:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT id, status, message, errors, documents FROM runs ORDER BY id").fetchall()


def count(database: Path, table: str) -> int:
    try:
        with sqlite3.connect(database, timeout=5) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_run_killed_mid_import_is_closed_at_the_next_start_with_its_errors(tmp_path: Path) -> None:
    home = tmp_path / "home"
    database = home / "kommunen.db"
    broken = tmp_path / "000-kaputt.xml"
    broken.write_bytes(BROKEN)
    env = {**os.environ, "KOMMUNEN_HOME": str(home), "KOMMUNEN_DATA_DIR": str(SHARED)}
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kommunen.cli import main; main()",
            "import-notices",
            str(broken),
            str(BIG_FOLDER),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # well into the folder, far from its end
    kill_when(child, lambda: count(database, "raw_documents") >= 20, "20 archived documents")
    ((run_id, status, _, _, _),) = runs(database)
    assert status == "running"  # nothing could run in the killed process

    started = time.monotonic()
    shown = runner.invoke(app, ["sources", "-f", "json"], env={"KOMMUNEN_HOME": str(home)})
    assert shown.exit_code == 0, shown.output
    eforms = next(s for s in json.loads(shown.output) if s["name"] == "eforms")
    assert (eforms["status"], eforms["errors"]) == ("failed", 1)
    assert time.monotonic() - started < 10

    ((closed_id, status, message, errors, documents),) = runs(database)
    assert (closed_id, status, errors) == (run_id, "failed", 1)
    assert message.startswith(
        f"abgebrochen: der Prozess {os.uname().nodename}:{child.pid} endete mitten im Lauf"
    )
    assert "kill -9" in message
    assert documents >= 20  # progress is kept with each stored document
    with sqlite3.connect(database) as conn:
        (kept,) = conn.execute("SELECT run_id, stage, url, message FROM run_errors").fetchall()
    assert kept == (run_id, "parse", broken.resolve().as_uri(), "keine Bekanntmachungs-ID (BT-701)")

    again = runner.invoke(
        app, ["import-notices", str(broken), str(BIG_FOLDER)], env={"KOMMUNEN_HOME": str(home)}
    )
    assert again.exception is None, again.output
    assert "Fehler   1" in again.output  # the rejected document again, the rest resumed
    assert [r[1] for r in runs(database)] == ["failed", "partial"]
    assert count(database, "raw_documents") == 370  # the broken file and 369 notices, each once
    assert count(database, "tenders") == 369  # as from one uninterrupted import: none lost, none twice


def test_a_live_run_is_not_closed(engine: Engine) -> None:
    from kommunen.collect.pipeline import close_stale_runs

    now = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        session.add_all(
            [
                Run(
                    source="ted", started=now, status="running", holder=f"{os.uname().nodename}:{os.getpid()}"
                ),
                Run(source="bund", started=now, status="running", holder="other-host:12"),
                Run(source="bund", started=now, status="running", holder=""),  # from before holders
            ]
        )
    assert close_stale_runs(engine, now) == [3]
    assert close_stale_runs(engine, now.replace(day=22)) == [2]  # another host's, a day old
    with session_scope(engine) as session:
        assert session.scalars(select(Run.status).order_by(Run.id)).all() == ["running", "failed", "failed"]


@pytest.fixture
def notices(tmp_path: Path) -> Path:
    folder = tmp_path / "notices"
    folder.mkdir()
    (folder / "a-kaputt.xml").write_bytes(BROKEN)
    (folder / "b-veat.xml").write_bytes(GOOD.read_bytes())
    return folder


def test_a_rejected_document_stays_reported_until_it_is_fixed(notices: Path) -> None:
    broken_url = (notices / "a-kaputt.xml").resolve().as_uri()
    first = runner.invoke(app, ["import-notices", str(notices)])
    assert "2 Dokumente  neu     1  geändert    0  unverändert     0  Fehler   1" in first.output
    assert f"Lesen: {broken_url}: keine Bekanntmachungs-ID (BT-701)" in first.output
    second = runner.invoke(app, ["import-notices", str(notices)])
    assert "2 Dokumente  neu     0  geändert    0  unverändert     1  Fehler   1" in second.output
    assert f"Lesen: {broken_url}: keine Bekanntmachungs-ID (BT-701)" in second.output
    listed = {s["name"]: s for s in json.loads(runner.invoke(app, ["sources", "-f", "json"]).output)}
    assert (listed["eforms"]["status"], listed["eforms"]["errors"]) == ("partial", 1)

    (notices / "a-kaputt.xml").write_bytes(FIXED.read_bytes())  # the publisher sent a good one
    fixed = runner.invoke(app, ["import-notices", str(notices)])
    assert "2 Dokumente  neu     1  geändert    0  unverändert     1  Fehler   0" in fixed.output
    again = runner.invoke(app, ["import-notices", str(notices)])
    assert "2 Dokumente  neu     0  geändert    0  unverändert     2  Fehler   0" in again.output
    listed = {s["name"]: s for s in json.loads(runner.invoke(app, ["sources", "-f", "json"]).output)}
    assert (listed["eforms"]["status"], listed["eforms"]["errors"]) == ("ok", 0)


class ParserFixedLater:
    """The eForms parser before and after a fix: rejects one URL until `fixed` is set."""

    name = "eforms"
    kind = NoticeFiles.kind
    default_schedule = ""

    def __init__(self, paths: list[Path], rejected: str) -> None:
        self.files, self.rejected, self.fixed = NoticeFiles(paths), rejected, False

    def crawl(self, http: object, since: datetime | None) -> Iterator[RawDocument]:
        yield from self.files.crawl(None, since)  # type: ignore[misc]

    def parse(self, doc: RawDocument) -> Iterator[Record]:
        if doc.url == self.rejected and not self.fixed:
            raise ParseError(doc.url, "Parser kennt diese Fassung nicht")
        yield from self.files.parse(doc)


def test_a_rejected_document_is_parsed_once_its_parser_accepts_it(engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "veat.xml"
    good.write_bytes(GOOD.read_bytes())
    source = ParserFixedLater([good], good.resolve().as_uri())
    for _ in range(2):
        summary = run_source(engine, source, None)  # type: ignore[arg-type]
        assert (summary.status, summary.counts.new, summary.errors) == (
            "partial",
            0,
            [(good.resolve().as_uri(), "parse", "Parser kennt diese Fassung nicht")],
        )
    source.fixed = True  # the same bytes, a newer parser
    summary = run_source(engine, source, None)  # type: ignore[arg-type]
    assert (summary.status, summary.counts.new, summary.errors) == ("ok", 1, [])
    summary = run_source(engine, source, None)  # type: ignore[arg-type]
    assert (summary.status, summary.documents, summary.counts.new, summary.errors) == ("ok", 1, 0, [])
    with session_scope(engine) as session:
        assert session.scalars(select(RawDocumentRow.parse_error)).all() == [""]
        assert len(session.scalars(select(Tender.source_id)).all()) == 1
        assert session.scalars(select(Run.errors).order_by(Run.id)).all() == [1, 1, 0, 0]
        assert len(session.scalars(select(RunError.id)).all()) == 2


def test_reparse_clears_and_sets_the_rejection(engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "veat.xml"
    good.write_bytes(GOOD.read_bytes())
    source = ParserFixedLater([good], good.resolve().as_uri())
    run_source(engine, source, None)  # type: ignore[arg-type]
    source.fixed = True
    summary = reparse(engine, source)  # type: ignore[arg-type]
    assert (summary.status, summary.counts.new) == ("ok", 1)
    with session_scope(engine) as session:
        assert session.scalars(select(RawDocumentRow.parse_error)).all() == [""]
