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
from datetime import date, datetime, time
from typing import ClassVar
from zoneinfo import ZoneInfo

from lxml import etree

from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.records import Lot, Stage, TenderRecord, Winner, postal_code, publication_key
from scrapers.ted_codes import (
    COUNTRY3,
    FORM_TYPE,
    NATURE_BY_CODE,
    PROCEDURE_BY_ELEMENT,
    STAGE_BY_DOCUMENT_TYPE,
    STAGE_BY_NOTICE_TYPE,
)
from scrapers.xmlsafe import parse_xml

TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"
BERLIN = ZoneInfo("Europe/Berlin")  # German notices give local times

OFFICE_WORDS = re.compile(
    r"\b(Amt|Ämter|Referat|Fachbereich|Fachdienst|Dezernat|Abteilung|Dienststelle|Büro|Stabsstelle|"
    r"Geschäftsbereich|Sachgebiet|Eigenbetrieb|Vergabestelle|Zentrale Vergabe\w*)\b|\w+amt\b",
    re.IGNORECASE,
)
NUTS = "*[local-name()='NUTS']"  # n2016:, n2021: or no namespace at all
PERFORMANCE_NUTS = "*[local-name()='PERFORMANCE_NUTS' or local-name()='ORIGINAL_NUTS']"
_OJS = re.compile(r"(\d{4})\s*/\s*S\s*\d+\s*-\s*(\d+)")
_PLACEHOLDER_VALUE = 1.0  # defence forms write 0.01 where the value is not published


def ojs_publication(number: str) -> str:
    """ "2017/S 184-376443" → "376443-2017", the document number TED files notices under."""
    match = _OJS.search(number)
    return f"{int(match.group(2))}-{match.group(1)}" if match else ""


class _Notice:
    """One TED_EXPORT document: XPath expressions compiled once per namespace variant."""

    _compiled: ClassVar[dict[tuple[str, str], etree.XPath]] = {}

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or ""

    def x(self, node: etree._Element, expr: str) -> list[etree._Element]:
        key = (self.ns, expr)
        path = self._compiled.get(key)
        if path is None:
            namespaces = {"t": self.ns} if self.ns else None
            path = self._compiled[key] = etree.XPath(expr, namespaces=namespaces)
        return path(node)  # type: ignore[return-value]

    def first(self, node: etree._Element | None, expr: str) -> etree._Element | None:
        if node is None:
            return None
        found = self.x(node, expr)
        return found[0] if found else None

    def text(self, node: etree._Element | None, expr: str) -> str:
        found = self.first(node, expr)
        return " ".join("".join(found.itertext()).split()) if found is not None else ""

    def attr(self, node: etree._Element | None, expr: str, name: str) -> str:
        found = self.first(node, expr)
        return (found.get(name) or "").strip() if found is not None else ""

    def paragraphs(self, node: etree._Element | None, expr: str) -> str:
        """Every <P> of the first match, one space between them."""
        found = self.first(node, expr)
        if found is None:
            return ""
        paragraphs = [p for p in found.iter() if isinstance(p.tag, str) and p.tag.rpartition("}")[2] == "P"]
        if not paragraphs:
            return " ".join("".join(found.itertext()).split())
        return " ".join(" ".join("".join(p.itertext()).split()) for p in paragraphs)

    def codes(self, node: etree._Element | None, expr: str) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(dict.fromkeys(c for el in self.x(node, expr) if (c := (el.get("CODE") or "").strip())))


def parse_notice(doc: RawDocument, source: str = "ted-export") -> TenderRecord:
    root = parse_xml(doc.body, doc.url)
    if etree.QName(root).localname != "TED_EXPORT":
        raise ParseError(doc.url, f"kein TED_EXPORT-Dokument (Wurzel {etree.QName(root).localname})")
    try:
        return _notice(_Notice(root), doc, source)
    except ValueError as exc:  # a malformed date or amount
        raise ParseError(doc.url, f"ungültiger Wert: {exc}") from exc


def _form(n: _Notice) -> etree._Element | None:
    """The notice in its original language, German preferred; NOTICE_UUID is no form."""
    forms = [f for f in n.x(n.root, "t:FORM_SECTION/*[@CATEGORY]")]
    original = [f for f in forms if f.get("CATEGORY") == "ORIGINAL"] or forms
    return next((f for f in original if f.get("LG") == "DE"), original[0] if original else None)


