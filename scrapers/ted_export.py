"""TED_EXPORT notices (R2.0.9 S01–S05 and the R2.0.8 defence forms): TED's archive 2011–2023.

Quelle   https://ted.europa.eu/packages/ (monthly and daily .tar.gz packages, one XML per notice)
Format   XML. CODED_DATA_SECTION carries the same codes in every form (document type, CPV,
         NUTS, values, earlier notices); FORM_SECTION holds the notice in its original language
         (F01–F25, MOVE, CONTRACT_DEFENCE …) and, rarely, translations of it
Caveats  four root namespaces (S01 formex, S02 "ted/R2.0.9.S02/publication", S03–S05, R2.0.8),
         NUTS in the n2016/n2021 namespaces or in none; text split into <P>; whitespace and
         line breaks inside labels carry no meaning; defence forms nest everything differently
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.records import (
    FORM_TYPE_OF_STAGE,
    Lot,
    Stage,
    TenderRecord,
    Winner,
    postal_code,
    publication_key,
)
from scrapers.ted_codes import (
    COUNTRY3,
    NATURE_BY_CODE,
    PROCEDURE_BY_ELEMENT,
    STAGE_BY_DOCUMENT_TYPE,
    STAGE_BY_NOTICE_TYPE,
)
from scrapers.ted_dates import iso_date, submission_deadline, yyyymmdd
from scrapers.ted_xml import Kids, Node, Notice, local_name
from scrapers.xmlsafe import parse_xml, parse_xml_without

TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"

OFFICE_WORDS = re.compile(
    r"\b(Amt|Ämter|Referat|Fachbereich|Fachdienst|Dezernat|Abteilung|Dienststelle|Büro|Stabsstelle|"
    r"Geschäftsbereich|Sachgebiet|Eigenbetrieb|Vergabestelle|Zentrale Vergabe\w*)\b|\w+amt\b",
    re.IGNORECASE,
)
# Every word OFFICE_WORDS can match contains one of these: most names contain none, and looking
# for them costs a fraction of the regex, which tries its alternatives at every position.
_OFFICE_STEMS = ("amt", "ämter", "referat", "fach", "dezernat", "abteilung", "stelle", "büro", "bereich",
                 "sachgebiet", "eigenbetrieb", "vergabe")  # fmt: skip
NUTS = "*[local-name()='NUTS']"  # n2016:, n2021: or no namespace at all
PERFORMANCE_NUTS = "*[local-name()='PERFORMANCE_NUTS' or local-name()='ORIGINAL_NUTS']"
# Exact paths where the 2014 forms put things (descendant searches cost most of the parse);
# the defence forms nest them too differently to name every path.
_AWARDED = "t:AWARD_CONTRACT/t:AWARDED_CONTRACT"
_MODIFIED = "t:MODIFICATIONS_CONTRACT/t:DESCRIPTION_PROCUREMENT"
WINNERS = " | ".join(
    (
        f"{_AWARDED}/t:CONTRACTORS/t:CONTRACTOR/t:ADDRESS_CONTRACTOR",
        f"{_AWARDED}/t:CONTRACTOR/t:ADDRESS_CONTRACTOR",
        f"{_MODIFIED}/t:CONTRACTORS/t:CONTRACTOR/t:ADDRESS_CONTRACTOR",
        f"{_MODIFIED}/t:CONTRACTOR/t:ADDRESS_CONTRACTOR",
        "t:RESULTS/t:AWARDED_PRIZE/t:WINNERS/t:WINNER/t:ADDRESS_WINNER",
        "t:RESULTS/t:AWARDED_PRIZE/t:WINNER/t:ADDRESS_WINNER",
    )
)
DEFENCE_WINNERS = ".//t:ECONOMIC_OPERATOR_NAME_ADDRESS/t:CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME"
AWARDED_VALUES = (
    f"{_AWARDED}/t:VALUES/t:VAL_TOTAL | {_AWARDED}/t:VAL_TOTAL | {_MODIFIED}/t:VALUES/t:VAL_TOTAL"
)
_AWARDS = {"AWARD_CONTRACT", "MODIFICATIONS_CONTRACT", "RESULTS"}  # where WINNERS look
_OJS = re.compile(r"(\d{4})\s*/\s*S\s*\d+\s*-\s*(\d+)")
_LotsCpvNuts = tuple[tuple[Lot, ...], tuple[str, ...], tuple[str, ...]]
# What no field is read from, left out of the tree: nearly half of the bytes. The titles and
# buyer names in every EU language are read only where the form lacks them (_translated); the
# defence forms call their LEFTI and COMPLEMENTARY_INFO otherwise.
UNREAD = ("TECHNICAL_SECTION", "LINKS_SECTION", "TRANSLATION_SECTION", "LEFTI", "COMPLEMENTARY_INFO")
_PLACEHOLDER_VALUE = 1.0  # defence forms write 0.01 where the value is not published


def ojs_publication(number: str) -> str:
    """ "2017/S 184-376443" → "376443-2017", the document number TED files notices under."""
    match = _OJS.search(number)
    return f"{int(match.group(2))}-{match.group(1)}" if match else ""


def parse_notice(doc: RawDocument, source: str = "ted-export") -> TenderRecord:
    root = parse_xml_without(doc.body, doc.url, UNREAD)
    if local_name(root) != "TED_EXPORT":
        raise ParseError(doc.url, f"kein TED_EXPORT-Dokument (Wurzel {local_name(root)})")
    try:
        return _notice(Notice(root), doc, source)
    except ValueError as exc:  # a malformed date or amount
        raise ParseError(doc.url, f"ungültiger Wert: {exc}") from exc


def _translated(n: Notice, doc: RawDocument, root_k: Kids, expr: str) -> str:
    """A title or buyer name from TRANSLATION_SECTION: the document is parsed whole for it."""
    section = root_k.get("TRANSLATION_SECTION")
    if section is None:
        section = n.kids(parse_xml(doc.body, doc.url)).get("TRANSLATION_SECTION")
    return n.text(section, expr)


def _form(sections: list[etree._Element]) -> Node:
    """The notice in its original language, German preferred; NOTICE_UUID is no form."""
    forms = [
        f
        for section in sections
        for f in section
        if type(f) is etree._Element and f.get("CATEGORY") is not None
    ]
    original = [f for f in forms if f.get("CATEGORY") == "ORIGINAL"] or forms
    return next((f for f in original if f.get("LG") == "DE"), original[0] if original else None)


def _notice(n: Notice, doc: RawDocument, source: str) -> TenderRecord:
    doc_id = (n.root.get("DOC_ID") or "").strip()
    if not doc_id:
        raise ParseError(doc.url, "keine Dokumentnummer (DOC_ID)")
    root_k, (form_sections,) = n.kids_and_all(n.root, "FORM_SECTION")
    coded_k = n.kids(root_k.get("CODED_DATA_SECTION"))
    data, codif = coded_k.get("NOTICE_DATA"), coded_k.get("CODIF_DATA")
    document_type = n.value(codif, "t:TD_DOCUMENT_TYPE/@CODE")
    form = _form(form_sections)
    if form is None:
        raise ParseError(doc.url, f"Bekanntmachung {doc_id} hat kein Formular (FORM_SECTION)")
    form_k, (contracts,) = n.kids_and_all(form, "OBJECT_CONTRACT")
    defence = "CONTRACTING_BODY" not in form_k
    procedure_k, (ojs_numbers,) = n.kids_and_all(form_k.get("PROCEDURE"), "NOTICE_NUMBER_OJ")
    oc_k, (descriptions,) = n.kids_and_all(None if defence else form_k.get("OBJECT_CONTRACT"), "OBJECT_DESCR")
    if len(contracts) > 1:  # a PIN may announce several contracts
        descriptions = n.x(form, "t:OBJECT_CONTRACT/t:OBJECT_DESCR")
    stage = _stage(_code(form_k.get("NOTICE"), "TYPE"), document_type)
    title = n.text(form, ".//t:TITLE_CONTRACT") if defence else n.leaf(oc_k.get("TITLE"))
    language = form.get("LG", "")
    if not title:
        title = _translated(n, doc, root_k, "t:ML_TITLES/t:ML_TI_DOC[@LG='DE']/t:TI_TEXT")
        language = "DE" if title else language
    if not title:
        raise ParseError(doc.url, f"Bekanntmachung {doc_id} hat keinen Titel")
    if defence:
        lots, additional_cpv, place_nuts = _defence_lots(n, form)
    else:
        lots, additional_cpv, place_nuts = _descriptions(n, descriptions)
    body_k = n.kids(form_k.get("CONTRACTING_BODY"))
    buyer = (
        n.first(form, ".//t:CA_CE_CONCESSIONAIRE_PROFILE")
        if defence
        else body_k.get("ADDRESS_CONTRACTING_BODY")
    )
    buyer_k = n.kids(buyer)
    country = _code(buyer_k.get("COUNTRY"), "VALUE") or n.value(data, "t:ISO_COUNTRY/@VALUE")
    if defence:  # defence PINs describe the scope only
        description = n.text(form, ".//t:SHORT_CONTRACT_DESCRIPTION") or n.text(
            form, ".//t:TOTAL_QUANTITY_OR_SCOPE"
        )
    else:
        description = n.leaf(oc_k.get("SHORT_DESCR"))
    if not description:
        description = " ".join(dict.fromkeys(lot.description for lot in lots if lot.description))
    if defence:
        cpv_main = n.attr(form, ".//t:CPV_MAIN/t:CPV_CODE", "CODE")
    else:
        cpv_main = _code(n.kids(oc_k.get("CPV_MAIN")).get("CPV_CODE"))
    original_cpv = n.codes(data, "t:ORIGINAL_CPV")
    coded_values = n.x(data, "t:VALUES/t:VALUE") if data is not None else []
    estimated = _amount(oc_k.get("VAL_ESTIMATED_TOTAL")) or _coded_value(coded_values, "ESTIMATED_TOTAL")
    awarded = None
    if stage in (Stage.RESULT, Stage.VEAT, Stage.MODIFICATION):
        awarded = (
            _amount(oc_k.get("VAL_TOTAL"))
            or _coded_value(coded_values, "PROCUREMENT_TOTAL")
            or _sum(n, form, AWARDED_VALUES)
        )
    references = [
        ojs_publication("".join(el.itertext()))
        for el in n.x(data, "t:REF_NOTICE/t:NO_DOC_OJS")
        + (n.x(form, ".//t:NOTICE_NUMBER_OJ") if defence else ojs_numbers)
    ] if data is not None else []  # fmt: skip
    deadline = submission_deadline(n, form, procedure_k, codif, country, defence)
    buyer_name = _name(n, buyer_k)
    valued = oc_k.get("VAL_ESTIMATED_TOTAL", oc_k.get("VAL_TOTAL"))
    currency = (valued.get("CURRENCY") or "") if valued is not None else ""
    return TenderRecord(
        source=source,
        source_id=doc_id,
        source_url=doc.url,
        notice_version=n.root.get("VERSION") or form.get("VERSION") or "",
        procedure_id="",
        changed_notice_id="",
        publication_number=publication_key(doc_id),
        notice_type=local_name(form),
        form_type=FORM_TYPE_OF_STAGE[stage],
        notice_subtype=document_type,
        publication_date=yyyymmdd(n.value(coded_k.get("REF_OJS"), "t:DATE_PUB")),
        language="DEU" if language == "DE" else language,
        title=title,
        description=description,
        buyer_name=buyer_name or _translated(n, doc, root_k, "t:ML_AA_NAMES/t:AA_NAME"),
        buyer_department=_department(buyer_name, n.leaf(buyer_k.get("CONTACT_POINT"))),
        buyer_city=n.leaf(buyer_k.get("TOWN")),
        buyer_postal_code=postal_code(n.leaf(buyer_k.get("POSTAL_CODE"))),
        buyer_nuts=_code(buyer_k.get("NUTS")) or n.value(data, "t:CA_CE_NUTS/@CODE"),
        buyer_country=_country(country),
        buyer_legal_type=_buyer_type(n, form, body_k, codif, defence),
        buyer_email=n.text(buyer, "t:E_MAILS/t:E_MAIL") if defence else n.leaf(buyer_k.get("E_MAIL")),
        buyer_url=n.leaf(buyer_k.get("URL_GENERAL")) or (n.text(form, ".//t:URL_GENERAL") if defence else ""),
        cpv_main=cpv_main or (original_cpv[0] if original_cpv else ""),
        cpv_additional=tuple(c for c in dict.fromkeys(additional_cpv + original_cpv) if c != cpv_main),
        place_nuts=place_nuts or n.codes(data, PERFORMANCE_NUTS),
        estimated_value=estimated,
        currency=currency or (_code(coded_values[0], "CURRENCY") if coded_values else ""),
        procedure_type=_procedure_type(n, procedure_k),
        submission_deadline=deadline,
        planned_date=iso_date(n.leaf(oc_k.get("DATE_PUBLICATION_NOTICE"))),
        lots=lots,
        url=TED_NOTICE_URL.format(doc_id),
        seen_at=doc.fetched_at,
        stage=stage,
        contract_nature=_nature(n, form, oc_k, codif, defence),
        awarded_value=awarded,
        winners=_winners(n, form, defence) if defence or _AWARDS & form_k.keys() else (),
        previous_notices=tuple(dict.fromkeys(r for r in references if r and r != publication_key(doc_id))),
    )  # fmt: skip


def _country(code: str) -> str:
    return COUNTRY3.get(code, code)


def _code(element: Node, attribute: str = "CODE") -> str:
    return (element.get(attribute) or "").strip() if element is not None else ""


def _stage(notice_type: str, document_type: str) -> Stage:
    if notice_type in STAGE_BY_NOTICE_TYPE:
        return STAGE_BY_NOTICE_TYPE[notice_type]
    return STAGE_BY_DOCUMENT_TYPE.get(document_type, Stage.UNKNOWN)


def _name(n: Notice, address_k: Kids) -> str:
    return n.leaf(address_k.get("OFFICIALNAME")) or n.text(address_k.get("ORGANISATION"), "t:OFFICIALNAME")


def _department(name: str, contact: str) -> str:
    """TED has no department field: an office named after the buyer ("Stadt Erlangen – Amt 24")
    or as the contact point ("Jugendamt"), never a person's name."""
    for separator in (" – ", " - ", ", ", " / "):
        _, _, tail = name.partition(separator)
        if tail and _names_an_office(tail):
            return tail.strip()
    return contact if contact and _names_an_office(contact) else ""


