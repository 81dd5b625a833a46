"""The general rules behind the tender ranking, each on a real notice: construction planning and
goods are not a service provider's work, the buyer's kind, words that mean something else, and
notices from abroad. Values were read from the notices under ../shared/data/tenders."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.config import Settings
from kommunen.matching.codelists import CodeLists
from kommunen.matching.lead import Component
from kommunen.matching.leads import tender_columns
from kommunen.matching.profile import load_profile
from kommunen.matching.score import Matcher
from kommunen.matching.topic import buyer_kind, notice_nature, offered_natures, plans_a_building
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import engine_for, session_scope
from kommunen.store.records import search_text
from scrapers.base import RawDocument
from scrapers.notice_files import parse_notice
from tests.recorded import SHARED

runner = CliRunner()
PROFILES = Path(__file__).resolve().parents[1] / "data/profiles"
NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """profile name → (notice file → {component name: Component}, notice file → score), every
    notice of ted-eforms-de and ted-r209-de ranked as if new."""
    home = tmp_path_factory.mktemp("rules")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KOMMUNEN_HOME", str(home))
        env.setenv("KOMMUNEN_DATA_DIR", str(SHARED))
        for args in (["import-gemeinden"], ["import-codelisten"]):
            assert runner.invoke(app, args).exit_code == 0
        folders = [str(SHARED / "tenders" / f) for f in ("ted-eforms-de", "ted-r209-de")]
        assert runner.invoke(app, ["import-notices", *folders]).exit_code == 0
        engine = engine_for(Settings.from_env())
    with session_scope(engine) as session:
        columns = tender_columns(session, grouped=False)
        codes, index = CodeLists.load(session), GemeindeIndex(session)
    engine.dispose()
    columns = dataclasses.replace(
        columns, submission_deadline=[None] * len(columns), planned_date=[None] * len(columns)
    )
    found = {}
    for name in ("integration", "digital", "klima", "jugendbeteiligung"):
        tenders = Matcher(load_profile(PROFILES / f"{name}.toml"), index, NOW, codes).tenders(columns)
        parts: dict[str, dict[str, Component]] = {}
        scores: dict[str, float] = {}
        for i, url in enumerate(columns.source_url):
            notice = Path(urlsplit(url).path).stem.replace("_", "-")  # the file: "298488_2018.xml"
            parts[notice] = {c.name: c for c in tenders.lead(i).components}
            scores[notice] = float(tenders.score[i])
        found[name] = (parts, scores)
    return found


def test_construction_planning_is_no_consultancy_work(scored) -> None:  # type: ignore[no-untyped-def]
    # 081133-2019: "Planungsleistungen für das Gewerk Elektro nach HOAI für den Neubau Grundschule
    # FRANKLIN in Mannheim", main CPV 71320000 Planungsleistungen im Bauwesen; its text names a
    # "nachhaltige Bauweise" and Klimaschutz. The klima profile offers advice (71314300, 79400000 …).
    parts, _ = scored["klima"]
    school = parts["081133-2019"]
    assert (school["leistung"].value, school["leistung"].evidence) == (
        0.0,
        "Bauplanung, Sie bieten Dienstleistung",
    )
    # 71315000 Haustechnik shares the group 7131 with 71314300 Energieeffizienzberatung: no credit
    assert school["cpv"].value == 0.0
    # 161244-2021, a study on decarbonising a heat supply (CPV 73000000), is the klima profile's work
    assert parts["161244-2021"]["leistung"].value == 1.0
    assert offered_natures(["71"]) >= {"services", "bauplanung"}  # an engineering office plans buildings
    assert "bauplanung" not in offered_natures(["90712000", "71314300", "79400000", "73220000"])


def test_a_design_contest_for_architects_plans_a_building(scored) -> None:  # type: ignore[no-untyped-def]
    # 223338-2021 (F13, results of a design contest) "Planungswettbewerb 4-fach Sporthalle
    # Unionviertel", Stadt Dortmund, main CPV 71240000 – a generic code, but a contest for
    # architects; its text names Nachhaltigkeit. 193991-2019 (F12, CPV 85140000 "Healthy Hub") is a
    # contest for ideas, no building.
    hall = scored["klima"][0]["223338-2021"]["leistung"]
    assert (hall.value, hall.evidence) == (0.0, "Bauplanung, Sie bieten Dienstleistung")
    assert notice_nature("services", "71240000", "F13_2014") == "bauplanung"
    assert notice_nature("services", "71000000", "cn-desg") == "bauplanung"  # eForms: 599897-2024
    assert notice_nature("services", "85140000", "F12_2014") == "services"
    assert notice_nature("services", "71240000", "F03_2014") == "services"  # a study may be advice


def test_goods_from_another_division_are_no_software_vendors_work(scored) -> None:  # type: ignore[no-untyped-def]
    parts, _ = scored["digital"]
    # 298488-2018 "Digitale Alarmierung in den Landkreisen Diepholz und Verden": supply of radio
    # alerting equipment, main CPV 32510000; the digital profile sells software (48) and IT (72)
    radios = parts["298488-2018"]["leistung"]
    assert radios.value == 0.0
    assert radios.evidence == (
        "Lieferung aus CPV 32 (Rundfunk- und Fernsehgeräte, Kommunikations- und Fernmeldeanlagen und "
        "Zubehör), Sie liefern aus CPV 48, 72, 79"
    )
    # 104816-2024 "Fachanwendung Personalwesen" (Stadt Marktoberdorf): a supply of CPV 48450000
    assert parts["104816-2024"]["leistung"].value == 1.0
    # 460196-2017: a "Dienstleistungskonzession" to build and run district heating, main CPV
    # 09323000 Fernwärme – a service around goods, no consultancy
    heat = scored["klima"][0]["460196-2017"]["leistung"]
    assert (heat.value, heat.evidence) == (0.0, "Lieferung, Sie bieten Dienstleistung")
    assert notice_nature("services", "09323000") == "supplies:09"
    assert notice_nature("services", "48000000") == "services"  # software as a service stays one


def test_an_administration_outranks_a_hospital_with_more_words(scored) -> None:  # type: ignore[no-untyped-def]
    parts, scores = scored["digital"]
    # 083980-2022 "Digitales Patientenportal", Barmherzige Brüder Trier gGmbH (no legal type given)
    hospital = parts["083980-2022"]["verwaltung"]
    assert (hospital.value, hospital.evidence) == (0.3, "Auftraggeber ist ein Unternehmen, keine Verwaltung")
    # 182323-2024 "Verbundprojekt Digitales Gesundheitsamt" of the Landkreis Lindau and others
    assert parts["182323-2024"]["verwaltung"].evidence == "Auftraggeber ist ein Kreis"
    assert parts["083980-2022"]["text"].value > parts["182323-2024"]["text"].value
    assert scores["182323-2024"] > scores["083980-2022"]


def test_buyer_names_say_what_the_legal_type_does_not() -> None:
    # real buyers of the notices in ted-eforms-de (519278-2024, 650047-2023, 608880-2024, 749153-2023)
    assert buyer_kind("", "body-pl-ra", "Universitätsklinikum Essen (AöR)") == (
        0.3,
        "Auftraggeber ist ein Krankenhaus, keine Verwaltung",
    )
    assert (
        buyer_kind("", "body-pl-la", "Hochschule Flensburg")[1]
        == "Auftraggeber ist eine Hochschule, keine Verwaltung"
    )
    assert buyer_kind("", "org-sub", "Zweckverband Renaturierung Dattenhauser Ried") == (0.8, "")
    assert buyer_kind("", "body-pl-cga", "Techniker Krankenkasse")[0] == 0.3
    assert buyer_kind("", "utilities", "DB Netz AG (Bukr 16)")[0] == 0.3
    assert buyer_kind("", "ministry", "Der Präsident des Bundesverwaltungsgerichts") == (0.8, "")
    assert buyer_kind("05913000", "la", "Vergabe und Beschaffungszentrum Dortmund")[0] == 1.0


def test_the_involved_are_no_participation(scored) -> None:  # type: ignore[no-untyped-def]
    # 237786-2016, schulische Integrationshilfen in Duisburg: "… und den beteiligten Schulen"
    text = scored["jugendbeteiligung"][0]["237786-2016"]["text"]
    assert (text.value, text.evidence) == (0.0, "")
    # 020008-2017, Quartiersmanagement Soziale Stadt Salzgitter, still counts for participation
    assert scored["jugendbeteiligung"][0]["020008-2017"]["text"].evidence == "Begriffe: Quartiersmanagement"


def test_energetic_renovation_is_no_energy_advice(scored) -> None:  # type: ignore[no-untyped-def]
    # 362385-2021 "Energetische Sanierung d. Blocks Finsterwalder Str. 1-11": building planning
    assert scored["klima"][0]["362385-2021"]["text"].evidence == "Begriffe: Nachhaltigkeit"


def test_a_generic_code_with_a_building_discipline_plans_a_building(scored) -> None:  # type: ignore[no-untyped-def]
    # 617055-2024 "MarienBad (Los 2)", CPV 71000000: the award of the pool's TGA planning; its text
    # names the "technische Gebäudeausrüstung", and lower "Treibhausgasemissionen" as an aim. 533172-2024, the
    # Charité's "Technische Ausrüstung" (71240000) with its "ALG 8 – Gebäudeautomation".
    klima = scored["klima"][0]
    for notice in ("617055-2024", "533172-2024"):
        assert (klima[notice]["leistung"].value, klima[notice]["leistung"].evidence) == (
            0.0,
            "Bauplanung, Sie bieten Dienstleistung",
        )
    # 154434-2019, Hochwasserrückhaltebecken Weilers/Bracht (71300000): its Fachlose name Tragwerks-
    # planung and a "Technische Ausrüstung" of a dam, and Umweltplanung: no building
    assert klima["154434-2019"]["leistung"].value == 1.0
    assert plans_a_building("71000000", "Fachplaner technische Gebäudeausrüstung neu", "")
    assert not plans_a_building("71314300", "Energieaudit", "bestand der technischen gebaudeausrustung")


def test_a_municipal_company_is_nearer_than_other_companies(scored) -> None:  # type: ignore[no-untyped-def]
    # real buyers: 161244-2021, 419422-2023 (eForms BT-11 pub-undert-la), the Stadtwerke of the notices
    municipal = (0.6, "Auftraggeber ist ein kommunales Unternehmen")
    assert buyer_kind("", "utilities", "Versorgungsbetriebe Hoyerswerda GmbH") == municipal
    assert buyer_kind("", "pub-undert-la", "Gewobag Wohnungsbau - Aktiengesellschaft Berlin") == municipal
    assert buyer_kind("", "utilities", "Stadtwerke München GmbH") == municipal
    assert buyer_kind("", "utilities", "TenneT TSO GmbH")[0] == 0.3
    assert buyer_kind("", "pub-undert", "MarienBad GmbH")[0] == 0.3
    assert buyer_kind("", "body-pl-la", "Stadtwerke Friedberg") == (0.8, "")  # by law an authority
    # the study on decarbonising Lausitz's heat supply is the klima profile's best notice
    _, scores = scored["klima"]
    assert max(scores, key=scores.__getitem__) == "161244-2021"


def test_a_sentence_a_lot_repeats_is_one_mention() -> None:
    # 480419-2022 (Uniper, "Projektmanagement Green Wilhelmshaven"): the lot's description repeats
    # the first sentence of the whole's, with "Dekarbonisierung" in it, then adds its own
    path = SHARED / "tenders/ted-r209-de/480419-2022.xml"
    notice = parse_notice(RawDocument(url=path.as_uri(), body=path.read_bytes(), fetched_at=NOW))
    assert [text.count("Dekarbonisierung") for text in (notice.description, notice.lots[0].description)] == [
        1,
        1,
    ]
    text = search_text(notice)
    assert text.count("Dekarbonisierung") == 1
    assert "Ein Thema betrifft das Projekt" in text
    assert "Primär geht es um Leistungen" in text