def _notice(n: _Notice, doc: RawDocument, source: str) -> TenderRecord:
    doc_id = (n.root.get("DOC_ID") or "").strip()
    if not doc_id:
        raise ParseError(doc.url, "keine Dokumentnummer (DOC_ID)")
    data = n.first(n.root, "t:CODED_DATA_SECTION/t:NOTICE_DATA")
    codif = n.first(n.root, "t:CODED_DATA_SECTION/t:CODIF_DATA")
    form = _form(n)
    if form is None:
        raise ParseError(doc.url, f"Bekanntmachung {doc_id} hat kein Formular (FORM_SECTION)")
    defence = n.first(form, "t:CONTRACTING_BODY") is None
    stage = _stage(n, codif, form)
    title, language = _title(n, form, defence), form.get("LG", "")
    if not title:
        title = n.text(n.root, "t:TRANSLATION_SECTION/t:ML_TITLES/t:ML_TI_DOC[@LG='DE']/t:TI_TEXT")
        language = "DE" if title else language
    if not title:
        raise ParseError(doc.url, f"Bekanntmachung {doc_id} hat keinen Titel")
    lots = tuple(
        _lot(n, node) for node in n.x(form, "t:OBJECT_CONTRACT/t:OBJECT_DESCR | .//t:LOT_PRIOR_INFORMATION")
    )
    buyer = _buyer(n, form, defence)
    country = n.attr(buyer, "t:COUNTRY", "VALUE") or n.attr(data, "t:ISO_COUNTRY", "VALUE")
    description = n.paragraphs(form, "t:OBJECT_CONTRACT/t:SHORT_DESCR") or n.paragraphs(
        form, ".//t:SHORT_CONTRACT_DESCRIPTION"
    )
    if not description:  # defence PINs describe the scope only
        description = n.paragraphs(
            form, ".//t:QUANTITY_SCOPE_WORKS_DEFENCE/t:TOTAL_QUANTITY_OR_SCOPE"
        ) or n.paragraphs(form, ".//t:TOTAL_QUANTITY_OR_SCOPE")
    if not description:
        description = " ".join(dict.fromkeys(lot.description for lot in lots if lot.description))
    cpv_main = n.attr(form, ".//t:CPV_MAIN/t:CPV_CODE", "CODE")
    original_cpv = n.codes(data, "t:ORIGINAL_CPV")
    additional_cpv = n.codes(form, ".//t:CPV_ADDITIONAL/t:CPV_CODE")
    place_nuts = n.codes(form, f"t:OBJECT_CONTRACT/t:OBJECT_DESCR/{NUTS}") or n.codes(
        form, f".//t:LOCATION_NUTS/{NUTS} | .//t:SITE_OR_LOCATION/{NUTS}"
    )
    estimated = _value(n, form, "t:OBJECT_CONTRACT/t:VAL_ESTIMATED_TOTAL") or _value(
        n, data, "t:VALUES/t:VALUE[@TYPE='ESTIMATED_TOTAL']"
    )
    awarded = None
    if stage in (Stage.RESULT, Stage.VEAT, Stage.MODIFICATION):
        awarded = (
            _value(n, form, "t:OBJECT_CONTRACT/t:VAL_TOTAL")
            or _value(n, data, "t:VALUES/t:VALUE[@TYPE='PROCUREMENT_TOTAL']")
            or _sum(n, form, ".//t:AWARDED_CONTRACT//t:VAL_TOTAL | .//t:MODIFICATIONS_CONTRACT//t:VAL_TOTAL")
        )
    references = [
        ojs_publication("".join(el.itertext()))
        for el in n.x(data, "t:REF_NOTICE/t:NO_DOC_OJS") + n.x(form, ".//t:NOTICE_NUMBER_OJ")
    ] if data is not None else []  # fmt: skip
    deadline = _deadline(n, form, codif, country)
    currency = n.attr(form, "t:OBJECT_CONTRACT/t:VAL_ESTIMATED_TOTAL", "CURRENCY") or n.attr(
        form, "t:OBJECT_CONTRACT/t:VAL_TOTAL", "CURRENCY"
    )
    return TenderRecord(
        source=source,
        source_id=doc_id,
        source_url=doc.url,
        notice_version=n.root.get("VERSION") or form.get("VERSION") or "",
        procedure_id="",
        changed_notice_id="",
        publication_number=publication_key(doc_id),
        notice_type=etree.QName(form).localname,
        form_type=FORM_TYPE[stage],
        notice_subtype=n.attr(codif, "t:TD_DOCUMENT_TYPE", "CODE"),
        publication_date=_yyyymmdd(n.text(n.root, "t:CODED_DATA_SECTION/t:REF_OJS/t:DATE_PUB")),
        language="DEU" if language == "DE" else language,
        title=title,
        description=description,
        buyer_name=_name(n, buyer) or n.text(n.root, "t:TRANSLATION_SECTION/t:ML_AA_NAMES/t:AA_NAME"),
        buyer_department=_department(n, buyer),
        buyer_city=n.text(buyer, "t:TOWN"),
        buyer_postal_code=postal_code(n.text(buyer, "t:POSTAL_CODE")),
        buyer_nuts=(n.codes(buyer, NUTS) or n.codes(data, "*[local-name()='CA_CE_NUTS']") or ("",))[0],
        buyer_country=_country(country),
        buyer_legal_type=_buyer_type(n, form, codif),
        buyer_email=n.text(buyer, "t:E_MAIL | t:E_MAILS/t:E_MAIL"),
        buyer_url=n.text(buyer, "t:URL_GENERAL") or n.text(form, ".//t:URL_GENERAL"),
        cpv_main=cpv_main or (original_cpv[0] if original_cpv else ""),
        cpv_additional=tuple(c for c in dict.fromkeys(additional_cpv + original_cpv) if c != cpv_main),
        place_nuts=place_nuts or n.codes(data, PERFORMANCE_NUTS),
        estimated_value=estimated,
        currency=currency or n.attr(data, "t:VALUES/t:VALUE", "CURRENCY"),
        procedure_type=_procedure_type(n, form),
        submission_deadline=deadline,
        planned_date=_iso_date(n.text(form, "t:OBJECT_CONTRACT/t:DATE_PUBLICATION_NOTICE")),
        lots=lots,
        url=TED_NOTICE_URL.format(doc_id),
        seen_at=doc.fetched_at,
        stage=stage,
        contract_nature=_nature(n, form, codif),
        awarded_value=awarded,
        winners=_winners(n, form),
        previous_notices=tuple(dict.fromkeys(r for r in references if r and r != publication_key(doc_id))),
    )  # fmt: skip