def _names_an_office(text: str) -> bool:
    folded = text.casefold()
    return any(stem in folded for stem in _OFFICE_STEMS) and OFFICE_WORDS.search(text) is not None


def _buyer_type(n: Notice, form: etree._Element, body_k: Kids, codif: Node, defence: bool) -> str:
    """CA_TYPE (2014 forms), the defence forms' type, or "utilities" for a sector entity."""
    if defence:
        found = n.attr(form, ".//t:TYPE_OF_CONTRACTING_AUTHORITY", "VALUE")
    else:
        found = _code(body_k.get("CA_TYPE"), "VALUE")
    if found:
        return found.lower()
    if "CE_ACTIVITY" in body_k or "CE_ACTIVITY_OTHER" in body_k:
        return "utilities"
    return {"1": "ministry", "3": "regional_authority", "4": "utilities", "6": "body_public"}.get(
        n.value(codif, "t:AA_AUTHORITY_TYPE/@CODE"), ""
    )


def _nature(n: Notice, form: etree._Element, oc_k: Kids, codif: Node, defence: bool) -> str:
    if defence:
        typed = n.attr(form, ".//t:TYPE_CONTRACT", "VALUE")
    else:
        typed = _code(oc_k.get("TYPE_CONTRACT"), "CTYPE")
    return typed.lower() if typed else NATURE_BY_CODE.get(n.value(codif, "t:NC_CONTRACT_NATURE/@CODE"), "")


