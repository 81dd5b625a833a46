"""Elements no field is read from are left out of the tree (xmlsafe.parse_xml_without); what a
notice says must not change by that, on every real German notice."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from scrapers import eforms, ted_export
from scrapers.errors import ParseError
from scrapers.notice_files import parse_notice
from scrapers.ted_xml import local_name
from scrapers.xmlsafe import parse_xml, parse_xml_without
from tests.recorded import SHARED, recorded

FOLDERS = ("ted-eforms-de", "ted-r209-de", "ted-r209-de-converter", "bekanntmachungsservice-eforms")
WHOLE = b"<!-- ganz lesen -->"  # a comment after the root: the document is parsed whole
TED = "tenders/ted-r209-de/000053-2020.xml"
TED_NS = "{http://publications.europa.eu/resource/schema/ted/R2.0.9/publication}"


def _files(folder: str) -> list[Path]:
    return sorted((SHARED / "tenders" / folder).glob("*.xml"))


@pytest.mark.parametrize("folder", FOLDERS)
def test_leaving_unread_parts_out_changes_no_field(folder: str) -> None:
    files = _files(folder)
    assert len(files) >= 5
    for path in files:
        doc = recorded(path)
        assert parse_notice(doc) == parse_notice(dataclasses.replace(doc, body=doc.body + WHOLE)), path.name


def test_what_a_ted_export_is_parsed_without() -> None:
    doc = recorded(TED)
    cut = parse_xml_without(doc.body, doc.url, ted_export.UNREAD)
    whole = parse_xml_without(doc.body + WHOLE, doc.url, ted_export.UNREAD)
    assert [local_name(c) for c in cut] == ["CODED_DATA_SECTION", "FORM_SECTION"]
    assert [local_name(c) for c in whole if isinstance(c.tag, str)] == [
        "TECHNICAL_SECTION",
        "LINKS_SECTION",
        "CODED_DATA_SECTION",
        "TRANSLATION_SECTION",
        "FORM_SECTION",
    ]
    assert cut.find(f".//{TED_NS}COMPLEMENTARY_INFO") is None
    assert whole.find(f".//{TED_NS}COMPLEMENTARY_INFO/{TED_NS}DATE_DISPATCH_NOTICE").text == "2019-12-29"
    assert len(list(cut.iter())) < len(list(whole.iter())) * 0.6


def test_every_lot_of_an_eforms_notice_is_parsed_without_its_tendering_terms() -> None:
    doc = recorded("tenders/ted-eforms-de/657671-2024.xml")
    terms = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}TenderingTerms"
    assert len(parse_xml(doc.body, doc.url).findall(f".//{terms}")) == 3
    assert parse_xml_without(doc.body, doc.url, eforms.UNREAD, repeated=True).findall(f".//{terms}") == []


def test_translations_are_read_where_the_form_lacks_title_or_buyer() -> None:
    """TRANSLATION_SECTION is left out; a form without title or buyer name has the document
    parsed whole for them."""
    doc = recorded(TED)
    root = etree.fromstring(doc.body)
    for path in ("OBJECT_CONTRACT/t:TITLE", "CONTRACTING_BODY/t:ADDRESS_CONTRACTING_BODY/t:OFFICIALNAME"):
        (found,) = root.xpath(f"t:FORM_SECTION/t:F03_2014/t:{path}", namespaces={"t": TED_NS[1:-1]})
        found.getparent().remove(found)
    n = parse_notice(dataclasses.replace(doc, body=etree.tostring(root)))
    assert n.title == "Installation von Elektrizitätsverteilungs- und -schalteinrichtungen"
    assert n.buyer_name == "Studierendenwerk Thüringen Anstalt des öffentlichen Rechts"
    assert n.buyer_city == "Jena"


def test_a_tag_inside_cdata_hides_nothing() -> None:
    """Cut at face value, "<COMPLEMENTARY_INFO>" in a CDATA at the start of the form would cut
    the whole form up to the real one's end, and a second CDATA after it would leave the rest
    well-formed: a notice without its form, parsed without an error."""
    doc = recorded(TED)
    form = b'<F03_2014 CATEGORY="ORIGINAL" FORM="F03" LG="DE">'
    body = doc.body.replace(form, form + b"<![CDATA[<COMPLEMENTARY_INFO>]]>", 1)
    body = body.replace(b"</COMPLEMENTARY_INFO>", b"</COMPLEMENTARY_INFO><![CDATA[ ]]>", 1)
    assert body.count(b"CDATA") == 2
    assert parse_notice(dataclasses.replace(doc, body=body)) == parse_notice(doc)


def test_a_broken_notice_reports_the_error_of_the_whole_document() -> None:
    doc = recorded(TED)
    broken = doc.body.replace(b"</OBJECT_CONTRACT>", b"", 1)
    with pytest.raises(ParseError) as whole:
        parse_xml(broken, doc.url)
    with pytest.raises(ParseError) as cut:
        parse_notice(dataclasses.replace(doc, body=broken))
    assert str(cut.value) == str(whole.value)
    assert "kein wohlgeformtes XML" in str(cut.value)


@pytest.mark.parametrize(
    ("path", "end_tag", "nth"),
    [
        ("ted-eforms-de/481682-2024.xml", b"</cac:TenderingTerms>", 2),  # the first lot's, of 8
        (
            "ted-r209-de/298068_2018.xml",
            b"</COMPLEMENTARY_INFO>",
            1,
        ),  # the German form's, 23 translations after it
    ],
)
def test_an_end_tag_with_a_space_ends_its_element(path: str, end_tag: bytes, nth: int) -> None:
    """ "</NAME >" is the same end tag: the cut must not run on to the next element of that name
    (the next lot's, the next translation's) and leave a shorter notice that still parses."""
    doc = recorded(f"tenders/{path}")
    head, *tails = doc.body.split(end_tag)
    spaced = (
        end_tag.join([head, *tails[: nth - 1]]) + end_tag[:-1] + b"\n  >" + end_tag.join(tails[nth - 1 :])
    )
    assert len(spaced) == len(doc.body) + 3
    assert parse_notice(dataclasses.replace(doc, body=spaced)) == parse_notice(doc)


def test_a_document_in_utf7_is_parsed_whole() -> None:
    """In UTF-7 "+ADw-" is a "<": the CDATA below hides "<b>" from libxml2 but not from a byte
    search. No real notice is in UTF-7; libxml2 reads it all the same."""
    hidden = b"+ADw-![CDATA[<b>]]+AD4-<c>bleibt</c><b>y</b>+ADw-![CDATA[ ]]+AD4-"
    body = b'<?xml version="1.0" encoding="UTF-7"?><a>' + hidden + b"</a>"
    root = parse_xml_without(body, "file:///utf7.xml", ("b",))
    assert [child.tag for child in root] == ["c", "b"]
    assert root.findtext("c") == "bleibt"
