"""What every command shares: the app, its option bundles, the database and the Gemeinde index."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from kommunen.cli import coercion
from kommunen.cli.german import GermanTyper
from kommunen.outputs.render import Format

coercion.install()

P = ParamSpec("P")
R = TypeVar("R")

app = GermanTyper(
    help="kommunen – Leads für Sozialunternehmen, deren Kunden deutsche Kommunen sind.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Ausgabe: table (lesbar), csv oder json.")
]


ProfileOption = Annotated[
    Path, typer.Option("--profile", "-p", help="Profil-Datei (TOML), z. B. data/profiles/integration.toml.")
]


class _State:
    debug = False
    exit_code = 0  # 3 once a source or document failed: cron must see the partial run


state = _State()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Bei Fehlern den Traceback zeigen.")] = False,
) -> None:
    state.debug = debug
    logging.basicConfig(  # per-document problems are summarised after each run instead
        level=logging.DEBUG if debug else logging.ERROR,
        format="%(levelname)s %(name)s %(message)s",
    )


def engine():  # type: ignore[no-untyped-def]
    from kommunen.config import Settings
    from kommunen.store.db import engine_for

    return engine_for(Settings.from_env())


def gemeinde_index():  # type: ignore[no-untyped-def]
    from kommunen.errors import DataFileError
    from kommunen.places.gemeinden import GemeindeIndex
    from kommunen.store.db import session_scope

    with session_scope(engine()) as session:
        index = GemeindeIndex(session)
    if not len(index):
        raise DataFileError(
            "Die Datenbank kennt noch keine Gemeinden: zuerst `kommunen import-gemeinden` "
            "oder `kommunen run` ausführen."
        )
    return index


def exclusive(job: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A command that writes takes the database's job lock first; a second one waits, saying so."""

    def wrap(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            from kommunen.store.lock import job_lock

            with job_lock(engine(), job, on_wait=lambda message: typer.echo(message, err=True)):
                return command(*args, **kwargs)

        return locked

    return wrap
