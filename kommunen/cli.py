"""The `kommunen` command. Thin: parse arguments, call one library function, render.

Heavy modules are imported inside the commands so that `kommunen --help` and a single
query start fast.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from kommunen.errors import KommunenError
from kommunen.render import Format

app = typer.Typer(
    help="kommunen – Leads für Sozialunternehmen, deren Kunden deutsche Kommunen sind.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_debug = False

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Ausgabe: table (lesbar), csv oder json.")
]


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Bei Fehlern den Traceback zeigen.")] = False,
) -> None:
    global _debug
    _debug = debug
    logging.basicConfig(  # per-document problems are summarised after each run instead
        level=logging.DEBUG if debug else logging.ERROR,
        format="%(levelname)s %(name)s %(message)s",
    )


def _engine():  # type: ignore[no-untyped-def]
    from kommunen.config import Settings
    from kommunen.db import engine_for

    return engine_for(Settings.from_env())


def _index():  # type: ignore[no-untyped-def]
    from kommunen.db import session_scope
    from kommunen.errors import DataFileError
    from kommunen.gemeinden import GemeindeIndex

    with session_scope(_engine()) as session:
        index = GemeindeIndex(session)
    if not len(index):
        raise DataFileError(
            "Die Datenbank kennt noch keine Gemeinden: zuerst `kommunen import-gemeinden` "
            "oder `kommunen run` ausführen."
        )
    return index


@app.command("import-gemeinden")
def import_gemeinden(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Gemeindeverzeichnis (CSV oder XLSX von Destatis) und/oder PLZ-Zuordnung (CSV). "
            "Ohne Angabe: die Dateien unter KOMMUNEN_DATA_DIR/gemeinden/."
        ),
    ] = None,
) -> None:
    """Gemeindeverzeichnis importieren (idempotent: ein zweiter Lauf ändert nichts).

    Beispiel: kommunen import-gemeinden AuszugGV4QAktuell.xlsx
    """
    from kommunen.config import Settings
    from kommunen.db import session_scope
    from kommunen.gemeinden import GV_FILE, PLZ_FILE, import_gemeindeverzeichnis, read_document

    settings = Settings.from_env()
    paths = files or [settings.data_dir / GV_FILE, settings.data_dir / PLZ_FILE]
    with session_scope(_engine()) as session:
        result = import_gemeindeverzeichnis(session, (read_document(p) for p in paths))
    for label, counts in (
        ("Gebiete", result.gebiete),
        ("Gemeinden", result.gemeinden),
        ("PLZ", result.plz),
    ):
        typer.echo(
            f"{label:<10} {counts.total:>6}  neu {counts.new:>6}  geändert {counts.changed:>5}  "
            f"unverändert {counts.unchanged:>6}"
        )


SIMILAR_COLUMNS = [
    ("rang", "#"),
    ("name", "Gemeinde"),
    ("ags", "AGS"),
    ("kreis", "Kreis"),
    ("land", "Land"),
    ("typ", "Typ"),
    ("einwohner", "Einwohner"),
    ("dichte", "Einw./km²"),
    ("entfernung_km", "km"),
    ("aehnlichkeit", "Ähnlichkeit"),
    ("ausschlaggebend", "Größter Unterschied"),
]
SIMILAR_EXPORT_COLUMNS = [*SIMILAR_COLUMNS, ("referenz", "Referenz"), ("begruendung", "Begründung")]


@app.command()
def similar(
    references: Annotated[list[str], typer.Argument(help="Referenzkommunen: Name, AGS oder PLZ.")],
    k: Annotated[int, typer.Option("--k", "-k", help="Wie viele Kommunen.")] = 20,
    land: Annotated[
        list[str] | None,
        typer.Option("--land", help="Nur in diesem Land (BW, Bayern, 09); mehrfach möglich."),
    ] = None,
    within: Annotated[
        float | None, typer.Option("--within", help="Höchstens so viele km von einer Referenz.")
    ] = None,
    nachbarkreise: Annotated[
        bool,
        typer.Option("--nachbarkreise", help="Nur im Kreis einer Referenz und in Nachbarkreisen."),
    ] = False,
    min_einwohner: Annotated[int | None, typer.Option("--min-einwohner", help="Mindestens so viele.")] = None,
    max_einwohner: Annotated[int | None, typer.Option("--max-einwohner", help="Höchstens so viele.")] = None,
    typ: Annotated[
        list[str] | None,
        typer.Option("--type", help="kreisfrei, grosse-kreisstadt, stadt, gemeinde; mehrfach möglich."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Ähnliche Kommunen finden: gleiche Größe, Dichte, Siedlungstyp und Verstädterung.

    Beispiele:

      kommunen similar Augsburg

      kommunen similar 08416041 --k 10 --land BW

      kommunen similar Tübingen Marburg --within 150 --format csv > kandidaten.csv
    """
    from kommunen.gemeinden import land_key
    from kommunen.similar import SimilarityModel, SimilarQuery

    query = SimilarQuery(
        references=references,
        k=k,
        within_km=within,
        laender=[land_key(v) for v in land or []],
        nachbarkreise=nachbarkreise,
        min_einwohner=min_einwohner,
        max_einwohner=max_einwohner,
        types=typ or [],
    )
    model = SimilarityModel(_index())
    _render_similar(model.find(query), fmt, model.describe(references))


