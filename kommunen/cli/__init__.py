"""The `kommunen` command. Thin: parse arguments, call one library function, render.

One module per command group (places, sources, leads, run); heavy modules are imported inside
the commands so that `kommunen --help` and a single query start fast. May use every package.
"""

from __future__ import annotations

import errno
import sys

import typer

from kommunen.cli.common import app, state
from kommunen.errors import KommunenError

# The order of these modules is the order of the commands in --help.
# isort: off
from kommunen.cli import places, sources, leads, report, run
# isort: on

__all__ = ["app", "leads", "main", "places", "report", "run", "sources"]


OS_ERRORS = {
    errno.ENOENT: "gibt es nicht",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.EEXIST: "ist eine Datei, kein Ordner",
    errno.ENOTDIR: "ein Teil des Pfads ist eine Datei, kein Ordner",
    errno.EISDIR: "ist ein Ordner, keine Datei",
    errno.EROFS: "nur lesbar",
    errno.ENOSPC: "kein Platz mehr auf dem Datenträger",
}


def main() -> None:
    """Exit codes (README): 0 ok, 1 error (nothing done), 2 wrong call, 3 partly done (a source or
    document failed; everything read is stored, `kommunen sources` names the errors)."""
    from scrapers.errors import ScraperError

    try:
        app()
    except SystemExit as done:
        if done.code in (0, None) and state.exit_code:
            sys.exit(state.exit_code)
        raise
    except Exception as exc:
        database = _database_error(exc)
        if state.debug or not (database or isinstance(exc, KommunenError | ScraperError | OSError)):
            raise
        if isinstance(exc, OSError) and not isinstance(exc, ScraperError):
            reason = OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
            lines = [f"{exc.filename}: {reason}" if exc.filename else reason]
        else:
            lines = str(exc).splitlines()[:1] if database else str(exc).splitlines()
        for line in lines:  # a profile's errors come all at once, one line each
            typer.secho(f"Fehler: {line}", fg=typer.colors.RED, err=True)
        sys.exit(1)


def _database_error(exc: Exception) -> bool:
    """A DBAPIError, asked without importing SQLAlchemy: a command that never loaded it (`similar`
    from its cache) cannot have raised one, and its start stays 0.35 s faster."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.DBAPIError)
