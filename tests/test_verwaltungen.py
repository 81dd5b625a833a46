"""Whom to write to: the Anschriftenverzeichnis' administrations, the websites index, their import,
and the departments that fit a profile, on the real files in ../shared/data (values read there)."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import Engine, func, select, update

from kommunen.collect.imports import SITZ_FILE
from kommunen.collect.verwaltungen_import import AMTSFEED_DIR, NRW_FILE, import_verwaltungen
from kommunen.places.linking import KommunenLinker
from kommunen.places.verwaltungen import (
    Fachbereich,
    Verwaltung,
    fitting_departments,
    is_administration,
    names_a_department,
    themen,
    verwaltungen,
)
from kommunen.store.db import session_scope
from kommunen.store.records import store_records
from kommunen.store.verwaltungen_model import Verwaltung as VerwaltungRow
from scrapers.anschriften import VerwaltungRecord, kreis_sitze
from scrapers.anschriften import verwaltungen as parse_verwaltungen
from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.oparl import parse_objects
from scrapers.websites_index import amtsfeed_readme, nrw_communes
from tests.conftest import fresh_engine, import_shared
from tests.recorded import FETCHED_AT, SHARED, recorded

ANSCHRIFTEN = SHARED / SITZ_FILE
ORGANISATIONSEINHEITEN = SHARED / "municipal/organisationseinheiten"
KARLSRUHE = "https://web1.karlsruhe.de/oparl/bodies/0001"
HUERTGENWALD = SHARED / "municipal/oparl-live/huertgenwald-sdnet"
INTEGRATION = ["Integration", "mehrsprachig", "Sprachmittlung", "Dolmetschen", "Migration", "Teilhabe"]


@pytest.fixture(scope="module")
def parsed() -> dict[str, VerwaltungRecord]:
    return {r.key: r for r in parse_verwaltungen(str(ANSCHRIFTEN), ANSCHRIFTEN.read_bytes())}


def test_every_gemeinde_and_kreis_has_its_administration(parsed: dict[str, VerwaltungRecord]) -> None:
    assert len(parsed) == 11_179
    assert sum(len(k) == 8 for k in parsed) == 10_779  # 11,733 Gemeinde rows, 954 of them twice
    assert sum(len(k) == 5 for k in parsed) == 400


@pytest.mark.parametrize(
    ("key", "name", "anschrift", "verband"),
    [
        # Teupitz, Stadt (Dahme-Spreewald): served by its Amt, row 10564
        ("12061492", "Amt Schenkenländchen", "Markt 9, 15755 Teupitz", "120615108"),
        # Dümpelfeld (Ahrweiler), a member of the Verbandsgemeinde Adenau
        ("07131501", "Verbandsgemeindeverwaltung Adenau", "Kirchstraße 15, 53518 Adenau", "071315001"),
        # Grafenau (Böblingen) is listed for its Gemeindeverwaltungsverband and for itself: itself
        ("08115054", "Gemeindeverwaltung Grafenau", "Hofstetten 12, 71120 Grafenau", ""),
        ("08235", "Landratsamt Calw", "Vogteistraße 42 - 46, 75365 Calw", ""),  # a Landkreis
        ("01001000", "Flensburg, Stadt", "Rathausplatz 1, 24937 Flensburg", ""),  # a kreisfreie Stadt
        ("01001", "Flensburg, Stadt", "Rathausplatz 1, 24931 Flensburg", ""),  # … as its own Kreis
        ("09162000", "Landeshauptstadt München", "80313 München", ""),  # no Straße in the file
    ],
)
def test_concrete_administrations(
    parsed: dict[str, VerwaltungRecord], key: str, name: str, anschrift: str, verband: str
) -> None:
    record = parsed[key]
    assert (record.name, record.anschrift, record.verband_key) == (name, anschrift, verband)
    assert record.source_url == str(ANSCHRIFTEN)


def test_a_sheet_of_another_year_reads_and_a_broken_row_names_itself() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Anschriften_31_01_2025"
    for _ in range(8):
        sheet.append([None] * 12)
    sheet.append(["12", "Brandenburg", 40, "43", "Landkreis", "12061", None, "Dahme-Spreewald",
                  "Landkreis Dahme-Spreewald", "Reutergasse 12", "15907", "Lübben (Spreewald)"])  # fmt: skip
    sheet.append(["12", "Brandenburg", 60, "64", "Gemeinde", "120615108192", "1206119", "Groß Köris",
                  "Amt Schenkenländchen", "Markt 9", "15755", "Teupitz"])  # fmt: skip
    body = io.BytesIO()
    book.save(body)
    assert [k.key for k in kreis_sitze("neu.xlsx", body.getvalue())] == ["12061"]
    with pytest.raises(ParseError, match=r"neu\.xlsx: Zeile 10: '1206119' ohne Schlüssel"):
        parse_verwaltungen("neu.xlsx", body.getvalue())


def test_nrw_websites_index() -> None:
    found = nrw_communes("ozg.sql", (SHARED / NRW_FILE).read_bytes())
    assert len(found) == 390
    by_name = {r.name: r for r in found}
    assert by_name["Ahlen"].url == "https://ahlen.de"  # 'ahlen.de' in the dump
    assert by_name["Aachen"].url == "http://aachen.de"  # the one given with a scheme
    assert (by_name["Zülpich"].land, by_name["Zülpich"].quelle) == ("05", "ozg.sql")


def test_brandenburg_websites_index() -> None:
    readmes = sorted((SHARED / AMTSFEED_DIR).rglob("README.md"))
    found = []
    for path in readmes:
        robots = path.with_name("robots.json")
        found.append(
            amtsfeed_readme(str(path), path.read_bytes(), robots.read_bytes() if robots.is_file() else None)
        )
    assert len(readmes) == 105  # 104 Kommunen and the Landkreis Elbe-Elster
    by_name = {r.name: r for r in found if r is not None}
    assert len(by_name) == 105
    amt = by_name["Amt Schenkenländchen"]
    assert (amt.url, amt.cms, amt.kreis, amt.land) == (
        "https://www.amt-schenkenlaendchen.de",
        "PortUNA",
        "Landkreis Dahme-Spreewald",
        "12",
    )
    assert by_name["Amt Odervorland"].url == "https://www.amt-odervorland.de"  # "Website:", no Quelle
    assert by_name["Schorfheide"].url == "https://www.schorfheide.de"  # robots.json's baseUrl
    assert by_name["Landkreis Elbe-Elster"].url == "https://www.lkee.de"  # **Quelle:** [lkee.de](…)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("verwaltungen"))
    import_shared(engine)
    with session_scope(engine) as session:
        assert import_verwaltungen(session, SHARED, SITZ_FILE) == 11_179
    return engine


def test_import_twice_keeps_one_row_each(imported: Engine) -> None:
    with session_scope(imported) as session:
        assert import_verwaltungen(session, SHARED, SITZ_FILE) is None  # unchanged: one SELECT
        session.execute(update(VerwaltungRow).values(inputs_hash="alt"))
    with session_scope(imported) as session:
        assert import_verwaltungen(session, SHARED, SITZ_FILE) == 11_179  # replaced, not added
    with session_scope(imported) as session:
        assert session.scalar(select(func.count()).select_from(VerwaltungRow)) == 11_179
        with_website = session.scalar(select(func.count()).where(VerwaltungRow.website != ""))
    assert with_website == 572  # 373 in NRW, 199 in Brandenburg (an Amt's site serves each member)


def test_verwaltungen_with_their_websites(imported: Engine) -> None:
    with session_scope(imported) as session:
        found = verwaltungen(session)
    assert found["12061492"] == Verwaltung(
        "Amt Schenkenländchen",
        "Markt 9, 15755 Teupitz",
        "https://www.amt-schenkenlaendchen.de",
        str(ANSCHRIFTEN),
    )
    assert found["12061192"].website == "https://www.amt-schenkenlaendchen.de"  # Groß Köris, same Amt
    assert (found["05570004"].name, found["05570004"].website) == ("Stadt Ahlen", "https://ahlen.de")
    assert found["12062"].website == "https://www.lkee.de"  # Landkreis Elbe-Elster
    assert found["12060005"].website == "https://www.ahrensfelde.de"  # amtsfreie Gemeinde
    assert found["08235"].website == ""  # no index knows Calw's
    # the index says "Verbandsgemeinde Bad Liebenwerda", the Anschriften "… Liebenwerda": the domain tells
    assert found["12062341"].website == "https://www.verbandsgemeinde-liebenwerda.de"  # Mühlberg/Elbe


def karlsruhe_page() -> bytes:
    """All 97 real Organizations of Stadt Karlsruhe, with its Body (not recorded) in front."""
    organizations = json.loads((SHARED / "municipal/oparl-live/karlsruhe/organizations.json").read_bytes())
    body = {"id": KARLSRUHE, "type": "https://schema.oparl.org/1.1/Body", "name": "Stadt Karlsruhe"}
    body |= {"ags": "08212000", "organization": f"{KARLSRUHE}/organizations"}
    return json.dumps({"data": [body, *organizations], "links": {}}).encode()


@pytest.fixture(scope="module")
def departments(imported: Engine) -> Engine:
    from scrapers.notice_files import parse_notice

    with session_scope(imported) as session:
        page = recorded(HUERTGENWALD / "body.json", url="https://sdnetrim.kdvz-frechen.de/rim4220/body")
        store_records(session, parse_objects(page))
        store_records(session, parse_objects(recorded(HUERTGENWALD / "body/1/organization.json")))
        karlsruhe = RawDocument(
            url=f"{KARLSRUHE}/organizations", body=karlsruhe_page(), fetched_at=FETCHED_AT
        )
        store_records(session, parse_objects(karlsruhe))
        erlangen = parse_notice(recorded("tenders/ted-eforms-de/520949-2024.xml"))
        store_records(session, [erlangen], KommunenLinker())
    return imported


def test_karlsruhe_offices_fit_integration_and_its_committees_do_not(departments: Engine) -> None:
    with session_scope(departments) as session:
        found = fitting_departments(session, INTEGRATION)
    karlsruhe = found["08212000"]
    assert karlsruhe[0] == Fachbereich("Büro für Integration", "OParl", "")
    assert "Integrationsausschuss" not in {f.name for f in karlsruhe}  # a Gremium (/organizations/gr/)
    with session_scope(departments) as session:
        digital = fitting_departments(session, ["E-Government"])["08212000"]
    assert [f.name for f in digital] == [
        "Amt für Informationstechnik und Digitalisierung",  # Digital by the vocabulary
        "Personal- und Organisationsamt",
    ]


def test_a_notice_names_its_department_and_a_committee_is_none(departments: Engine) -> None:
    with session_scope(departments) as session:
        found = fitting_departments(session, ["Gebäudemanagement"])
        nachhaltigkeit = fitting_departments(session, ["Nachhaltigkeit"])
    # eForms: buyer "Stadt Erlangen - Amt 24", Department "Amt für Gebäudemanagement"
    assert found["09562000"] == [
        Fachbereich("Amt für Gebäudemanagement", "Bekanntmachung", "submissionsstelle@stadt.erlangen.de")
    ]
    # Hürtgenwald's "Ausschuss für Gemeindeentwicklung und Nachhaltigkeit" is a Gremium; its
    # Dienststellen "Abteilung 1" … "4" name no theme
    assert "05358016" not in nachhaltigkeit
    assert "05358016" not in found
    with session_scope(departments) as session:
        abteilungen = fitting_departments(session, ["Abteilung"])["05358016"]
    assert abteilungen == [Fachbereich(f"Abteilung {n}", "OParl", "") for n in (1, 2, 3)]  # best 3 of 4


def test_profile_words_reach_departments_through_the_vocabulary(departments: Engine) -> None:
    with session_scope(departments) as session:
        found = fitting_departments(session, ["Dolmetscher"])
    assert [f.name for f in found["08212000"]] == ["Büro für Integration"]


def berlin_units() -> dict[str, str]:
    """Label (and stated purpose, where given) of the Berlin organigram units."""
    units = {}
    for path in (ORGANISATIONSEINHEITEN / "berlin-lod-organigram").glob("*.ttl"):
        for block in path.read_text(encoding="utf-8").split("\norganigram:"):
            label = re.search(r'skos:prefLabel "([^"]+)"@de', block)
            purpose = re.search(r'org:purpose "([^"]+)"@de', block)
            if label:
                units[label.group(1)] = f"{label.group(1)} {purpose.group(1) if purpose else ''}".strip()
    core = ORGANISATIONSEINHEITEN / "berlin-lod-core-organigram/berlin_core_orgs.ttl"
    for label in re.findall(r'"(Abteilung [^"]+)"@de', core.read_text(encoding="utf-8")):
        units[label] = label
    return units


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("Abteilung I – Integration und Migration", ("Integration",)),
        ("Abteilung III – Jugend und Kinderschutz", ("Jugend",)),
        ("Abteilung III – Energie, Digitalisierung, Innovation", ("Klima", "Digital")),
        (
            "Abteilung I – Umwelt- und Klimaschutzpolitik, Kreislaufwirtschaft und Immissionsschutz",
            ("Klima",),
        ),
        (
            "Z D - Infrastruktur",
            ("Digital",),
        ),  # purpose: "IKT-Betriebsorganisation, … IT- Verfahrensmanagement"
        ("I B", ("Soziales",)),  # purpose: "Psychiatrie, Sucht und Gesundheitsvorsorge"
        ("Abteilung II – Pflege", ("Soziales",)),
        ("Abteilung II – Integrativer Umweltschutz", ("Klima",)),  # "integrativ" is no Integration
        ("Abteilung III – Angelegenheiten der Steuerverwaltung", ()),
        ("Abteilung V – Tiefbau", ()),
    ],
)
def test_berlin_units_get_their_theme(unit: str, expected: tuple[str, ...]) -> None:
    assert themen(berlin_units()[unit]) == expected


def test_import_gemeinden_says_how_many_verwaltungen() -> None:
    from typer.testing import CliRunner

    from kommunen.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["import-gemeinden"])
    assert first.exit_code == 0, first.output
    assert "11.179 Verwaltungen (Anschriftenverzeichnis)" in first.output
    again = runner.invoke(app, ["import-gemeinden"])
    assert again.exit_code == 0, again.output
    assert "Verwaltungen" not in again.output  # unchanged files: the table is left as it is


@pytest.mark.parametrize(
    ("department", "buyer", "named"),
    [
        ("Amt für Gebäudemanagement", "Stadt Erlangen - Amt 24", True),  # 520949-2024.xml
        ("Amt 24", "Stadt Erlangen", True),  # TED: "Stadt Erlangen – Amt 24"
        ("Stadt Erlangen", "Stadt Erlangen", False),  # the buyer again
        ("Erlangen", "Stadt Erlangen", False),
        ("Frau Dr. Weber", "Landkreis Tübingen", False),  # a person
        ("Anna Weber", "Landkreis Tübingen", False),
        ("Soziale Dienste", "Stadt Kiel", True),  # two words, but a theme: an office
    ],
)
def test_a_notice_department_is_an_office(department: str, buyer: str, named: bool) -> None:
    assert names_a_department(department, buyer) is named


@pytest.mark.parametrize(
    ("source_id", "kind", "name", "office"),
    [
        (f"{KARLSRUHE}/organizations/at/883022", "", "Behindertenbeauftragte", True),
        (f"{KARLSRUHE}/organizations/gr/1", "", "Integrationsausschuss", False),
        ("https://sdnetrim.kdvz-frechen.de/x/organization/1", "Dienststellen", "Abteilung 1", True),
        ("https://sdnetrim.kdvz-frechen.de/x/organization/2", "Fraktion", "Freie für Hürtgenwald", False),
        ("https://oparl.example/o/3", "", "Kommunales Integrationszentrum", True),
        ("https://oparl.example/o/4", "", "Beirat für Migration und Integration", False),
    ],
)
def test_offices_are_told_from_committees(source_id: str, kind: str, name: str, office: bool) -> None:
    assert is_administration(source_id, kind, name) is office
