"""A process killed with SIGKILL (no clean-up runs) leaves a database the next command can use.

The child is a real `python` process that pauses at a chosen statement and says so in a marker
file; the test then kills it with SIGKILL, the way the OOM killer or a power cut would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from kommunen.store.db import HEAD, current_revision, make_engine, upgrade
from tests.processes import kill_when

ROOT = Path(__file__).resolve().parents[1]

PAUSE_AT = """
import sys, time
from pathlib import Path
from sqlalchemy import event
from kommunen.store import db

url, marker, needle = sys.argv[1:4]
engine = db.make_engine(url)

@event.listens_for(engine, "after_cursor_execute")
def pause(conn, cursor, statement, parameters, context, executemany):
    if needle in statement:
        Path(marker).touch()
        time.sleep(120)

db.upgrade(engine)
"""


def kill_when_paused(tmp_path: Path, url: str, needle: str) -> None:
    marker = tmp_path / "paused"
    child = subprocess.Popen([sys.executable, "-c", PAUSE_AT, url, str(marker), needle], cwd=ROOT)
    kill_when(child, marker.exists, f"reaching {needle!r}")


@pytest.mark.parametrize(
    "needle",
    ["CREATE TABLE gebiete", "CREATE TABLE tenders", "ALTER TABLE tenders ADD COLUMN search_text"],
)
def test_killed_during_migration_the_next_start_migrates_cleanly(tmp_path: Path, needle: str) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    kill_when_paused(tmp_path, url, needle)
    engine = make_engine(url)
    assert current_revision(engine) is None  # nothing of the killed migration was kept
    assert "gebiete" not in inspect(engine).get_table_names()
    upgrade(engine)  # today's main: "table gebiete already exists", on every start
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tenders")).scalar_one() == 0


def test_the_cli_works_after_a_killed_first_migration(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = f"sqlite:///{home / 'kommunen.db'}"
    home.mkdir()
    kill_when_paused(tmp_path, url, "CREATE TABLE gebiete")
    env = {**os.environ, "KOMMUNEN_HOME": str(home), "KOMMUNEN_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-c", "from kommunen.cli import main; main()", "sources"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "already exists" not in result.stderr
    assert current_revision(make_engine(url)) == HEAD


def test_killed_mid_run_the_next_run_completes_without_duplicates(tmp_path: Path) -> None:
    """SIGKILL while `kommunen run` reads the recorded notices; the next run stores the rest once."""
    home = tmp_path / "home"
    env = {**os.environ, "KOMMUNEN_HOME": str(home)}
    cli = [sys.executable, "-c", "from kommunen.cli import main; main()", "run"]
    child = subprocess.Popen(
        cli, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("Aufgezeichnete Bekanntmachungen"):
            break
    time.sleep(1.5)  # inside the import of the 585 recorded files
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    result = subprocess.run(cli, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 3), result.stderr  # 3: the SDK's invalid examples are reported
    assert "Traceback" not in result.stderr
    assert (home / "leads.xlsx").stat().st_size > 0
    with make_engine(f"sqlite:///{home / 'kommunen.db'}").connect() as conn:
        stored, distinct = conn.execute(text("SELECT count(*), count(DISTINCT source_id) FROM tenders")).one()
        running = conn.execute(text("SELECT count(*) FROM runs WHERE status = 'running'")).scalar_one()
    assert stored == distinct
    assert stored >= 493
    assert running == 0
