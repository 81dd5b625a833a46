"""Engine, sessions and schema: SQLite by default (WAL, foreign keys on), any SQLAlchemy URL.

The schema is kept by Alembic and brought up to date on every start; when it already is,
one SELECT tells so and Alembic is never imported (CLI start-up stays fast).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from kommunen.config import Settings
from kommunen.errors import ConfigError

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0019"  # tests/test_db.py checks this equals Alembic's head revision


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            folder = Path(path).expanduser().parent
            blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
            if blocking is not None:
                raise ConfigError(
                    f"{blocking} ist eine Datei, kein Ordner: KOMMUNEN_HOME oder KOMMUNEN_DATABASE_URL prüfen"
                )
            folder.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, **kwargs)
    except Exception as exc:  # bad URL or missing driver: one clear line
        raise ConfigError(f"KOMMUNEN_DATABASE_URL {url!r} ist nicht nutzbar: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 runs DDL outside any transaction (it only opens one before DML): a kill
    # during a migration left half a schema behind for good. Transactions are begun here instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """BEGIN for every transaction, IMMEDIATE (the write lock at once) where asked: two processes
    migrating a fresh database one after the other, never both half-way."""
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def known_revisions() -> list[str]:
    return sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def _check_is_ours(engine: Engine, revision: str | None) -> None:
    """Never extend another program's database, never guess at a schema from a newer kommunen."""
    where = engine.url.render_as_string(hide_password=True)
    if revision is None:
        tables = inspect(engine).get_table_names()
        if tables:
            raise ConfigError(
                f"{where} ist keine kommunen-Datenbank (Tabellen: {', '.join(sorted(tables)[:5])}): "
                "eine leere oder eigene Datei wählen (KOMMUNEN_DATABASE_URL)"
            )
    elif revision not in known_revisions():
        raise ConfigError(
            f"{where} hat das Schema {revision}, dieses kommunen kennt nur bis {HEAD}: "
            "kommunen aktualisieren oder eine andere Datenbank wählen"
        )


def upgrade(engine: Engine) -> None:
    """Apply all migrations in one transaction (idempotent): killed half-way, nothing is applied."""
    revision = current_revision(engine)
    if revision == HEAD:
        return
    _check_is_ours(engine, revision)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


_engines: dict[str, Engine] = {}


def engine_for(settings: Settings) -> Engine:
    """One migrated engine per database URL and process."""
    engine = _engines.get(settings.database_url)
    if engine is None:
        engine = make_engine(settings.database_url)
        upgrade(engine)
        _engines[settings.database_url] = engine
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
