"""The main job and the scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kommunen.cli.common import app, engine, exclusive
from kommunen.cli.leads import new_by_kind, ranked_leads
from kommunen.cli.places import import_gemeinden
from kommunen.cli.sources import import_codelists, import_notices, scrape, scrape_one


@app.command()
def schedule() -> None:
    """Dauerbetrieb: Quellen nach ihrem Zeitplan abrufen, werktags den Digest senden.

    Zeitpläne: `kommunen sources`. Digest: KOMMUNEN_DIGEST_PROFILE, KOMMUNEN_DIGEST_TO,
    KOMMUNEN_DIGEST_CRON (Vorgabe "0 7 * * 1-5"). Beenden mit Strg-C oder SIGTERM.
    """
    from kommunen.collect.scheduler import run_forever

    typer.echo("Zeitplaner läuft (Strg-C beendet) …")
    run_forever(engine())


DEFAULT_PROFILE = Path(__file__).resolve().parents[2] / "data" / "profiles" / "integration.toml"


@app.command()
@exclusive("run")
def run(
    profile: Annotated[
        Path, typer.Option("--profile", "-p", help="Profil (TOML); ohne Angabe das Beispielprofil.")
    ] = DEFAULT_PROFILE,
    online: Annotated[
        bool, typer.Option("--online", help="Fällige Quellen im Netz abrufen statt aufgezeichneter Daten.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Export (.xlsx, .csv, .json, .ics); Vorgabe KOMMUNEN_HOME/leads.xlsx."
        ),
    ] = None,
) -> None:
    """Der Hauptjob einmal: Daten holen → Leads ordnen → Export (und Digest, wenn eingerichtet).

    Ohne --online liest er die aufgezeichneten echten Daten aus KOMMUNEN_DATA_DIR (offline).
    Der Digest geht nur raus, wenn KOMMUNEN_DIGEST_TO und KOMMUNEN_SMTP_HOST gesetzt sind.
    """
    from textwrap import shorten

    from kommunen.collect.pipeline import utcnow
    from kommunen.config import DigestSettings, Settings
    from kommunen.errors import ConfigError
    from kommunen.matching.leads import mark_first_seen
    from kommunen.outputs.export import export as write_export

    settings = Settings.from_env()
    if output is not None and not output.parent.is_dir():  # found out now, not after the whole run
        raise ConfigError(f"--output {output}: den Ordner {output.parent} gibt es nicht")
    typer.echo("Gemeindeverzeichnis importieren …")
    import_gemeinden(files=None)
    if online:
        typer.echo("\nFällige Quellen abrufen …")
        scrape(names=None, since=None, body="")
    else:
        from kommunen.collect.recorded import FOERDERDATENBANK_EXPORT, RecordedExport

        if (settings.data_dir / "codelists").is_dir():
            typer.echo("\neForms-Codelisten lesen …")
            import_codelists([settings.data_dir / "codelists"])
        if (settings.data_dir / "tenders").is_dir():
            typer.echo(f"\nAufgezeichnete Bekanntmachungen aus {settings.data_dir / 'tenders'} lesen …")
            import_notices([settings.data_dir / "tenders"])
        if (settings.data_dir / FOERDERDATENBANK_EXPORT).is_dir():
            typer.echo("Aufgezeichneten Export der Förderdatenbank lesen …")
            scrape_one(engine(), RecordedExport(settings.data_dir / FOERDERDATENBANK_EXPORT), None, None)
    from kommunen.matching.leads import reading_once  # here: the matcher's imports cost every command 0.7 s

    started = utcnow()
    with reading_once():  # the export's ranking and the digest's read the stored tenders once
        loaded, ranked = ranked_leads(profile)
        shown = mark_first_seen(engine(), loaded, ranked.select(limit=500))
        output = output or settings.home / "leads.xlsx"
        write_export(shown, output, utcnow())
        new = new_by_kind(loaded.name, started)
        counts = ", ".join(
            f"{ranked.count_of(kind)} {one if ranked.count_of(kind) == 1 else many} ({new.get(kind, 0)} neu)"
            for kind, one, many in (
                ("tender", "Ausschreibung", "Ausschreibungen"),
                ("funding", "Förderprogramm", "Förderprogramme"),
                ("kommune", "Kommune", "Kommunen"),
            )
        )
        typer.echo(f"\nLeads für {loaded.name}: {counts} → {output}")
        for lead in shown[:5]:
            title, reason = (
                shorten(lead.title, 80, placeholder=" …"),
                shorten(lead.reason, 100, placeholder=" …"),
            )
            typer.echo(f"  {round(lead.score * 100):>3}  {title}  ({reason})")
        digest_settings = DigestSettings.from_env()
        if digest_settings is not None:
            from kommunen.collect.scheduler import digest_job

            digest_job()
            typer.echo(f"Digest an {', '.join(digest_settings.recipients)} verschickt (sofern es Neues gab).")
        else:
            typer.echo(
                "Digest: nicht eingerichtet (KOMMUNEN_DIGEST_PROFILE, KOMMUNEN_DIGEST_TO, KOMMUNEN_SMTP_*)."
            )
