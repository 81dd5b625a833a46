"""OParl parser on the real Body objects of 29 council information systems and the spec's examples."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.oparl import normalise_ags, parse_objects
from scrapers.records import BodyRecord, DepartmentRecord
from tests.recorded import FETCHED_AT, SHARED, recorded


def body(name: str) -> BodyRecord:
    (record,) = parse_objects(recorded(f"municipal/oparl-bodies/{name}.json"))
    assert isinstance(record, BodyRecord)
    return record


def test_krefeld_ags_from_rgs() -> None:
    b = body("Stadt Krefeld")
    assert (b.name, b.ags, b.website) == ("Stadt Krefeld", "05114000", "https://www.krefeld.de")
    assert b.source_id == "https://ris.krefeld.de/webservice/oparl/v1.0/body/1"
    assert b.organization_list == "https://ris.krefeld.de/webservice/oparl/v1.0/body/1/organization"
    assert b.contact_email == "ratundehrenamt@krefeld.de"


def test_ags_written_without_leading_zero() -> None:
    assert body("Gemeinde Titz").ags == "05358056"  # the endpoint says 5358056
    assert body("Gemeinde Schwalmtal").ags == "05166024"
    assert body("Stadt Leipzig").ags == ""  # says nothing: kommunen maps it by name


@pytest.mark.parametrize(
    ("ags", "rgs", "expected"),
    [
        ("5358056", None, "05358056"),
        ("051140000", "051140000000", "05114000"),
        ("05166024", None, "05166024"),
        (None, "057540040040", "05754040"),
        (None, None, ""),
    ],
)
def test_normalise_ags(ags: str | None, rgs: str | None, expected: str) -> None:
    assert normalise_ags(ags, rgs) == expected


@pytest.mark.parametrize(
    "path", sorted((SHARED / "municipal/oparl-bodies").glob("*.json")), ids=lambda p: p.stem
)
def test_every_real_body_parses(path) -> None:  # type: ignore[no-untyped-def]
    (record,) = parse_objects(recorded(path))
    assert record.name
    assert record.organization_list.startswith("http")
    assert record.ags == "" or (len(record.ags) == 8 and record.ags.isdigit())


def test_committee_from_the_spec() -> None:
    (org,) = parse_objects(recorded("municipal/oparl-spec-examples/Organization-01.json"))
    assert isinstance(org, DepartmentRecord)
    assert (org.name, org.short_name) == ("Ausschuss für Haushalt und Finanzen", "Finanzausschuss")
    assert (org.organization_type, org.classification) == ("Gremium", "Ausschuss")
    assert (org.body_id, org.start_date) == ("https://oparl.example.org/bodies/1", date(2012, 7, 17))


def test_other_objects_are_ignored_and_bad_json_is_clear() -> None:
    assert list(parse_objects(recorded("municipal/oparl-spec-examples/Meeting-01.json"))) == []
    with pytest.raises(ParseError, match="kein gültiges JSON"):
        list(parse_objects(RawDocument(url="https://x.example/body", body=b"<html>", fetched_at=FETCHED_AT)))
