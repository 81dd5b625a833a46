"""Commands about sources: scrape, import files, look up codes and stored items."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from kommunen.cli.common import FormatOption, app, engine, exclusive, state
from kommunen.cli.german import readable
from kommunen.outputs.render import Format

PARTLY_DONE = 3


def scrape_one(engine, source, http, since):  # type: ignore[no-untyped-def]
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kommunen.collect.pipeline import run_source
    from kommunen.collect.sources import STAGES

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(source.name, total=None)

        def tick(summary) -> None:  # type: ignore[no-untyped-def]
            progress.update(
                task,
                description=f"{source.name}: {summary.documents} Dokumente, {summary.counts.new} neu, "
                f"{len(summary.errors)} Fehler",
            )

        summary = run_source(engine, source, http, since=since, on_document=tick)
    color = {"ok": "green", "partial": "yellow"}.get(summary.status, "red")
    typer.secho(
        f"{source.name:<20} {readable(summary.status):<9} {summary.documents:>5} "
        f"{'Dokument ' if summary.documents == 1 else 'Dokumente'}  "
        f"neu {summary.counts.new:>5}  geändert {summary.counts.changed:>4}  "
        f"unverändert {summary.counts.unchanged:>5}  Fehler {len(summary.errors):>3}",
        fg=color,
    )
    for url, stage, message in summary.errors[:5]:
        typer.echo(f"  {STAGES.get(stage, stage)}: {url}: {message}")
    if len(summary.errors) > 5:
        typer.echo(f"  … und {len(summary.errors) - 5} weitere: kommunen sources {source.name}")
    if summary.status != "ok":
        state.exit_code = PARTLY_DONE
    return summary


@app.command()
@exclusive("scrape")
def scrape(
    names: Annotated[list[str] | None, typer.Argument(help="Quellen (ohne Angabe: alle fälligen).")] = None,
    since: Annotated[
        datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Ab diesem Tag (JJJJ-MM-TT).")
    ] = None,
    body: Annotated[str, typer.Option("--body", help="OParl: nur Körperschaften mit diesem Namen.")] = "",
) -> None:
    """Quellen abrufen und speichern (höflich: robots.txt, Pausen, Wiederholungen).

    Beispiele:

      kommunen scrape ted --since 2026-11-01

      kommunen scrape
    """
    from kommunen.collect.pipeline import archive_validators, utcnow
    from kommunen.collect.sources import due_sources, get_source, make_http
    from kommunen.config import ScrapeSettings
    from kommunen.store.pauses import StoredPauses

    db = engine()
    now = utcnow()
    settings = ScrapeSettings.from_env()
    if names:
        chosen = [get_source(n, settings, body_filter=body) for n in names]
    else:
        chosen, skipped = due_sources(db, settings, now)
        for line in skipped:
            typer.echo(line)
        if not chosen:
            typer.echo("Keine Quelle ist fällig (kommunen sources zeigt die Zeitpläne).")
    start = since.replace(tzinfo=UTC) if since else None
    with make_http(settings, archive_validators(db), StoredPauses(db)) as http:
        for source in chosen:
            scrape_one(db, source, http, start)


@app.command("import-notices")
@exclusive("import-notices")
def import_notices(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="XML-Dateien (eForms oder TED_EXPORT), Ordner, TED-Pakete (.tar.gz) oder Export-ZIPs."
        ),
    ],
) -> None:
    """Bekanntmachungen aus Dateien importieren (offline, idempotent): eForms, eForms-DE und
    TED_EXPORT – damit wird TEDs Archiv 2011–2023 zur Einkaufsgeschichte der Kommunen.

    Beispiele:

      kommunen import-notices ~/Downloads/ted-2026-11-20/

      kommunen import-notices ~/Downloads/2021-01.tar.gz
    """
    from scrapers.notice_files import NoticeFiles

    for path in paths:  # a mistyped path is the call's error (exit 1), not a source's (exit 3)
        if not path.exists():
            raise FileNotFoundError(errno.ENOENT, "gibt es nicht", str(path))
    scrape_one(engine(), NoticeFiles(paths), None, None)


@app.command("import-codelisten")
@exclusive("import-codelisten")
def import_codelists(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Genericode-Dateien (.gc) oder Ordner; ohne Angabe KOMMUNEN_DATA_DIR/codelists."),
    ] = None,
) -> None:
    """eForms-Codelisten importieren: deutsche Namen von CPV- und NUTS-Codes, soziale CPV.

    Online holt `kommunen scrape codelisten` dieselben Listen aus dem eForms-SDK.
    Beispiel: kommunen import-codelisten ../shared/data/codelists
    """
    from kommunen.config import Settings
    from scrapers.codelists import EformsCodelists

    scrape_one(engine(), EformsCodelists(paths or [Settings.from_env().data_dir / "codelists"]), None, None)


CODE_LISTS = {"sozial": "social-service-cpv", "nuts": "nuts-deu-lvl3", "bekanntmachung": "notice-type"}


@app.command()
def codes(
    suche: Annotated[str, typer.Argument(help="Wort im Namen oder Anfang des Codes.")] = "",
    liste: Annotated[str, typer.Option("--liste", help=f"{', '.join(CODE_LISTS)}.")] = "sozial",
    fmt: FormatOption = Format.table,
) -> None:
    """Codes und ihre deutschen Namen nachschlagen, etwa für `cpv` oder `region.nuts` im Profil.

    Beispiele:

      kommunen codes Jugend                  # soziale Dienstleistungen (CPV) mit „Jugend“

      kommunen codes München --liste nuts    # NUTS-3-Code eines Kreises
    """
    from sqlalchemy import select

    from kommunen.errors import ConfigError
    from kommunen.outputs.render import render
    from kommunen.store.db import session_scope
    from kommunen.store.models import Code

    if liste not in CODE_LISTS:
        raise ConfigError(f"--liste {liste!r}: erlaubt sind {', '.join(CODE_LISTS)}")
    query = select(Code.code, Code.label_de).where(Code.list_name == CODE_LISTS[liste]).order_by(Code.code)
    with session_scope(engine()) as session:
        listed = session.execute(query).all()  # a few hundred: filtered here, Unicode-aware
    if not listed:
        raise ConfigError("Noch keine Codelisten: zuerst `kommunen import-codelisten` oder `kommunen run`")
    wanted = suche.casefold()
    rows = [
        {"code": code, "name": name}
        for code, name in listed
        if code.startswith(suche) or wanted in name.casefold()
    ]
    render(rows, [("code", "Code"), ("name", "Name")], fmt, title=f"{len(rows)} Codes")


@app.command()
@exclusive("reparse")
def reparse(source: Annotated[str, typer.Argument(help="Quelle, z. B. ted.")]) -> None:
    """Records einer Quelle aus dem Rohdaten-Archiv neu aufbauen (nach einem Parser-Fix).

    Beispiel: kommunen reparse ted
    """
    from kommunen.collect.pipeline import reparse as run_reparse
    from kommunen.collect.sources import get_source

    summary = run_reparse(engine(), get_source(source))
    typer.echo(
        f"{source}: {summary.documents} Dokumente, neu {summary.counts.new}, "
        f"geändert {summary.counts.changed}, Fehler {len(summary.errors)}"
    )


@app.command()
def sources(
    name: Annotated[
        str | None, typer.Argument(help="Eine Quelle: die Fehler ihres letzten Laufs mit URL zeigen.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Quellen mit Zeitplan, letztem Lauf, Zählern und nächstem Lauf zeigen; mit QUELLE die
    Fehler ihres letzten Laufs, jeder mit seiner URL.

    Beispiel: kommunen sources eforms
    """
    import dataclasses

    from kommunen.collect.pipeline import utcnow
    from kommunen.collect.sources import last_run_errors, statuses
    from kommunen.errors import ConfigError
    from kommunen.outputs.render import render
    from scrapers.registry import SOURCES

    if name is not None:
        if name not in SOURCES:
            raise ConfigError(f"Unbekannte Quelle {name!r}; bekannt: {', '.join(SOURCES)}")
        errors = last_run_errors(engine(), name)
        if not errors and fmt is Format.table:
            typer.echo(f"{name}: der letzte Lauf meldete keine Fehler.")
            return
        render(errors, [("stufe", "Stufe"), ("url", "URL"), ("fehler", "Fehler")], fmt)
        return

    columns = [
        ("name", "Quelle"),
        ("kind", "Art"),
        ("schedule", "Zeitplan (cron)"),
        ("last_run", "Letzter Lauf"),
        ("status", "Status"),
        ("new", "Neu"),
        ("changed", "Geändert"),
        ("errors", "Fehler"),
        ("next_run", "Nächster Lauf"),
    ]
    rows = [dataclasses.asdict(s) for s in statuses(engine(), utcnow())]
    if fmt is Format.table:  # JSON and CSV keep the stable values (README)
        rows = [{**row, "kind": readable(row["kind"]), "status": readable(row["status"])} for row in rows]
    render(rows, columns, fmt, optional=("schedule", "next_run", "kind"))