def _country(code: str) -> str:
    return COUNTRY3.get(code, code)


def _stage(n: _Notice, codif: etree._Element | None, form: etree._Element) -> Stage:
    notice_type = n.attr(form, ".//t:NOTICE", "TYPE")
    if notice_type in STAGE_BY_NOTICE_TYPE:
        return STAGE_BY_NOTICE_TYPE[notice_type]
    return STAGE_BY_DOCUMENT_TYPE.get(n.attr(codif, "t:TD_DOCUMENT_TYPE", "CODE"), Stage.UNKNOWN)


def _title(n: _Notice, form: etree._Element, defence: bool) -> str:
    if defence:
        return n.paragraphs(form, ".//t:TITLE_CONTRACT")
    return n.paragraphs(form, "t:OBJECT_CONTRACT/t:TITLE")


def _buyer(n: _Notice, form: etree._Element, defence: bool) -> etree._Element | None:
    if defence:
        return n.first(form, ".//t:CA_CE_CONCESSIONAIRE_PROFILE")
    return n.first(form, "t:CONTRACTING_BODY/t:ADDRESS_CONTRACTING_BODY")


def _name(n: _Notice, address: etree._Element | None) -> str:
    return n.text(address, "t:OFFICIALNAME") or n.text(address, "t:ORGANISATION/t:OFFICIALNAME")


def _department(n: _Notice, buyer: etree._Element | None) -> str:
    """TED has no department field: an office named after the buyer ("Stadt Erlangen – Amt 24")
    or as the contact point ("Jugendamt"), never a person's name."""
    name = _name(n, buyer)
    for separator in (" – ", " - ", ", ", " / "):
        _, _, tail = name.partition(separator)
        if tail and OFFICE_WORDS.search(tail):
            return tail.strip()
    contact = n.text(buyer, "t:CONTACT_POINT")
    return contact if contact and OFFICE_WORDS.search(contact) else ""


def _buyer_type(n: _Notice, form: etree._Element, codif: etree._Element | None) -> str:
    """CA_TYPE (2014 forms), the defence forms' type, or "utilities" for a sector entity."""
    found = n.attr(form, "t:CONTRACTING_BODY/t:CA_TYPE", "VALUE") or n.attr(
        form, ".//t:TYPE_OF_CONTRACTING_AUTHORITY", "VALUE"
    )
    if found:
        return found.lower()
    if n.first(form, "t:CONTRACTING_BODY/t:CE_ACTIVITY | t:CONTRACTING_BODY/t:CE_ACTIVITY_OTHER") is not None:
        return "utilities"
    return {"1": "ministry", "3": "regional_authority", "4": "utilities", "6": "body_public"}.get(
        n.attr(codif, "t:AA_AUTHORITY_TYPE", "CODE"), ""
    )