def _procedure_type(n: Notice, procedure_k: Kids) -> str:
    """The first PT_… element in document order: a child of PROCEDURE in the 2014 forms, deeper in
    the concession, utilities and defence directives' blocks."""
    for name, child in procedure_k.items():
        if name in PROCEDURE_BY_ELEMENT:
            return PROCEDURE_BY_ELEMENT[name]
        if len(child):
            for element in n.x(child, ".//*[starts-with(local-name(), 'PT_')]"):
                if (inner := local_name(element)) in PROCEDURE_BY_ELEMENT:
                    return PROCEDURE_BY_ELEMENT[inner]
    return ""


def _defence_lots(n: Notice, form: etree._Element) -> _LotsCpvNuts:
    """A defence form's lots, additional CPV codes and NUTS codes, searched anywhere in it."""
    lots = tuple(_lot(n, node, True) for node in n.x(form, ".//t:LOT_PRIOR_INFORMATION"))
    cpv = n.codes(form, ".//t:CPV_ADDITIONAL/t:CPV_CODE")
    return lots, cpv, n.codes(form, f".//t:LOCATION_NUTS/{NUTS} | .//t:SITE_OR_LOCATION/{NUTS}")


def _descriptions(n: Notice, nodes: list[etree._Element]) -> _LotsCpvNuts:
    """The 2014 forms' OBJECT_DESCRs as lots, with their additional CPV and NUTS codes: one walk
    over each OBJECT_DESCR instead of three searches from the form."""
    lots: list[Lot] = []
    cpv: list[str] = []
    nuts: list[str] = []
    for node in nodes:
        parts, (places, additional) = n.kids_and_all(node, "NUTS", "CPV_ADDITIONAL")
        codes = n.child_codes(additional, "CPV_CODE")
        lots.append(_lot(n, node, False, parts, codes))
        cpv.extend(codes)
        nuts.extend(code for place in places if (code := (place.get("CODE") or "").strip()))
    return tuple(lots), tuple(dict.fromkeys(cpv)), tuple(dict.fromkeys(nuts))


