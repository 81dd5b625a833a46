"""Commands about leads: check a profile, rank, explain, export, digest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kommunen.cli.common import FormatOption, ProfileOption, app, engine, exclusive, gemeinde_index
from kommunen.cli.german import GermanTyper, readable
from kommunen.outputs.render import Format

if TYPE_CHECKING:
    from kommunen.matching.lead import KommuneFacts

KIND_WORDS = {  # German for --kind; the English names stay for scripts
    "ausschreibung": "tender",
    "ausschreibungen": "tender",
    "foerderung": "funding",
    "förderung": "funding",
    "foerderprogramm": "funding",
    "förderprogramm": "funding",
    "foerderprogramme": "funding",
    "förderprogramme": "funding",
    "kommunen": "kommune",
}
profile_app = GermanTyper(help="Organisationsprofile (TOML) prüfen.", no_args_is_help=True)
app.add_typer(profile_app, name="profile")


@profile_app.command("check")
def profile_check(path: Annotated[Path, typer.Argument(help="Profil-Datei (TOML).")]) -> None:
    """Ein Profil prüfen: alle Fehler auf einmal, jeder mit Datei, Zeile und Feld.

    Prüft auch die Orte (heimat, referenzen) gegen das Gemeindeverzeichnis und sagt, wenn das
    Profil keine Kommune-Leads liefern kann.

    Beispiel: kommunen profile check meinprofil.toml
    """
    from kommunen.errors import DataFileError
    from kommunen.matching.codelists import CodeLists
    from kommunen.matching.profile import load_profile
    from kommunen.store.db import session_scope

    try:
        index = gemeinde_index()
    except DataFileError:
        index = None  # every other error is still worth reporting now
    with session_scope(engine()) as session:
        codes = CodeLists.load(session)
    profile = load_profile(path, index, codes)
    if index is None:
        gemeinde_index()  # says how to get the Gemeinden the places are checked against
    for note in profile.notes:
        typer.secho(f"Hinweis: {note}", fg=typer.colors.YELLOW)
    typer.secho(
        f"{path}: in Ordnung – {profile.name}, {len(profile.begriffe)} Begriffe, {len(profile.cpv)} CPV, "
        f"{len(profile.referenzen)} Referenzkommunen",
        fg=typer.colors.GREEN,
    )


def ranked_leads(profile_path: Path, now: datetime | None = None):  # type: ignore[no-untyped-def]
    from kommunen.collect.pipeline import utcnow
    from kommunen.matching.leads import rank, store_leads
    from kommunen.matching.profile import load_profile

    index = gemeinde_index()
    profile = load_profile(profile_path, index)  # unknown places named with file:line like the rest
    now = now or utcnow()
    leads = rank(engine(), profile, index, now)
    store_leads(engine(), profile, leads, now)
    return profile, leads


def new_by_kind(profile_name: str, since: datetime) -> dict[str, int]:
    from sqlalchemy import func, select

    from kommunen.store.db import session_scope
    from kommunen.store.models import LeadRow

    with session_scope(engine()) as session:
        query = (
            select(LeadRow.kind, func.count())
            .where(LeadRow.profile == profile_name, LeadRow.first_seen >= since, LeadRow.excluded == "")
            .group_by(LeadRow.kind)
        )
        return {kind: n for kind, n in session.execute(query)}


@app.command()
def leads(
    profile: ProfileOption,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="ausschreibung (tender), foerderung (funding) oder kommune."),
    ] = None,
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
    from kommunen.collect.pipeline import utcnow
    from kommunen.errors import ConfigError
    from kommunen.matching.lead import Lead
    from kommunen.matching.leads import KINDS, mark_first_seen
    from kommunen.outputs.render import BERLIN, render

    kind = KIND_WORDS.get(kind.casefold(), kind) if kind is not None else None
    if kind is not None and kind not in KINDS:
        raise ConfigError(
            f"--kind {kind!r}: erlaubt sind ausschreibung, foerderung, kommune ({', '.join(KINDS)})"
        )
    now = utcnow()
    loaded, ranked = ranked_leads(profile, now)
    chosen = mark_first_seen(engine(), loaded, ranked.select(kind, limit=limit, include_excluded=alle))

    def since(lead: Lead) -> str:  # "neu" in this run, else the day it was first seen
        if lead.first_seen is None:
            return ""  # excluded leads are not stored
        return "neu" if lead.first_seen >= now else lead.first_seen.astimezone(BERLIN).strftime("%d.%m.%Y")

    shown = [
        {
            "id": lead.lead_id,
            "art": readable(lead.kind) if fmt is Format.table else lead.kind,  # JSON/CSV: stable (README)
            "punkte": round(lead.score * 100),
            "seit": since(lead),
            "titel": lead.title,
            "begruendung": lead.excluded or lead.reason,
            "kontakt": lead.kommune.kontakt if lead.kommune else "",
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
    contact = [("kontakt", "Ansprechstelle")] if any(row["kontakt"] for row in shown) else []
    render(
        shown,
        [*columns, ("id", "ID"), ("url", "URL"), ("kontakt", "")]
        if fmt is not Format.table
        else columns + contact,
        fmt,
        title=f"{len(shown)} Leads",
        optional=("kontakt", "seit", "art"),  # on a narrow terminal the reason stays, the address goes
    )


@app.command()
def explain(
    lead_id: Annotated[str, typer.Argument(help="Lead-ID aus `kommunen leads -f csv`.")],
    profile: ProfileOption,
) -> None:
    """Jede Komponente eines Leads mit Wert und Beleg zeigen.

    Beispiel: kommunen explain --profile meinprofil.toml kommune:09772111
    """
    from kommunen.matching.lead import COMPONENT_LABELS
    from kommunen.outputs.render import render
    from scrapers.cleaning import clean_text

    _, ranked = ranked_leads(profile)
    lead = ranked.find(lead_id)
    typer.echo(clean_text(f"{lead.title}\n{lead.lead_id} · {round(lead.score * 100)} Punkte {lead.url}"))
    if lead.excluded:
        typer.secho(clean_text(f"ausgeschlossen: {lead.excluded}"), fg=typer.colors.YELLOW)
    render(
        [
            {"k": COMPONENT_LABELS.get(c.name, c.name), "v": round(c.value, 2), "e": c.evidence or "–"}
            for c in lead.components
        ],
        [("k", "Komponente"), ("v", "Wert"), ("e", "Beleg")],
        Format.table,
    )
    if lead.kommune is not None:
        _kommune_card(lead.kommune)


def _kommune_card(facts: KommuneFacts) -> None:
    """Whom to write to and what the Kommune bought before on the profile's themes."""
    from scrapers.cleaning import clean_text

    lines = [f"Ansprechstelle: {facts.kontakt or 'unbekannt'}"]
    lines += [f"Website: {facts.website}"] * bool(facts.website)
    lines += [f"Fachbereiche: {'; '.join(facts.fachbereiche)}"] * bool(facts.fachbereiche)
    lines.append(f"Einkaufshistorie ({len(facts.historie)}):" if facts.historie else "Einkaufshistorie: –")
    lines += [f"  {past.sentence()}  {past.url}" for past in facts.historie]
    typer.echo(clean_text("\n".join(lines)))


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
    from kommunen.collect.pipeline import utcnow
    from kommunen.matching.leads import mark_first_seen
    from kommunen.outputs.export import export as write

    loaded, ranked = ranked_leads(profile)
    chosen = mark_first_seen(engine(), loaded, ranked.select(limit=limit))
    written = write(chosen, output, utcnow(), delimiter="," if komma else ";")
    if output.suffix.lower() == ".ics":  # a calendar holds deadlines, not leads
        without = len(chosen) - written
        typer.echo(
            f"{written} Fristen nach {output} geschrieben"
            + (f" ({without} der {len(chosen)} Leads ohne Frist)" if without else "")
        )
    else:
        typer.echo(f"{written} Leads nach {output} geschrieben")