def _nature(n: _Notice, form: etree._Element, codif: etree._Element | None) -> str:
    typed = n.attr(form, "t:OBJECT_CONTRACT/t:TYPE_CONTRACT", "CTYPE") or n.attr(
        form, ".//t:TYPE_CONTRACT", "VALUE"
    )
    return typed.lower() if typed else NATURE_BY_CODE.get(n.attr(codif, "t:NC_CONTRACT_NATURE", "CODE"), "")


def _procedure_type(n: _Notice, form: etree._Element) -> str:
    for element in n.x(form, "t:PROCEDURE//*[starts-with(local-name(), 'PT_')]"):
        name = etree.QName(element).localname
        if name in PROCEDURE_BY_ELEMENT:
            return PROCEDURE_BY_ELEMENT[name]
    return ""


def _lot(n: _Notice, node: etree._Element) -> Lot:
    return Lot(
        lot_id=n.text(node, "t:LOT_NO | t:LOT_NUMBER") or node.get("ITEM", ""),
        title=n.paragraphs(node, "t:TITLE | t:LOT_TITLE"),
        cpv=n.codes(node, ".//t:CPV_MAIN/t:CPV_CODE | .//t:CPV_ADDITIONAL/t:CPV_CODE"),
        estimated_value=_value(n, node, "t:VAL_OBJECT"),
        currency=n.attr(node, "t:VAL_OBJECT", "CURRENCY"),
        submission_deadline=None,
        description=n.paragraphs(node, "t:SHORT_DESCR | t:LOT_DESCRIPTION"),
    )


def _winners(n: _Notice, form: etree._Element) -> tuple[Winner, ...]:
    addresses = n.x(
        form,
        ".//t:ADDRESS_CONTRACTOR | .//t:ADDRESS_WINNER"
        " | .//t:ECONOMIC_OPERATOR_NAME_ADDRESS/t:CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME",
    )
    found = (
        Winner(name=_name(n, a), town=n.text(a, "t:TOWN"), country=_country(n.attr(a, "t:COUNTRY", "VALUE")))
        for a in addresses
    )
    return tuple(dict.fromkeys(w for w in found if w.name))


def _value(n: _Notice, node: etree._Element | None, expr: str) -> float | None:
    text = n.text(node, expr).replace(" ", "")
    if not text:
        return None
    value = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    return value if value > _PLACEHOLDER_VALUE else None


def _sum(n: _Notice, node: etree._Element, expr: str) -> float | None:
    values = [float(v) for el in n.x(node, expr) if (v := "".join(el.itertext()).strip())]
    total = sum(values)
    return total if total > _PLACEHOLDER_VALUE else None


def _yyyymmdd(value: str) -> date | None:
    return date(int(value[:4]), int(value[4:6]), int(value[6:8])) if len(value) >= 8 else None


def _iso_date(value: str) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _deadline(
    n: _Notice, form: etree._Element, codif: etree._Element | None, country: str
) -> datetime | None:
    """The form's DATE/TIME_RECEIPT_TENDERS, the defence forms' RECEIPT_LIMIT_DATE, or CODIF's
    DT_DATE_FOR_SUBMISSION; local German time for German buyers."""
    zone = BERLIN if country in ("DE", "") else ZoneInfo("UTC")
    day = n.text(form, "t:PROCEDURE/t:DATE_RECEIPT_TENDERS")
    clock = n.text(form, "t:PROCEDURE/t:TIME_RECEIPT_TENDERS")
    if day:
        return _at(date.fromisoformat(day[:10]), clock, zone)
    limit = n.first(form, ".//t:RECEIPT_LIMIT_DATE")
    if limit is not None:
        parts = [n.text(limit, f"t:{p}") for p in ("YEAR", "MONTH", "DAY")]
        if all(parts):
            return _at(date(*map(int, parts)), n.text(limit, "t:TIME"), zone)
    coded = n.text(codif, "t:DT_DATE_FOR_SUBMISSION")
    if coded[:8].isdigit():
        return _at(_yyyymmdd(coded) or date.min, coded[9:], zone)
    return None


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    clock = clock.strip()
    at = time.fromisoformat(clock if len(clock) != 4 else f"0{clock}") if clock else time(23, 59, 59)
    return datetime.combine(day, at, tzinfo=zone)
