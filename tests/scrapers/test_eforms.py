"""eForms parser on the SDK's real example notices; values checked by reading the XML."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from scrapers.base import RawDocument
from scrapers.eforms import parse_deadline, parse_notice
from scrapers.errors import ParseError
from tests.recorded import FETCHED_AT, SHARED, recorded

CET = timezone(timedelta(hours=1))


def notice(name: str):  # type: ignore[no-untyped-def]
    return parse_notice(recorded(f"tenders/eforms/{name}", url=f"https://ted.europa.eu/en/notice/{name}/xml"))


def test_multilingual_contract_notice_prefers_german() -> None:
    n = notice("cn_24_multilingual.xml")
    assert n.language == "DEU"
    assert n.title == (
        "Bereitstellung von IT-Dienstleistungen im Zusammenhang mit OP-IT-Systemen "
        "(EUR-Lex, N-Lex, Search Layer und weitere)"
    )
    assert n.description.startswith("IT-Dienste im Zusammenhang mit Informationssystemen des Büros")
    assert n.buyer_name == "Amt für Veröffentlichungen der Europäischen Union"
    assert (n.buyer_city, n.buyer_postal_code, n.buyer_nuts, n.buyer_country) == (
        "Luxembourg",
        "L-2985",
        "LU000",
        "LUX",
    )
    assert (n.form_type, n.notice_type, n.procedure_type) == ("competition", "cn-standard", "open")
    assert (n.cpv_main, n.cpv_additional) == ("72230000", ("72260000",))
    assert (n.estimated_value, n.currency) == (4_500_000.0, "EUR")
    assert n.submission_deadline == datetime(2020, 2, 3, 13, 0, tzinfo=UTC)
    assert n.seen_at == FETCHED_AT


def test_maximal_contract_notice() -> None:
    n = notice("cn_24_maximal.xml")
    assert (n.source_id, n.notice_version) == ("14549263-b47b-4e59-96a1-2d0d13e19343", "03")
    assert n.procedure_id == "aff2863e-b4cc-4e91-baba-b3b85f709117"
    assert (n.buyer_name, n.buyer_department) == ("Financial Adinistration for ...", "Finance Division")
    assert (n.buyer_legal_type, n.buyer_email) == ("body-pl", "info@fin-adm.com")
    assert (n.procedure_type, n.notice_subtype, n.publication_date) == ("neg-w-call", "16", date(2023, 3, 23))
    assert [lot.lot_id for lot in n.lots] == ["LOT-0001", "LOT-0002"]
    assert n.lots[1].title == "Title Lot 2---"
    # a negotiated procedure: the deadline is for requests to participate (BT-1311)
    assert n.submission_deadline == datetime(2023, 5, 22, 20, 59, 32, tzinfo=CET)


def test_hundred_lots() -> None:
    n = notice("cn_24_maximal_100_lots.xml")
    assert len(n.lots) == 100
    assert (n.lots[0].lot_id, n.lots[-1].lot_id) == ("LOT-0001", "LOT-0100")
    assert n.lots[-1].cpv == ("75121000",)
    assert n.lots[-1].estimated_value == 9_999_999.99


def test_contract_award_notice() -> None:
    n = notice("can_24_maximal.xml")
    assert (n.form_type, n.notice_type, n.notice_subtype) == ("result", "can-standard", "29")
    assert n.lots[0].cpv == ("75121000", "33185200")
    assert n.cpv_codes == ("79710000", "79720000", "75121000", "33185200")


def test_prior_information_notice_with_german_buyer_and_planned_date() -> None:
    n = notice("pin-only_24.xml")
    assert (n.form_type, n.notice_type) == ("planning", "pin-only")
    assert (n.buyer_country, n.buyer_nuts, n.place_nuts) == ("DEU", "DE401", ("DE123",))
    assert n.planned_date == date(2020, 12, 31)  # BT-127: the early signal
    assert (n.estimated_value, n.cpv_main, n.lots) == (100_000.0, "72000000", ())


def test_social_notices() -> None:
    cn = notice("cn-social_25.xml")
    assert (cn.notice_type, cn.buyer_legal_type, cn.procedure_type) == (
        "cn-social",
        "pub-undert-la",
        "innovation",
    )
    assert (cn.title, cn.buyer_department) == ("At the End of the Tunnel vol3", "Future Solutions Division")
    can = notice("can-social_25.xml")
    assert (can.notice_type, can.buyer_legal_type) == ("can-social", "la")
    assert [lot.title for lot in can.lots] == [
        "A Heart in Winter vol3 LOT1",
        "A Heart in Winter vol3 LOT2",
        "A Heart in Winter vol3 LOT3",
    ]


def test_change_notice_names_the_changed_notice() -> None:
    n = notice("change-cn_24_open_dates.xml")
    assert n.changed_notice_id == "c4c415ee-ac08-4465-8fa6-57568cf69462-01"
    assert (n.buyer_name, n.buyer_city) == ("Renfrewshire Council", "Paisley")
    assert n.submission_deadline == datetime(2020, 6, 12, 12, 0, tzinfo=CET)


def test_published_notice_carries_its_publication_number() -> None:
    n = notice("pin-buyer_24_published.xml")
    assert n.publication_number == "12345678-2025"
    assert n.publication_date == date(2025, 5, 22)
    assert n.url == "https://ted.europa.eu/en/notice/-/detail/12345678-2025"
    assert n.language == "ITA"


def test_german_municipal_buyer() -> None:
    n = notice("veat_23.xml")
    assert (n.buyer_name, n.buyer_postal_code, n.buyer_city) == (
        "Stadt Neckargemünd",
        "69151",
        "Neckargemünd",
    )
    assert (n.buyer_legal_type, n.buyer_nuts, n.notice_type) == ("la", "DE128", "veat")


@pytest.mark.parametrize("path", sorted(SHARED.glob("tenders/eforms/*.xml")), ids=lambda p: p.name)
def test_every_notice_parses_or_names_its_url(path) -> None:  # type: ignore[no-untyped-def]
    doc = recorded(path, url=f"https://ted.europa.eu/en/notice/{path.stem}/xml")
    # These two break business rules, not structure: they parse.
    parseable_invalid = {"INVALID_cn_24_multiple.xml", "INVALID_change-cn_24_FRA_comments.xml"}
    must_fail = path.name.startswith("X0") or (
        path.name.startswith("INVALID_") and path.name not in parseable_invalid
    )
    if must_fail:  # X01/X02 are registrations without a title; the other INVALID_ lack a notice id
        with pytest.raises(ParseError) as info:
            parse_notice(doc)
        assert info.value.url == doc.url
    else:
        n = parse_notice(doc)
        assert n.source_id
        assert n.title


def test_deadline_parsing() -> None:
    assert parse_deadline("2020-02-04+02:00", "10:00:00+02:00") == datetime(
        2020, 2, 4, 10, tzinfo=timezone(timedelta(hours=2))
    )
    assert parse_deadline("2020-02-04Z", "") == datetime(2020, 2, 4, 23, 59, 59, tzinfo=UTC)
    assert parse_deadline("", "") is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ContractNotice><ID>&lol3;</ID></ContractNotice>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ContractNotice>&secret;</ContractNotice>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_xml_bombs_are_rejected(body: bytes) -> None:
    doc = RawDocument(url="https://evil.example/notice.xml", body=body, fetched_at=FETCHED_AT)
    with pytest.raises(ParseError, match="DOCTYPE") as info:
        parse_notice(doc)
    assert "root:" not in str(info.value)


def test_malformed_xml_is_a_clear_error() -> None:
    body = (SHARED / "tenders/eforms/cn_24_minimal.xml").read_bytes()[:3000]
    doc = RawDocument(url="https://ted.example/abgeschnitten.xml", body=body, fetched_at=FETCHED_AT)
    with pytest.raises(ParseError, match=r"abgeschnitten\.xml: kein wohlgeformtes XML"):
        parse_notice(doc)