def _lot(
    n: Notice,
    node: etree._Element,
    defence: bool,
    parts: Kids | None = None,
    codes: tuple[str, ...] = (),
) -> Lot:
    """An OBJECT_DESCR of the 2014 forms, or a defence PIN's LOT_PRIOR_INFORMATION."""
    parts = n.kids(node) if parts is None else parts
    if defence:
        lot_id, title, description = "LOT_NUMBER", "LOT_TITLE", "LOT_DESCRIPTION"
        cpv = n.codes(node, "t:CPV/t:CPV_MAIN/t:CPV_CODE")
        cpv += n.codes(node, "t:CPV/t:CPV_ADDITIONAL/t:CPV_CODE")
    else:
        lot_id, title, description = "LOT_NO", "TITLE", "SHORT_DESCR"
        cpv = codes
    value = parts.get("VAL_OBJECT")
    return Lot(
        lot_id=n.leaf(parts.get(lot_id)) or node.get("ITEM", ""),
        title=n.leaf(parts.get(title)),
        cpv=tuple(dict.fromkeys(cpv)),
        estimated_value=_amount(value),
        currency=(value.get("CURRENCY") or "") if value is not None else "",
        submission_deadline=None,
        description=n.leaf(parts.get(description)),
    )


def _winners(n: Notice, form: etree._Element, defence: bool) -> tuple[Winner, ...]:
    addresses = n.x(form, DEFENCE_WINNERS if defence else WINNERS)
    found = (
        Winner(
            name=_name(n, k), town=n.leaf(k.get("TOWN")), country=_country(_code(k.get("COUNTRY"), "VALUE"))
        )
        for k in (n.pick(address, "OFFICIALNAME", "ORGANISATION", "TOWN", "COUNTRY") for address in addresses)
    )
    return tuple(dict.fromkeys(w for w in found if w.name))


def _coded_value(values: list[etree._Element], kind: str) -> float | None:
    """CODED_DATA_SECTION's VALUE of this TYPE (ESTIMATED_TOTAL, PROCUREMENT_TOTAL)."""
    return _amount(next((value for value in values if value.get("TYPE") == kind), None))


def _amount(element: Node) -> float | None:
    """ "495000.00", "0,01" (defence forms), with 0.01 as the placeholder for "not published"."""
    text = "".join(element.itertext()).replace(" ", "").strip() if element is not None else ""
    if not text:
        return None
    value = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    return value if value > _PLACEHOLDER_VALUE else None


def _sum(n: Notice, node: etree._Element, expr: str) -> float | None:
    """The awarded lots' values together; placeholders count nothing."""
    total = sum(value for el in n.x(node, expr) if (value := _amount(el)) is not None)
    return total or None
