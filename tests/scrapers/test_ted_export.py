"""TED_EXPORT R2.0.9/R2.0.8 on the real German notices; each value checked by reading the XML."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from scrapers.errors import ParseError
from scrapers.records import Stage, Winner
from scrapers.ted_export import ojs_publication, parse_notice
from tests.recorded import SHARED, recorded

BERLIN = ZoneInfo("Europe/Berlin")
FOLDERS = ("tenders/ted-r209-de", "tenders/ted-r209-de-converter")
FILES = sorted(p for folder in FOLDERS for p in (SHARED / folder).glob("*.xml"))


def notice(path: str):  # type: ignore[no-untyped-def]
    return parse_notice(recorded(path))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_ted_export_notice_parses(path: Path) -> None:
    n = parse_notice(recorded(path))
    assert n.title
    assert n.source_id
    assert n.stage is not Stage.UNKNOWN
    assert n.buyer_name
    assert n.buyer_country == "DEU"


def test_counts_per_folder_and_stage() -> None:
    notices = [parse_notice(recorded(p)) for p in FILES]
    assert len(notices) == 374
    stages = {s: sum(1 for n in notices if n.stage is s) for s in Stage}
    assert stages[Stage.COMPETITION] == 125
    assert stages[Stage.RESULT] == 112
    assert stages[Stage.PLANNING] == 79
    assert stages[Stage.VEAT] == 31
    assert stages[Stage.MODIFICATION] == 27


def test_award_notice_s03_with_winner_value_and_earlier_notice() -> None:
    n = notice("tenders/ted-r209-de/000053-2020.xml")
    assert (n.source, n.source_id, n.publication_number) == ("ted-export", "000053-2020", "53-2020")
    assert n.title == "Elektroarbeiten Studentenwohnhaus in 07743 Jena, Spitzweidenweg"
    assert n.buyer_name == "Studierendenwerk Thüringen Anstalt des öffentlichen Rechts"
    assert (n.buyer_city, n.buyer_postal_code, n.buyer_nuts) == ("Jena", "07743", "DEG03")
    assert (n.stage, n.form_type, n.notice_type, n.contract_nature) == (
        Stage.RESULT,
        "result",
        "F03_2014",
        "works",
    )
    assert n.cpv_main == "51112000"
    assert n.winners == (Winner("OVA Camburg", "Camburg", "DEU"),)
    assert n.awarded_value == 495_000.0
    assert n.previous_notices == ("376443-2017",)  # REF_NOTICE 2017/S 184-376443
    assert n.publication_date == date(2020, 1, 2)
    assert n.url == "https://ted.europa.eu/en/notice/-/detail/000053-2020"


def test_s01_namespace_veat_concession() -> None:
    n = notice("tenders/ted-r209-de/013897-2017.xml")  # formex R2.0.9.S01.E01, NUTS unprefixed
    assert n.title == "Neuabschluss eines Wasserkonzessionsvertrages."
    assert (n.buyer_name, n.buyer_postal_code, n.buyer_legal_type) == (
        "Stadt Oldenburg",
        "26105",
        "regional_authority",
    )
    assert n.stage is Stage.VEAT
    assert n.winners == (Winner("Verkehr und Wasser GmbH", "Oldenburg", "DEU"),)
    assert n.awarded_value == 15_400_000.0
    assert n.previous_notices == ("99837-2016",)  # NOTICE_NUMBER_OJ 2016/S 059-099837
    assert n.place_nuts == ("DE943",)


def test_social_services_award_names_the_department() -> None:
    n = notice("tenders/ted-r209-de/486837-2018.xml")  # F21, NOTICE TYPE="AWARD_CONTRACT"
    assert n.title == "Sozialarbeiterische Betreuung von Flüchtlingen"
    assert n.buyer_name == "Kreisausschuss des Wetteraukreises"
    assert n.buyer_department == "Fachbereich Jugend und Soziales – Vertragswesen"
    assert (n.cpv_main, n.stage, n.procedure_type) == ("85310000", Stage.RESULT, "restricted")
    assert [lot.title for lot in n.lots][:2] == ["Nord", "Süd"]
    assert n.lots[0].description.startswith("Die unter II 1.4) beschriebene soziale Dienstleistung")


def test_pin_with_call_and_deadline_in_german_time() -> None:
    n = notice("tenders/ted-r209-de/005029-2018.xml")  # F01, TD_DOCUMENT_TYPE A
    assert n.stage is Stage.COMPETITION
    assert n.buyer_postal_code == "14467"  # written "D-14467"
    assert n.submission_deadline == datetime(2018, 2, 12, 12, 0, tzinfo=BERLIN)
    assert n.procedure_type == "neg-w-call"


def test_notice_uuid_variant_concession_notice() -> None:
    n = notice("tenders/ted-r209-de/181656-2022.xml")  # NOTICE_UUID before the F24 form
    assert n.title == (
        "Freiwillige Ausschreibung einer Dienstleistungskonzession für den Betrieb einer Schilderprägerstelle"
    )
    assert n.buyer_name == "Landkreis Freudenstadt"
    assert n.stage is Stage.COMPETITION
    assert n.submission_deadline == datetime(2022, 5, 2, 12, 0, tzinfo=BERLIN)


def test_defence_forms_r208() -> None:
    pin = notice("tenders/ted-r209-de/054030-2021.xml")
    assert pin.title == "29303 Bergen, Truppenübungsplatz Bergen, Ausbau SB 11 mit SPA 2"
    assert (pin.buyer_name, pin.buyer_city) == ("Staatliches Baumanagement Lüneburger Heide", "Munster")
    assert pin.stage is Stage.PLANNING
    assert [lot.title for lot in pin.lots] == ["Kampfmittelräumung", "Tiefbauarbeiten", "Elektroarbeiten"]
    assert (
        pin.description
        == "Elektro- und Kabelverlegearbeiten, Kampfmittelräumung Phase C und Tief- und Oberbauarbeiten"
    )
    award = notice("tenders/ted-r209-de/218298-2021.xml")
    assert award.winners == (Winner("steep GmbH", "Bonn", "DEU"),)
    assert award.awarded_value is None  # 0,01 stands for "not published"
    assert award.buyer_department == "Referat U2.3"
    assert award.previous_notices == ("457408-2020",)


def test_converter_folder_file_named_by_reception_id() -> None:
    n = notice("tenders/ted-r209-de-converter/21-362774-001-EXP.xml")
    assert n.source_id == "352458-2021"  # DOC_ID, not the file name
    assert n.buyer_name == "Stadt Mitterteich"
    assert n.title.startswith("Lieferung, Montage und Inbetriebnahme von digitalen Unterrichtstafeln")
    assert n.submission_deadline == datetime(2021, 8, 10, 9, 30, tzinfo=BERLIN)
    contest = notice("tenders/ted-r209-de-converter/18-156915-001-EXP.xml")
    assert contest.stage is Stage.RESULT
    assert contest.buyer_name == "Stadt Weißenfels"
    assert contest.previous_notices == ("405492-2017",)


def test_ojs_numbers_become_publication_numbers() -> None:
    assert ojs_publication("2017/S 184-376443") == "376443-2017"
    assert ojs_publication(" 2016/S 059 - 099837 ") == "99837-2016"
    assert ojs_publication("kein Verweis") == ""


def test_an_eforms_document_is_not_a_ted_export() -> None:
    with pytest.raises(ParseError, match="kein TED_EXPORT"):
        notice("tenders/ted-eforms-de/657671-2024.xml")


def test_a_notice_without_namespace_reads_the_same() -> None:
    """The paths are written with "t:"; a TED_EXPORT without default namespace reads them bare."""
    doc = recorded("tenders/ted-r209-de/000053-2020.xml")
    declaration = b'xmlns="http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"'
    bare = doc.body.replace(declaration, b"")
    assert bare != doc.body
    assert parse_notice(dataclasses.replace(doc, body=bare)) == parse_notice(doc)


def test_a_pin_announcing_two_contracts_keeps_the_lots_of_both() -> None:
    """F01 may hold several OBJECT_CONTRACTs; the real PIN 053601-2022 holds one, so the test adds
    a second contract made from its first."""
    doc = recorded("tenders/ted-r209-de/053601-2022.xml")
    root = etree.fromstring(doc.body)
    ns = {"t": "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"}
    first = root.xpath("//t:OBJECT_CONTRACT", namespaces=ns)[0]
    second = copy.deepcopy(first)
    second.xpath("t:OBJECT_DESCR/t:LOT_NO", namespaces=ns)[0].text = "2"
    second.xpath("t:OBJECT_DESCR/t:TITLE/t:P", namespaces=ns)[0].text = "Zweiter Auftrag"
    first.addnext(second)
    n = parse_notice(dataclasses.replace(doc, body=etree.tostring(root)))
    assert n.title == "A.6000.213360, TU-Darmstadt, S3/22 International House"
    lots = [(lot.lot_id, lot.title[:16]) for lot in n.lots]
    assert lots == [("1", "Es wird eine Ver"), ("2", "Zweiter Auftrag")]
    assert (n.stage, n.planned_date, n.cpv_main) == (Stage.PLANNING, date(2022, 3, 4), "45200000")
