"""A database made by the code before the move into packages opens with today's code, data kept.

The old code is the real one, taken from git (the last commit with the flat layout), run in a
subprocess: it migrates a database to an older revision and imports the real Gemeindeverzeichnis.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import HEAD, make_engine, session_scope, upgrade
from kommunen.store.models import Gemeinde
from tests.recorded import SHARED

ROOT = Path(__file__).resolve().parents[1]
FLAT_LAYOUT = "1bb7d13f41b546019fbd51331c5b034ae5d00934"  # kommunen/db.py, kommunen/migrations/

OLD_CODE = """
import sys
from alembic import command
from alembic.config import Config
from kommunen.db import MIGRATIONS, make_engine
from kommunen.gemeinden import import_gemeindeverzeichnis, read_document
from kommunen.db import session_scope

engine = make_engine(sys.argv[1])
config = Config()
config.set_main_option("script_location", str(MIGRATIONS))
with engine.begin() as conn:
    config.attributes["connection"] = conn
    command.upgrade(config, sys.argv[2])
shared = sys.argv[3]
with session_scope(engine) as session:
    import_gemeindeverzeichnis(session, [read_document(__import__("pathlib").Path(shared) / f)
                                         for f in ("gemeinden/AuszugGV4QAktuell.csv",
                                                   "gemeinden/zuordnung_plz_ort_landkreis.csv")])
"""


def old_tree(tmp_path: Path) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("git or the repository's history is missing: the old code cannot be taken from it")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", FLAT_LAYOUT, "kommunen", "scrapers"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"commit {FLAT_LAYOUT[:7]} not in this clone (shallow?)")
    target = tmp_path / "old"
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


@pytest.mark.parametrize("revision", ["0005", "0009"])
def test_a_database_of_the_flat_layout_upgrades_and_keeps_its_data(tmp_path: Path, revision: str) -> None:
    old = old_tree(tmp_path)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    subprocess.run(
        [sys.executable, "-c", OLD_CODE, url, revision, str(SHARED)],
        cwd=old,
        env={"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == revision
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Gemeinde)) == 11_004
        augsburg = session.get(Gemeinde, "09761000")
        assert augsburg is not None
        assert augsburg.name == "Augsburg"
        assert len(GemeindeIndex(session)) == 10_796
    engine.dispose()
