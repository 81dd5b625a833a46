"""The `kommunen` command. Thin: parse arguments, call one library function, render.

One module per command group (places, sources, leads, run); heavy modules are imported inside
the commands so that `kommunen --help` and a single query start fast. May use every package.
"""

from __future__ import annotations

import sys

import typer

from kommunen.cli.common import app, state
from kommunen.errors import KommunenError

# The order of these modules is the order of the commands in --help.
# isort: off
from kommunen.cli import places, sources, leads, run
# isort: on

__all__ = ["app", "leads", "main", "places", "run", "sources"]


def main() -> None:
    from sqlalchemy.exc import DBAPIError

    from scrapers.errors import ScraperError

    try:
        app()
    except (KommunenError, ScraperError, DBAPIError) as exc:
        if state.debug:
            raise
        message = str(exc).splitlines()[0] if isinstance(exc, DBAPIError) else str(exc)
        typer.secho(f"Fehler: {message}", fg=typer.colors.RED, err=True)
        sys.exit(1)