@app.command()
@exclusive("digest")
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
    from kommunen.collect.pipeline import utcnow
    from kommunen.config import Settings, SmtpSettings
    from kommunen.errors import ConfigError
    from kommunen.outputs import digest as mail
    from kommunen.outputs import report

    if send == dry_run:
        raise ConfigError("Genau eines angeben: --send oder --dry-run")
    smtp = SmtpSettings.from_env() if send else None
    loaded, ranked = ranked_leads(profile)
    now = utcnow()
    built = mail.build(engine(), loaded.name, str(profile), to, ranked)
    if not built.items and not always:
        typer.echo("Nichts Neues für diesen Empfänger: kein Digest.")
        return
    anhang = report.anhang(engine(), loaded, ranked, gemeinde_index(), Settings.from_env().data_dir, now)
    message = mail.compose(built, smtp.sender if smtp else "kommunen@localhost", to, now, anhang)
    if output is not None:
        output.write_bytes(bytes(message))
    if smtp is not None:
        mail.send(message, smtp)
        mail.mark_sent(engine(), built, to, now)
        typer.echo(f"Digest mit {len(built.items)} Leads an {to} gesendet")
    else:
        typer.echo(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


@app.command()
def evaluate(
    profile: ProfileOption,
    labels: Annotated[
        Path, typer.Option("--labels", "-l", help="CSV notice,grade[,reason]; grade 0, 1 oder 2.")
    ],
    k: Annotated[int, typer.Option("--k", "-k", help="Wie viele oben zählen.", min=1)] = 10,
    fmt: FormatOption = Format.table,
) -> None:
    """Wie gut trifft das Profil? Beurteilte Bekanntmachungen ordnen, als wären alle neu.

    Druckt precision@k und nDCG@k, daneben eine reine Stichwortsuche mit denselben Begriffen,
    die relevanten außerhalb der ersten k und die irrelevanten darin, jede mit ihrer Begründung.

    Beispiel: kommunen evaluate --profile meinprofil.toml --labels urteile.csv
    """
    import json
    from textwrap import shorten

    from kommunen.collect.pipeline import utcnow
    from kommunen.matching.evaluation import evaluate as run_evaluation
    from kommunen.matching.evaluation import load_labels
    from kommunen.matching.profile import load_profile

    judged, loaded = load_labels(labels), load_profile(profile)  # a wrong file fails before any work
    result = run_evaluation(engine(), loaded, gemeinde_index(), utcnow(), judged, k)
    if fmt is Format.json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if fmt is Format.csv:
        from kommunen.outputs.render import render

        rows = [
            {"notice": r.notice, "grade": r.grade, "score": r.score, "reason": r.reason}
            for r in result.ranked
        ]
        render(
            rows, [("notice", "notice"), ("grade", "grade"), ("score", "score"), ("reason", "reason")], fmt
        )
        return
    typer.echo(
        f"{len(result.ranked)} beurteilte Bekanntmachungen, davon {result.relevant} relevant"
        + (f"; {len(result.missing)} nicht in der Datenbank" if result.missing else "")
    )
    typer.echo(f"{'':<16}{'precision@' + str(k):>14}{'nDCG@' + str(k):>10}")
    typer.echo(f"{'Profil':<16}{result.precision_at_k:>14.2f}{result.ndcg_at_k:>10.2f}")
    typer.echo(
        f"{'nur Stichworte':<16}{result.baseline_precision_at_k:>14.2f}{result.baseline_ndcg_at_k:>10.2f}"
    )
    for title, entries in (
        (f"Relevant, aber nicht unter den ersten {k}:", result.missed()),
        (f"Nicht relevant, aber unter den ersten {k}:", result.wrong()),
    ):
        if entries:
            typer.echo(f"\n{title}")
            for r in entries:
                typer.echo(f"  {r.grade} {shorten(r.notice, 74, placeholder='…')}")
                typer.echo(f"    {shorten(r.reason or 'keine Begründung', 74, placeholder=' …')}")
                if r.label_reason:
                    typer.echo(f"    Urteil: {shorten(r.label_reason, 66, placeholder=' …')}")
    if result.missing:
        typer.echo("\nNicht in der Datenbank (erst importieren, z. B. kommunen import-notices):")
        for notice in result.missing[:20]:
            typer.echo(f"  {shorten(notice, 76, placeholder='…')}")