@app.command()
def tenders(
    search: Annotated[
        str, typer.Option("--search", "-s", help="Wörter in Titel, Beschreibung, Auftraggeber.")
    ] = "",
    land: Annotated[
        str | None,
        typer.Option("--land", help="Land des Auftraggebers oder des Leistungsorts (BY, Bayern, 09)."),
    ] = None,
    offen: Annotated[
        bool,
        typer.Option("--offen", help="Nur offene: Frist in der Zukunft (oder ohne), nicht schon vergeben."),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Höchstens so viele.")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Gespeicherte Ausschreibungen durchsuchen.

    Beispiel: kommunen tenders --search Integration --land BY
    """
    from kommunen.collect.pipeline import utcnow
    from kommunen.matching.tenders import find_tenders
    from kommunen.outputs.render import render
    from kommunen.places.gemeinden import land_key

    rows = find_tenders(
        engine(),
        search=search,
        land=land_key(land) if land else None,
        open_after=utcnow() if offen else None,
        limit=limit,
    )
    columns = [
        ("veroeffentlicht", "Veröffentlicht"),
        ("frist", "Frist"),
        ("titel", "Titel"),
        ("auftraggeber", "Auftraggeber"),
        ("amt", "Amt/Referat"),
        ("ort", "Ort"),
        ("stufe", "Stufe"),
    ]
    if fmt is Format.table:
        narrow = ("amt", "ort", "veroeffentlicht", "stufe")
        render(rows, columns, fmt, title=f"{len(rows)} Ausschreibungen", optional=narrow)
    else:
        extra = [
            ("kommune", ""),
            ("kommune_name", ""),
            ("cpv", ""),
            ("source", ""),
            ("source_id", ""),
            ("url", ""),
        ]
        render(rows, [*columns, *extra], fmt)


@app.command()
def foerderprogramme(
    search: Annotated[str, typer.Option("--search", "-s", help="Wörter in Titel, Text, Stichworten.")] = "",
    berechtigt: Annotated[
        str, typer.Option("--berechtigt", help="Förderberechtigte, z. B. Kommune, Verband/Vereinigung.")
    ] = "",
    gebiet: Annotated[str, typer.Option("--gebiet", help="Fördergebiet, z. B. bundesweit, Bayern.")] = "",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Höchstens so viele.")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Gespeicherte Förderprogramme durchsuchen.

    Beispiel: kommunen foerderprogramme --search Digitalisierung --berechtigt Kommune
    """
    from kommunen.matching.funding import find_funding
    from kommunen.outputs.render import render

    rows = find_funding(engine(), search=search, berechtigt=berechtigt, gebiet=gebiet, limit=limit)
    columns = [
        ("titel", "Programm"),
        ("foerderart", "Förderart"),
        ("gebiet", "Gebiet"),
        ("berechtigte", "Förderberechtigte"),
        ("geber", "Fördergeber"),
    ]
    if fmt is Format.table:
        render(rows, columns, fmt, title=f"{len(rows)} Förderprogramme")
    else:
        render(rows, [*columns, ("kurz", ""), ("ansprechpunkt", ""), ("url", ""), ("source_id", "")], fmt)