def _render_similar(results, fmt: Format, references: str) -> None:  # type: ignore[no-untyped-def]
    from kommunen.gemeinden import LAENDER, land_key
    from kommunen.render import render

    if fmt is not Format.table:
        render(results, SIMILAR_EXPORT_COLUMNS, fmt)
        return
    if not results:
        typer.echo("Keine Kommune erfüllt alle Bedingungen.")
        return
    rows = [
        {
            "rang": r.rang,
            "name": r.name,
            "ags": r.ags,
            "kreis": "" if r.typ == "kreisfreie Stadt" else r.kreis,
            "land": LAENDER[land_key(r.land)][0],
            "typ": r.typ,
            "einwohner": r.einwohner,
            "dichte": round(r.dichte),
            "entfernung_km": None if r.entfernung_km is None else round(r.entfernung_km),
            "aehnlichkeit": f"{r.aehnlichkeit:.0%}",
            "ausschlaggebend": r.ausschlaggebend,
        }
        for r in results
    ]
    render(rows, SIMILAR_COLUMNS, fmt, title=f"Ähnlich wie {references}")
    for r in results[:3]:
        typer.echo(f"  {r.rang}. {r.name}: {r.begruendung}")


@app.command()
def gemeinde(
    query: Annotated[str, typer.Argument(help="Name, AGS oder PLZ.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Die Eckdaten einer Gemeinde zeigen.

    Beispiel: kommunen gemeinde Kiel
    """
    from kommunen.db import session_scope
    from kommunen.gemeinden import gemeinde_facts
    from kommunen.render import render

    index = _index()
    with session_scope(_engine()) as session:
        facts = gemeinde_facts(session, index.ags[index.find(query)])
    if fmt is Format.table:
        render([{"f": k, "w": v} for k, v in facts.items()], [("f", "Merkmal"), ("w", "Wert")], fmt)
    else:
        render([facts], [(k, k) for k in facts], fmt)


def _scrape_one(engine, source, http, since):  # type: ignore[no-untyped-def]
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kommunen.pipeline import run_source

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
        f"{source.name:<20} {summary.status:<8} {summary.documents:>5} Dokumente  "
        f"neu {summary.counts.new:>5}  geändert {summary.counts.changed:>4}  "
        f"unverändert {summary.counts.unchanged:>5}  Fehler {len(summary.errors):>3}",
        fg=color,
    )
    for url, stage, message in summary.errors[:5]:
        typer.echo(f"  {stage}: {url}: {message}")
    if len(summary.errors) > 5:
        typer.echo(f"  … und {len(summary.errors) - 5} weitere (kommunen sources)")
    return summary


@app.command()
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
    from kommunen.config import ScrapeSettings
    from kommunen.pipeline import archive_validators, utcnow
    from kommunen.sources import get_source, is_due, make_http
    from scrapers.registry import SOURCES

    engine = _engine()
    now = utcnow()
    settings = ScrapeSettings.from_env()
    if names:
        chosen = [get_source(n, settings, body_filter=body) for n in names]
    else:
        chosen = [
            get_source(s.name, settings)
            for s in SOURCES.values()
            if s.kind != "gemeinde" and s.default_schedule and is_due(engine, s, now)
        ]
        if not chosen:
            typer.echo("Keine Quelle ist fällig (kommunen sources zeigt die Zeitpläne).")
    start = since.replace(tzinfo=UTC) if since else None
    with make_http(settings, archive_validators(engine)) as http:
        for source in chosen:
            _scrape_one(engine, source, http, start)


@app.command("import-notices")
def import_notices(
    paths: Annotated[
        list[Path], typer.Argument(help="eForms-XML-Dateien oder Ordner (z. B. TED-Tagespakete).")
    ],
) -> None:
    """eForms-Bekanntmachungen aus Dateien importieren (offline, idempotent).

    Beispiel: kommunen import-notices ~/Downloads/ted-2026-11-20/
    """
    from scrapers.eforms import EformsFiles

    _scrape_one(_engine(), EformsFiles(paths), None, None)


@app.command("import-codelisten")
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

    _scrape_one(_engine(), EformsCodelists(paths or [Settings.from_env().data_dir / "codelists"]), None, None)


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

    from kommunen.db import session_scope
    from kommunen.errors import ConfigError
    from kommunen.models import Code
    from kommunen.render import render

    if liste not in CODE_LISTS:
        raise ConfigError(f"--liste {liste!r}: erlaubt sind {', '.join(CODE_LISTS)}")
    query = select(Code.code, Code.label_de).where(Code.list_name == CODE_LISTS[liste]).order_by(Code.code)
    with session_scope(_engine()) as session:
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
def reparse(source: Annotated[str, typer.Argument(help="Quelle, z. B. ted.")]) -> None:
    """Records einer Quelle aus dem Rohdaten-Archiv neu aufbauen (nach einem Parser-Fix).

    Beispiel: kommunen reparse ted
    """
    from kommunen.pipeline import reparse as run_reparse
    from kommunen.sources import get_source

    summary = run_reparse(_engine(), get_source(source))
    typer.echo(
        f"{source}: {summary.documents} Dokumente, neu {summary.counts.new}, "
        f"geändert {summary.counts.changed}, Fehler {len(summary.errors)}"
    )


@app.command()
def sources(fmt: FormatOption = Format.table) -> None:
    """Quellen mit Zeitplan, letztem Lauf, Zählern und nächstem Lauf zeigen."""
    from kommunen.pipeline import utcnow
    from kommunen.render import render
    from kommunen.sources import statuses

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
    render(statuses(_engine(), utcnow()), columns, fmt)


@app.command()
def tenders(
    search: Annotated[
        str, typer.Option("--search", "-s", help="Wörter in Titel, Beschreibung, Auftraggeber.")
    ] = "",
    land: Annotated[
        str | None, typer.Option("--land", help="Land des Auftraggebers (BY, Bayern, 09).")
    ] = None,
    offen: Annotated[bool, typer.Option("--offen", help="Nur mit Frist in der Zukunft (oder ohne).")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Höchstens so viele.")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Gespeicherte Ausschreibungen durchsuchen.

    Beispiel: kommunen tenders --search Integration --land BY
    """
    from kommunen.gemeinden import land_key
    from kommunen.pipeline import utcnow
    from kommunen.render import render
    from kommunen.tenders import find_tenders

    rows = find_tenders(
        _engine(),
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
        ("cpv", "CPV"),
    ]
    if fmt is Format.table:
        render(rows, columns, fmt, title=f"{len(rows)} Ausschreibungen")
    else:
        render(rows, [*columns, ("gemeinde_ags", ""), ("source", ""), ("source_id", ""), ("url", "")], fmt)


@app.command()
def foerderprogramme(
    search: Annotated[str, typer.Option("--search", "-s", help="Wörter in Titel, Text, Stichworten.")] = "",
    berechtigt: Annotated[
        str, typer.Option("--berechtigt", help="Förderberechtigte, z. B. Kommune, Verband/Vereinigung.")
    ] = "",
    gebiet: Annotated[str, typer.Option("--gebiet", help="Fördergebiet, z. B. bundesweit, Bayern.")] = "",
    limit: Annotated[int, typer.Option("--limit", help="Höchstens so viele.")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Gespeicherte Förderprogramme durchsuchen.

    Beispiel: kommunen foerderprogramme --search Digitalisierung --berechtigt Kommune
    """
    from kommunen.funding import find_funding
    from kommunen.render import render

    rows = find_funding(_engine(), search=search, berechtigt=berechtigt, gebiet=gebiet, limit=limit)
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


@app.command()
def ansprechpartner(
    kommune: Annotated[str, typer.Argument(help="Name, AGS oder PLZ der Kommune.")],
    thema: Annotated[str, typer.Option("--thema", "-t", help="Nur Stellen zu diesem Thema.")] = "",
    fmt: FormatOption = Format.table,
) -> None:
    """Welches Amt, welcher Ausschuss: Stellen einer Kommune aus ihrem Ratsinformationssystem.

    Beispiel: kommunen ansprechpartner Krefeld --thema Integration
    """
    from kommunen.departments import find_contacts
    from kommunen.render import render

    index = _index()
    row = index.find(kommune)
    contacts = find_contacts(_engine(), index.ags[row], thema)
    if not contacts and fmt is Format.table:
        typer.echo(
            f"Keine Stellen für {index.label(row)} gespeichert"
            + (f" zum Thema {thema!r}" if thema else "")
            + " (kommunen scrape oparl)."
        )
        return
    columns = [
        ("stelle", "Stelle"),
        ("art", "Art"),
        ("email", "E-Mail"),
        ("telefon", "Telefon"),
        ("stand", "Stand"),
    ]
    render(contacts, [*columns, ("quelle", "Quelle")], fmt, title=index.label(row))


profile_app = typer.Typer(help="Organisationsprofile (TOML) prüfen.", no_args_is_help=True)
app.add_typer(profile_app, name="profile")
ProfileOption = Annotated[
    Path, typer.Option("--profile", "-p", help="Profil-Datei (TOML), z. B. data/profiles/integration.toml.")
]


@profile_app.command("check")
def profile_check(path: Annotated[Path, typer.Argument(help="Profil-Datei (TOML).")]) -> None:
    """Ein Profil prüfen: jeder Fehler mit Datei, Zeile und Feld.

    Beispiel: kommunen profile check meinprofil.toml
    """
    from kommunen.codelists import CodeLists
    from kommunen.db import session_scope
    from kommunen.matching.score import Matcher
    from kommunen.pipeline import utcnow
    from kommunen.profile import ProfileError, load_profile

    profile = load_profile(path)
    with session_scope(_engine()) as session:
        codes = CodeLists.load(session)
    # places (unknown or ambiguous ones fail with suggestions) and cpv "sozial" as ranking sees them
    Matcher(profile, _index(), utcnow(), codes)
    unknown = [n for n in profile.nuts if codes.nuts3 and not any(c.startswith(n) for c in codes.nuts3)]
    if unknown:
        raise ProfileError(f"{path}: region.nuts: {', '.join(unknown)} ist kein deutscher NUTS-Code")
    typer.secho(
        f"{path}: in Ordnung – {profile.name}, {len(profile.begriffe)} Begriffe, {len(profile.cpv)} CPV, "
        f"{len(profile.referenzen)} Referenzkommunen",
        fg=typer.colors.GREEN,
    )


def _ranked(profile_path: Path, now: datetime | None = None):  # type: ignore[no-untyped-def]
    from kommunen.leads import rank, store_leads
    from kommunen.pipeline import utcnow
    from kommunen.profile import load_profile

    profile = load_profile(profile_path)
    now = now or utcnow()
    leads = rank(_engine(), profile, _index(), now)
    store_leads(_engine(), profile, leads, now)
    return profile, leads


def _new_by_kind(profile_name: str, since: datetime) -> dict[str, int]:
    from sqlalchemy import func, select

    from kommunen.db import session_scope
    from kommunen.models import LeadRow

    with session_scope(_engine()) as session:
        query = (
            select(LeadRow.kind, func.count())
            .where(LeadRow.profile == profile_name, LeadRow.first_seen >= since, LeadRow.excluded == "")
            .group_by(LeadRow.kind)
        )
        return {kind: n for kind, n in session.execute(query)}


@app.command()
def leads(
    profile: ProfileOption,
    kind: Annotated[str | None, typer.Option("--kind", help="tender, funding oder kommune.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Höchstens so viele.")] = 30,
    alle: Annotated[
        bool, typer.Option("--alle", help="Auch ausgeschlossene Leads zeigen (mit Grund).")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Leads nach Passung zum Profil ordnen, jeder mit Begründung.

    Beispiele:

      kommunen leads --profile meinprofil.toml

      kommunen leads --profile meinprofil.toml --kind kommune
    """
    from kommunen.errors import ConfigError
    from kommunen.leads import KINDS, mark_first_seen
    from kommunen.matching.score import Lead
    from kommunen.pipeline import utcnow
    from kommunen.render import BERLIN, render

    if kind is not None and kind not in KINDS:
        raise ConfigError(f"--kind {kind!r}: erlaubt sind {', '.join(KINDS)}")
    now = utcnow()
    loaded, ranked = _ranked(profile, now)
    chosen = mark_first_seen(_engine(), loaded, ranked.select(kind, limit=limit, include_excluded=alle))

    def since(lead: Lead) -> str:  # "neu" in this run, else the day it was first seen
        if lead.first_seen is None:
            return ""  # excluded leads are not stored
        return "neu" if lead.first_seen >= now else lead.first_seen.astimezone(BERLIN).strftime("%d.%m.%Y")

    shown = [
        {
            "id": lead.lead_id,
            "art": lead.kind,
            "punkte": round(lead.score * 100),
            "seit": since(lead),
            "titel": lead.title,
            "begruendung": lead.excluded or lead.reason,
            "url": lead.url,
        }
        for lead in chosen
    ]
    columns = [
        ("punkte", "Punkte"),
        ("seit", "Seit"),
        ("art", "Art"),
        ("titel", "Titel"),
        ("begruendung", "Warum"),
    ]
    render(
        shown,
        [*columns, ("id", "ID"), ("url", "URL")] if fmt is not Format.table else columns,
        fmt,
        title=f"{len(shown)} Leads",
    )


@app.command()
def explain(
    lead_id: Annotated[str, typer.Argument(help="Lead-ID aus `kommunen leads -f csv`.")],
    profile: ProfileOption,
) -> None:
    """Jede Komponente eines Leads mit Wert und Beleg zeigen.

    Beispiel: kommunen explain --profile meinprofil.toml kommune:09772111
    """
    from kommunen.render import render

    _, ranked = _ranked(profile)
    lead = ranked.find(lead_id)
    typer.echo(f"{lead.title}\n{lead.lead_id} · {round(lead.score * 100)} Punkte {lead.url}")
    if lead.excluded:
        typer.secho(f"ausgeschlossen: {lead.excluded}", fg=typer.colors.YELLOW)
    render(
        [{"k": c.name, "v": round(c.value, 2), "e": c.evidence or "–"} for c in lead.components],
        [("k", "Komponente"), ("v", "Wert"), ("e", "Beleg")],
        Format.table,
    )


@app.command()
def export(
    profile: ProfileOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="Datei: .xlsx, .csv, .json oder .ics.")],
    limit: Annotated[int, typer.Option("--limit", help="Höchstens so viele Leads.")] = 500,
    komma: Annotated[bool, typer.Option("--komma", help="CSV mit Komma statt Semikolon.")] = False,
) -> None:
    """Die besten Leads exportieren: XLSX (je Art ein Blatt), CSV, JSON oder ICS (Fristen).

    Beispiel: kommunen export --profile meinprofil.toml -o leads.xlsx
    """
    from kommunen.export import export as write
    from kommunen.leads import mark_first_seen
    from kommunen.pipeline import utcnow

    loaded, ranked = _ranked(profile)
    chosen = mark_first_seen(_engine(), loaded, ranked.select(limit=limit))
    write(chosen, output, utcnow(), delimiter="," if komma else ";")
    typer.echo(f"{len(chosen)} Leads nach {output} geschrieben")


@app.command()
def digest(
    profile: ProfileOption,
    to: Annotated[str, typer.Option("--to", help="Empfänger, z. B. team@example.org.")],
    send: Annotated[bool, typer.Option("--send", help="Per SMTP versenden (KOMMUNEN_SMTP_*).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Nur bauen, nichts senden oder merken.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Mail als .eml speichern.")] = None,
    always: Annotated[bool, typer.Option("--always", help="Auch an einem Tag ohne Neues senden.")] = False,
) -> None:
    """Den Digest bauen: nur was dieser Empfänger noch nicht hat (oder was sich geändert hat).

    Beispiele:

      kommunen digest --profile meinprofil.toml --to team@example.org --dry-run -o digest.eml

      kommunen digest --profile meinprofil.toml --to team@example.org --send
    """
    from kommunen import digest as mail
    from kommunen.config import SmtpSettings
    from kommunen.errors import ConfigError
    from kommunen.pipeline import utcnow

    if send == dry_run:
        raise ConfigError("Genau eines angeben: --send oder --dry-run")
    smtp = SmtpSettings.from_env() if send else None
    loaded, ranked = _ranked(profile)
    now = utcnow()
    built = mail.build(_engine(), loaded.name, str(profile), to, ranked)
    if not built.items and not always:
        typer.echo("Nichts Neues für diesen Empfänger: kein Digest.")
        return
    message = mail.compose(built, smtp.sender if smtp else "kommunen@localhost", to, now)
    if output is not None:
        output.write_bytes(bytes(message))
    if smtp is not None:
        mail.send(message, smtp)
        mail.mark_sent(_engine(), built, to, now)
        typer.echo(f"Digest mit {len(built.items)} Leads an {to} gesendet")
    else:
        typer.echo(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


@app.command()
def schedule() -> None:
    """Dauerbetrieb: Quellen nach ihrem Zeitplan abrufen, werktags den Digest senden.

    Zeitpläne: `kommunen sources`. Digest: KOMMUNEN_DIGEST_PROFILE, KOMMUNEN_DIGEST_TO,
    KOMMUNEN_DIGEST_CRON (Vorgabe "0 7 * * 1-5"). Beenden mit Strg-C oder SIGTERM.
    """
    from kommunen.scheduler import run_forever

    typer.echo("Zeitplaner läuft (Strg-C beendet) …")
    run_forever(_engine())


DEFAULT_PROFILE = Path(__file__).resolve().parents[1] / "data" / "profiles" / "integration.toml"


@app.command()
def run(
    profile: Annotated[
        Path, typer.Option("--profile", "-p", help="Profil (TOML); ohne Angabe das Beispielprofil.")
    ] = DEFAULT_PROFILE,
    online: Annotated[
        bool, typer.Option("--online", help="Fällige Quellen im Netz abrufen statt aufgezeichneter Daten.")
    ] = False,
) -> None:
    """Der Hauptjob einmal: Daten holen → Leads ordnen → Export (und Digest, wenn eingerichtet).

    Ohne --online liest er die aufgezeichneten echten Daten aus KOMMUNEN_DATA_DIR (offline).
    Der Digest geht nur raus, wenn KOMMUNEN_DIGEST_TO und KOMMUNEN_SMTP_HOST gesetzt sind.
    """
    from textwrap import shorten

    from kommunen.config import DigestSettings, Settings
    from kommunen.export import export as write_export
    from kommunen.leads import mark_first_seen
    from kommunen.pipeline import utcnow

    settings = Settings.from_env()
    typer.echo("Gemeindeverzeichnis importieren …")
    import_gemeinden(files=None)
    if online:
        typer.echo("\nFällige Quellen abrufen …")
        scrape(names=None, since=None, body="")
    else:
        from kommunen.recorded import FOERDERDATENBANK_EXPORT, RecordedExport

        if (settings.data_dir / "codelists").is_dir():
            typer.echo("\neForms-Codelisten lesen …")
            import_codelists([settings.data_dir / "codelists"])
        if (settings.data_dir / "tenders").is_dir():
            typer.echo(f"\nAufgezeichnete Bekanntmachungen aus {settings.data_dir / 'tenders'} lesen …")
            import_notices([settings.data_dir / "tenders"])
        if (settings.data_dir / FOERDERDATENBANK_EXPORT).is_dir():
            typer.echo("Aufgezeichneten Export der Förderdatenbank lesen …")
            _scrape_one(_engine(), RecordedExport(settings.data_dir / FOERDERDATENBANK_EXPORT), None, None)
    started = utcnow()
    loaded, ranked = _ranked(profile)
    shown = mark_first_seen(_engine(), loaded, ranked.select(limit=500))
    output = settings.home / "leads.xlsx"
    write_export(shown, output, utcnow())
    new = _new_by_kind(loaded.name, started)
    counts = ", ".join(
        f"{ranked.count_of(kind)} {label} ({new.get(kind, 0)} neu)"
        for kind, label in (
            ("tender", "Ausschreibungen"),
            ("funding", "Förderprogramme"),
            ("kommune", "Kommunen"),
        )
    )
    typer.echo(f"\nLeads für {loaded.name}: {counts} → {output}")
    for lead in shown[:5]:
        title, reason = shorten(lead.title, 80, placeholder=" …"), shorten(lead.reason, 100, placeholder=" …")
        typer.echo(f"  {round(lead.score * 100):>3}  {title}  ({reason})")
    digest_settings = DigestSettings.from_env()
    if digest_settings is not None:
        from kommunen.scheduler import digest_job

        digest_job()
        typer.echo(f"Digest an {', '.join(digest_settings.recipients)} verschickt (sofern es Neues gab).")
    else:
        typer.echo(
            "Digest: nicht eingerichtet (KOMMUNEN_DIGEST_PROFILE, KOMMUNEN_DIGEST_TO, KOMMUNEN_SMTP_*)."
        )


def main() -> None:
    from sqlalchemy.exc import DBAPIError

    from scrapers.errors import ScraperError

    try:
        app()
    except (KommunenError, ScraperError, DBAPIError) as exc:
        if _debug:
            raise
        message = str(exc).splitlines()[0] if isinstance(exc, DBAPIError) else str(exc)
        typer.secho(f"Fehler: {message}", fg=typer.colors.RED, err=True)
        sys.exit(1)
