"""The index cache of `kommunen similar` (places/cache.py): used while the database is unchanged,
never once it changed, and a query from it needs no SQLAlchemy.

AuszugGV4QAktuell_2024.xlsx: Augsburg 09761000 has 303,150 inhabitants, Mannheim 08222000 316,877
(read with openpyxl).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from kommunen.places.cache import FILE_NAME, similar_index, sqlite_file
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.nachbarn import Nachbarn, Packed
from kommunen.places.similar import KommunenModel, SimilarQuery
from kommunen.store.db import session_scope
from tests.conftest import fresh_engine, import_shared

AUGSBURG = "09761000"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("cache"))
    import_shared(engine)
    return engine


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


class Builds:
    """`build` for similar_index, counting how often the database was read."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.count = engine, 0

    def __call__(self) -> GemeindeIndex:
        self.count += 1
        with session_scope(self.engine) as session:
            return GemeindeIndex(session)


def test_cache_is_used_until_the_database_changes(db: Engine, tmp_path: Path) -> None:
    build = Builds(db)
    first, _ = similar_index(_url(db), tmp_path, build)
    assert (tmp_path / "cache" / FILE_NAME).exists()
    again, nachbarn = similar_index(_url(db), tmp_path, build)
    assert build.count == 1
    assert again is not first  # read from the file
    assert again.einwohner[again.row_of[AUGSBURG]] == 303_150
    assert len(again.kreise) == 400
    model = KommunenModel(again, nachbarn)
    found = model.find(SimilarQuery(["Augsburg"], k=5))
    fresh = KommunenModel(first).find(SimilarQuery(["Augsburg"], k=5))
    assert [r.ags for r in found] == [r.ags for r in fresh]
    assert again.find("86150") == again.row_of[AUGSBURG]  # a postal code: the database, lazily

    with db.begin() as conn:
        conn.execute(text("UPDATE gemeinden SET einwohner = einwohner + 1 WHERE ags = :a"), {"a": AUGSBURG})
    changed, _ = similar_index(_url(db), tmp_path, build)
    assert build.count == 2
    assert changed.einwohner[changed.row_of[AUGSBURG]] == 303_151
    similar_index(_url(db), tmp_path, build)
    assert build.count == 2
    with db.begin() as conn:
        conn.execute(text("UPDATE gemeinden SET einwohner = einwohner - 1 WHERE ags = :a"), {"a": AUGSBURG})


def test_a_broken_cache_file_is_read_around(db: Engine, tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / FILE_NAME).write_bytes(b"\x80\x05 cut short")
    build = Builds(db)
    index, _ = similar_index(_url(db), tmp_path, build)
    assert build.count == 1
    assert len(index) == 10_754  # benchmarks/similar.py prints the same count
    similar_index(_url(db), tmp_path, build)
    assert build.count == 1


def test_only_sqlite_files_are_cached() -> None:
    assert sqlite_file("sqlite:////var/k/kommunen.db") == Path("/var/k/kommunen.db")
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u@host/kommunen") is None


def test_cli_from_the_cache_never_imports_sqlalchemy_pydantic_numpy_or_other_commands(
    db: Engine, tmp_path: Path
) -> None:
    # With this process's connections closed, SQLite folds the WAL of the updates above into the
    # file now, not when the first command closes its own (which would cost one more read).
    db.dispose()
    env = {**os.environ, "KOMMUNEN_DATABASE_URL": _url(db), "KOMMUNEN_HOME": str(tmp_path)}
    script = (
        "import sys\nsys.argv = ['kommunen', 'similar', 'Augsburg', '--k', '3']\n"
        "from kommunen.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(*(m in sys.modules for m in ('sqlalchemy', 'pydantic', 'numpy', 'kommunen.cli.leads')))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        for _ in range(3)
    ]
    assert runs[0].stdout.splitlines()[-1] == "True False False False"  # read the database, wrote the cache
    # On a busy machine SQLite may still fold its WAL into the file as the first command closes,
    # which counts as a change (one more read, never a stale answer); from then on the cache holds.
    # nor Pydantic: the arguments have their types already (cli.coercion); nor numpy (places.distance)
    assert runs[2].stdout.splitlines()[-1] == "False False False False"
    assert "1. Mannheim: 316.877 Einw. (Ref. Augsburg 303.150)" in runs[2].stdout


def test_the_cache_keeps_plain_columns_and_packed_neighbours(db: Engine, tmp_path: Path) -> None:
    build = Builds(db)
    first, nachbarn = similar_index(_url(db), tmp_path, build)
    first.einwohner  # noqa: B018 - the numpy array, made now: it is not pickled
    again, packed = similar_index(_url(db), tmp_path, build)
    assert build.count == 1
    assert "einwohner" in vars(first)
    assert "einwohner" not in vars(again)
    row = again.row_of[AUGSBURG]
    assert again.columns.einwohner[row] == 303_150
    assert again.einwohner[row] == 303_150  # made from the plain column at first use
    assert isinstance(packed.gemeinden, Packed)
    assert len(packed.gemeinden) == len(nachbarn.gemeinden)
    assert all(packed.gemeinden[key] == nachbarn.gemeinden[key] for key in list(nachbarn.gemeinden)[::97])
    assert packed.gemeinden.get("99999999", set()) == set()
    assert packed.kreise == nachbarn.kreise


def test_packing_keeps_keys_of_another_width_as_they_are() -> None:
    pairs = Nachbarn([("gemeinde", "09761000", "09772111"), ("gemeinde", "09761000", "0977")])
    assert Packed.of(pairs.gemeinden) == {
        "09761000": {"09772111", "0977"},
        "09772111": {"09761000"},
        "0977": {"09761000"},
    }
    packed = Packed.of(Nachbarn([("gemeinde", "09761000", "09772111")]).gemeinden)
    assert isinstance(packed, Packed)
    assert dict(packed) == {"09761000": {"09772111"}, "09772111": {"09761000"}}


def test_the_commands_of_each_cli_module_are_those_main_imports_it_for() -> None:
    """`main` imports only the module of the command it runs (kommunen.cli.COMMANDS)."""
    from typer.main import get_command_name

    from kommunen.cli import COMMANDS, app

    registered: dict[str, list[str]] = {}
    for command in app.registered_commands:
        assert command.callback is not None
        name = command.name or get_command_name(command.callback.__name__)
        registered.setdefault(command.callback.__module__.rsplit(".", 1)[-1], []).append(name)
    assert registered == {module: list(names) for module, names in COMMANDS.items()}
