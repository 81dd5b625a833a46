"""Two writing jobs on one database at once: the second waits for the first, nothing breaks.

Real processes, started together on a fresh database, as cron and a user at the terminal would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from kommunen.store.db import make_engine
from kommunen.store.lock import JobBusy, job_lock
from tests.recorded import SHARED

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from kommunen.cli import main; main()"]


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KOMMUNEN_HOME": str(home), "KOMMUNEN_DATA_DIR": str(SHARED)}
    return subprocess.Popen(
        [*CLI, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def both(first: subprocess.Popen[str], second: subprocess.Popen[str]) -> list[tuple[int, str]]:
    errors = [p.communicate(timeout=600)[1] for p in (first, second)]
    return [(p.returncode, err) for p, err in zip((first, second), errors, strict=True)]


def test_two_imports_at_once_on_a_fresh_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folders = [str(SHARED / "tenders" / f) for f in ("ted-eforms-de", "bekanntmachungsservice-eforms")]
    outcomes = both(start(home, "import-notices", *folders), start(home, "import-notices", *folders))
    for code, err in outcomes:
        assert code == 0, err
        assert "Traceback" not in err
        assert "autoflush" not in err
    assert any("wartet, bis er fertig ist" in err for _, err in outcomes)
    with make_engine(f"sqlite:///{home / 'kommunen.db'}").connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT source_id) FROM tenders")).one()
    assert tuple(stored) == (119, 119)


def test_two_gemeinde_imports_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    outcomes = both(start(home, "import-gemeinden"), start(home, "import-gemeinden"))
    for code, err in outcomes:
        assert code == 0, err
        assert "IntegrityError" not in err
    with make_engine(f"sqlite:///{home / 'kommunen.db'}").connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM gemeinden")).scalar_one() == 10_959


HOLD = """
import sys, time
from pathlib import Path
from kommunen.store.db import make_engine
from kommunen.store.lock import job_lock

with job_lock(make_engine(sys.argv[1]), "run"):
    Path(sys.argv[2]).touch()
    time.sleep(60)
"""


def test_the_lock_names_its_holder_and_a_waiter_gives_up_with_one_line(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "held"
    url = engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, url, str(marker)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert holder.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        told: list[str] = []
        waiting = job_lock(engine, "import-notices", wait_s=0.5, on_wait=told.append)
        with pytest.raises(JobBusy, match="Ein anderer kommunen-Job läuft noch") as busy, waiting:
            pass
        assert told
        assert "import-notices wartet" in told[0]
        if engine.dialect.name == "sqlite":
            assert f"run, Prozess {holder.pid}" in str(busy.value)
    finally:
        holder.kill()
        holder.wait()
    with job_lock(engine, "import-notices", wait_s=5):  # a killed holder's lock is free again
        pass
