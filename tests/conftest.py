"""Shared fixtures: a clean environment, and databases on SQLite and (when given) PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from kommunen.collect.imports import GV_FILE, PLZ_FILE, import_gemeindeverzeichnis
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import make_engine, session_scope, upgrade
from tests.recorded import SHARED, recorded

# Read before the autouse fixture below strips every KOMMUNEN_* variable.
POSTGRES_URL = os.environ.get("KOMMUNEN_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KOMMUNEN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KOMMUNEN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # never the developer's own file
    monkeypatch.setenv("KOMMUNEN_DATA_DIR", str(SHARED))


def fresh_engine(backend: str, tmp_path: Path) -> Engine:
    """An empty, migrated database of the given backend."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("KOMMUNEN_TEST_POSTGRES_URL not set (tests/run.sh starts a server)")
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine = fresh_engine(request.param, tmp_path)
    yield engine
    engine.dispose()


def import_shared(engine: Engine):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return import_gemeindeverzeichnis(session, [recorded(GV_FILE), recorded(PLZ_FILE)])


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> GemeindeIndex:
    """The real Gemeindeverzeichnis, imported once into SQLite, as an in-memory index."""
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("index"))
    import_shared(engine)
    with session_scope(engine) as session:
        return GemeindeIndex(session)


@pytest.fixture(scope="session")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kommunen run` on the recorded data, once per session, as a user's first morning leaves it:
    the KOMMUNEN_HOME to point a test at. Tests that use it read; they do not import anew."""
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("ran")
    env = {name: value for name, value in os.environ.items() if not name.startswith("KOMMUNEN_")}
    env |= {"KOMMUNEN_HOME": str(home), "KOMMUNEN_DATA_DIR": str(SHARED), "XDG_CONFIG_HOME": str(home)}
    cli = [sys.executable, "-c", "from kommunen.cli import main; main()", "run"]
    done = subprocess.run(cli, env=env, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 3, done.stdout + done.stderr  # partial: the invalid SDK examples stay reported
    return home
