"""The HTML report: `kommunen bericht` writes the map and the ranked leads into one file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kommunen.cli.common import ProfileOption, app, engine, gemeinde_index


def written(path: Path, size: int, leads: int) -> str:
    """ "Bericht geschrieben: bericht.html (212 Leads, 0,6 MB)" """
    megabytes = f"{size / 1_000_000:.1f}".replace(".", ",")
    return f"Bericht geschrieben: {path} ({leads} Leads, {megabytes} MB)"


def check_output(output: Path) -> None:
    from kommunen.errors import ConfigError

    if output.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"-o {output}: der Bericht ist eine HTML-Datei (.html)")
    if not output.parent.is_dir():  # found out now, not after the ranking
        raise ConfigError(f"-o {output}: den Ordner {output.parent} gibt es nicht")


def write_report(profile: Path, output: Path, limit: int) -> tuple[int, int]:
    """Rank for the profile as `kommunen leads` does and write the report: (bytes, leads).
    The ranking's Gemeinde index serves the report too (reading it again would cost a second)."""
    from kommunen.collect.pipeline import utcnow
    from kommunen.config import Settings
    from kommunen.matching.leads import rank, store_leads
    from kommunen.matching.profile import load_profile
    from kommunen.outputs.report import bericht as build
    from kommunen.outputs.report import write

    index = gemeinde_index()
    loaded = load_profile(profile, index)
    now = utcnow()
    ranked = rank(engine(), loaded, index, now)
    store_leads(engine(), loaded, ranked, now)
    made = build(engine(), loaded, ranked, index, Settings.from_env().data_dir, now, limit)
    return write(made, output), len(made.zeilen)


@app.command()
def bericht(
    profile: ProfileOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML-Datei, z. B. bericht.html.")],
    limit: Annotated[int, typer.Option("--limit", help="Höchstens so viele Leads je Art.", min=1)] = 100,
) -> None:
    """Den Bericht als eine HTML-Datei schreiben: Karte, Leads-Tabelle, Steckbriefe, Fristen.

    Die Datei braucht kein Netz: per Mail weiterleiten und in jedem Browser öffnen.

    Beispiel: kommunen bericht --profile meinprofil.toml -o bericht.html
    """
    check_output(output)
    size, leads = write_report(profile, output, limit)
    typer.echo(written(output, size, leads))


def similar_map(results, references: list[str], index, output: Path) -> None:  # type: ignore[no-untyped-def]
    """`kommunen similar … --karte karte.html`: the references and the Kommunen like them."""
    from kommunen.collect.pipeline import utcnow
    from kommunen.config import Settings
    from kommunen.outputs.report import aehnliche, write

    check_output(output)
    size = write(aehnliche(results, references, index, Settings.from_env().data_dir, utcnow()), output)
    megabytes = f"{size / 1_000_000:.1f}".replace(".", ",")
    typer.echo(f"Karte geschrieben: {output} ({len(results)} Kommunen, {megabytes} MB)", err=True)
