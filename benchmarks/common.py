"""What the benchmarks share: the real data, and a fresh database that knows the Gemeinden."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import Engine

from kommunen.collect.imports import GV_FILE, PLZ_FILE, import_gemeindeverzeichnis, read_document
from kommunen.store.db import make_engine, session_scope, upgrade

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def database_with_gemeinden(name: str) -> Engine:
    """A migrated SQLite database in a new temporary folder, with the real Gemeindeverzeichnis."""
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp(prefix=f'kommunen-{name}-')) / f'{name}.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        import_gemeindeverzeichnis(
            session, [read_document(SHARED / GV_FILE), read_document(SHARED / PLZ_FILE)]
        )
    return engine
