"""Commands about places: Gemeinden, similar Kommunen, contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kommunen.cli.common import FormatOption, app, engine, exclusive, gemeinde_index
from kommunen.outputs.render import Format

KIND_LABEL = {"kreis": "Kreis-Paare", "gemeinde": "Gemeinde-Paare"}


@app.command("import-gemeinden")
@exclusive("import-gemeinden")
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
    from kommunen.collect.borders import import_borders
    from kommunen.collect.imports import (
        GV_FILE,
        PLZ_FILE,
        import_derived,
        import_gemeindeverzeichnis,
        read_document,
    )
    from kommunen.collect.indikatoren import import_indikatoren
    from kommunen.config import Settings
    from kommunen.store.db import session_scope

    settings = Settings.from_env()
    paths = files or [settings.data_dir / GV_FILE, settings.data_dir / PLZ_FILE]
    with session_scope(engine()) as session:
        result = import_gemeindeverzeichnis(session, (read_document(p) for p in paths), skip_unchanged=True)
        borders = import_borders(session, settings.data_dir)
        derived = import_derived(session, settings.data_dir)
        indikatoren = import_indikatoren(session, settings.data_dir)
    for url in result.skipped:
        typer.echo(f"{url}: unverändert seit dem letzten Import, übersprungen")
    if result.removed:
        typer.echo(
            f"Entfernt    {result.removed} Gemeinden, die das Verzeichnis nicht mehr führt (fusioniert)"
        )
    if derived.aenderungen is not None:
        typer.echo(f"Gebietsänderungen {derived.aenderungen} Zeilen (Nachfolger fusionierter Gemeinden)")
    if derived.kreissitze is not None:
        typer.echo(f"Kreissitze {derived.kreissitze} (Anschriftenverzeichnis)")
    if derived.verwaltungen is not None:
        typer.echo(f"{derived.verwaltungen:,} Verwaltungen".replace(",", ".") + " (Anschriftenverzeichnis)")
    if borders.pairs:
        typer.echo(
            "Nachbarn   "
            + ", ".join(f"{n} {KIND_LABEL[kind]}" for kind, n in borders.pairs.items())
            + " mit gemeinsamer Grenze (VG5000)"
        )
    if indikatoren.werte:
        werte = f"{indikatoren.werte:,}".replace(",", ".")
        typer.echo(
            f"Indikatoren {indikatoren.indikatoren} (INKAR), {werte} Werte (Kreise, Gemeinden, Verbände)"
        )
    if not result.parsed:
        return
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
    ("name", "Kommune"),
    ("ags", "AGS/Kreis"),
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
    references: Annotated[
        list[str],
        typer.Argument(
            help="Referenzkommunen: Name, AGS oder PLZ einer Gemeinde; ein Kreis als „Landkreis Augsburg“ "
            "oder mit seinem Schlüssel (09772)."
        ),
    ],
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
    merkmal: Annotated[
        list[str] | None,
        typer.Option(
            "--merkmal",
            help="Auch dieses INKAR-Merkmal vergleichen (Asylbewerber, SGB-II-Quote …); mehrfach möglich.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
    karte: Annotated[
        Path | None, typer.Option("--karte", help="Dazu eine Karte als HTML-Datei, z. B. karte.html.")
    ] = None,
) -> None:
    """Ähnliche Kommunen finden: gleiche Größe, Dichte, Siedlungstyp und Verstädterung.

    Zu einer Gemeinde ähnliche Gemeinden, zu einem Kreis ähnliche Kreise (dort zählt auch das Land).

    Beispiele:

      kommunen similar Augsburg

      kommunen similar "Landkreis Tübingen" --k 5

      kommunen similar 08416041 --k 10 --land BW

      kommunen similar "Landkreis Tübingen" --merkmal Asylbewerber --merkmal SGB-II-Quote

      kommunen similar Tübingen Marburg --within 150 --format csv > kandidaten.csv
    """
    from kommunen.config import Settings
    from kommunen.errors import LookupFailed
    from kommunen.places.cache import similar_index
    from kommunen.places.gemeinden import land_key
    from kommunen.places.similar import KommunenModel, SimilarQuery

    settings = Settings.from_env()
    model = KommunenModel(*similar_index(settings.database_url, settings.home, gemeinde_index))
    try:
        merkmale = model.merkmal_keys(merkmal or [])
    except LookupFailed as wrong:  # a wrong name is a wrong call, like a wrong option
        typer.secho(f"Fehler: {wrong}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    query = SimilarQuery(
        references=references,
        k=k,
        within_km=within,
        laender=[land_key(v) for v in land or []],
        nachbarkreise=nachbarkreise,
        min_einwohner=min_einwohner,
        max_einwohner=max_einwohner,
        types=typ or [],
        merkmale=merkmale,
    )
    results = model.find(query)
    for hinweis in model.hinweise(references):
        typer.echo(f"Hinweis: {hinweis}", err=True)
    _render_similar(results, fmt, model.describe(references))
    if karte is not None:
        from kommunen.cli.report import similar_map

        similar_map(results, references, model.index, karte)


SIMILAR_NARROW = ("ags", "typ", "kreis", "dichte", "land")  # left out first on a narrow terminal


def _render_similar(results, fmt: Format, references: str) -> None:  # type: ignore[no-untyped-def]
    from kommunen.outputs import plain
    from kommunen.outputs.render import render
    from kommunen.places.gemeinden import LAENDER, land_key

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
            "kreis": "" if r.typ == "kreisfreie Stadt" or r.ebene == "kreis" else r.kreis,
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
    title = f"Ähnlich wie {references}"
    if not plain.table(rows, SIMILAR_COLUMNS, title, SIMILAR_NARROW):  # rich only where it wraps
        render(rows, SIMILAR_COLUMNS, fmt, title=title, optional=SIMILAR_NARROW)
    for r in results[:3]:
        plain.echo_wrapped(f"{r.rang}. {r.name}: {r.begruendung}")


STAND_FACTS = ("Gebietsstand", "Einwohner am")  # the table says them in one line below


@app.command()
def gemeinde(
    query: Annotated[
        str, typer.Argument(help="Name, AGS oder PLZ; ein Kreis als „Landkreis Augsburg“ oder 09772.")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Die Eckdaten einer Gemeinde oder eines Kreises zeigen.

    Beispiele: kommunen gemeinde Kiel · kommunen gemeinde "Landkreis Augsburg"
    """
    from kommunen.outputs.render import render
    from kommunen.places.gemeinden import gemeinde_facts
    from kommunen.places.indikatoren import facts as indikator_facts
    from kommunen.places.kreise import kreis_facts
    from kommunen.store.db import session_scope

    index = gemeinde_index()
    found = index.find_kommune(query)
    with session_scope(engine()) as session:
        if found.ebene == "kreis":
            facts = kreis_facts(index.kreise, session.connection(), found.row)
        else:
            facts = gemeinde_facts(session, found.key)
        facts.update(indikator_facts(session.connection(), found.key))
    if found.hinweis:
        facts = {"Hinweis": found.hinweis, **facts}
    if fmt is Format.table:
        shown = {k: v for k, v in facts.items() if k not in STAND_FACTS}
        render([{"f": k, "w": v} for k, v in shown.items()], [("f", "Merkmal"), ("w", "Wert")], fmt)
        typer.echo(
            f"Gebietsstand {facts['Gebietsstand']} · Einwohner {facts['Einwohner am']} · "
            "Quelle: Statistisches Bundesamt"
        )
    else:
        render([facts], [(k, k) for k in facts], fmt)


@app.command()
def ansprechpartner(
    kommune: Annotated[str, typer.Argument(help="Name, AGS oder PLZ der Kommune.")],
    thema: Annotated[str, typer.Option("--thema", "-t", help="Nur Stellen zu diesem Thema.")] = "",
    fmt: FormatOption = Format.table,
) -> None:
    """Welches Amt, welcher Ausschuss: Stellen einer Kommune aus ihrem Ratsinformationssystem.

    Beispiel: kommunen ansprechpartner Krefeld --thema Integration
    """
    from kommunen.outputs.render import render
    from kommunen.places.departments import find_contacts

    index = gemeinde_index()
    row = index.find(kommune)
    contacts = find_contacts(engine(), index.ags[row], thema)
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
    render(
        contacts,
        [*columns, ("quelle", "Quelle")],
        fmt,
        title=index.label(row),
        optional=("quelle", "stand", "telefon", "art"),
    )
