"""The `kommunen` command. Thin: parse arguments, call one library function, render.

One module per command group (places, sources, leads, run); heavy modules are imported inside
the commands so that `kommunen --help` and a single query start fast. May use every package.

`main` imports only the module of the command it runs and lets Typer build only that command
(Typer inspects and types every command it has before it runs one: 40 ms for all twenty, a tenth
of `kommunen similar`); --help, a mistyped name and `app` (tests) see them all.
"""

from __future__ import annotations

import copy
import importlib
import sys
from typing import Any

import typer
from typer.main import get_command_name

from kommunen.cli.common import state
from kommunen.errors import KommunenError

# Module → its commands; the order of the modules is the order of the commands in --help.
# tests/test_cli.py checks this against what the modules register.
COMMANDS = {
    "places": ("import-gemeinden", "similar", "gemeinde", "ansprechpartner"),
    "sources": (
        "scrape",
        "import-notices",
        "import-codelisten",
        "codes",
        "reparse",
        "sources",
        "tenders",
        "foerderprogramme",
    ),
    "leads": ("leads", "explain", "export", "digest", "evaluate"),
    "report": ("bericht",),
    "run": ("schedule", "run"),
}

__all__ = ["COMMANDS", "app", "main"]


def __getattr__(name: str) -> Any:
    """`app` with every command: all the modules imported, in their order."""
    if name != "app":
        raise AttributeError(name)
    from kommunen.cli.common import app

    for module in COMMANDS:
        importlib.import_module(f"kommunen.cli.{module}")
    return app


def _name(command: Any) -> str:
    return command.name or (get_command_name(command.callback.__name__) if command.callback else "")


def command_app(args: list[str]) -> typer.Typer:
    """The app to run `args` with: holding only the command they name, where they name one."""
    from kommunen.cli.common import app

    module = next((m for m, names in COMMANDS.items() if args and args[0] in names), None)
    if module is None:
        return __getattr__("app")  # type: ignore[no-any-return]
    importlib.import_module(f"kommunen.cli.{module}")
    only = copy.copy(app)
    only.registered_commands = [c for c in app.registered_commands if _name(c) == args[0]]
    return only if only.registered_commands else __getattr__("app")  # type: ignore[no-any-return]


def main() -> None:
    """Exit codes (README): 0 ok, 1 error (nothing done), 2 wrong call, 3 partly done (a source or
    document failed; everything read is stored, `kommunen sources` names the errors)."""
    from scrapers.errors import ScraperError, os_reason

    try:
        command_app(sys.argv[1:])()
    except SystemExit as done:
        if done.code in (0, None) and state.exit_code:
            sys.exit(state.exit_code)
        raise
    except Exception as exc:
        database = _database_error(exc)
        if state.debug or not (database or isinstance(exc, KommunenError | ScraperError | OSError)):
            raise
        if isinstance(exc, OSError) and not isinstance(exc, ScraperError):
            reason = os_reason(exc)
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
