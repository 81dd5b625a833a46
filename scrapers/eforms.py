"""eForms notices (UBL 2.3 + eForms extensions), as TED and the Bekanntmachungsservice publish them.

Quelle   https://ted.europa.eu/en/notice/{publication-number}/xml; oeffentlichevergabe.de exports
Format   XML, one notice per document; organisations listed once in the extension and
         referenced by id (ORG-0001) from buyer, lots and review bodies
Caveats  title/description come in several languages: German preferred, else the first;
         deadlines are a date and a time with separate offsets; a notice without notice id
         or title raises ParseError (the SDK's INVALID_*_empty examples). The German
         below-threshold channel (eforms-sdk-0.1) has no organisations: the buyer is one
         free-text line ("VGem Volkach, Marktplatz 1, 97332 Volkach, Tel.: …"), CPV codes carry
         their check digit, placeholders (AwardDate 2000-01-01, amount 1) stand for "unknown"
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from lxml import etree

from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.records import (
    STAGE_OF_FORM_TYPE,
    Lot,
    Stage,
    TenderRecord,
    Winner,
    postal_code,
    publication_key,
)
from scrapers.xmlsafe import parse_xml_without

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
_CAC, _CBC, _EFAC, _EFBC = (f"{{{NS[prefix]}}}" for prefix in ("cac", "cbc", "efac", "efbc"))
ADDITIONAL_CPV = "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode"
EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
# The notice's places, then its lots' (UBL puts ProcurementProject before the lots).
PLACES = (
    "(cac:ProcurementProject | cac:ProcurementProjectLot/cac:ProcurementProject)"
    "/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"
)
PREFERRED_LANGUAGE = "DEU"
TED_NOTICE_URL = "https://ted.europa.eu/en/notice/-/detail/{}"
# Read by no field, left out of the tree: each lot's (and the notice's) tendering terms,
# criteria, appeal body and documents, 40 % of the bytes.
UNREAD = ("cac:TenderingTerms",)
_PUBLICATION_IN_URL = re.compile(r"/notice/(\d{1,8}-\d{4})/")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
_ZONES: dict[str, timezone] = {}  # "+02:00" → its timezone: the same few in every notice
_CHECK_DIGIT = re.compile(r"^(\d{8})-\d$")
_FREE_TEXT_PLACE = re.compile(r"\b(\d{5})\s+([^,;]+)")
_OFFICE = re.compile(r"\b(Amt|Referat|Fachdienst|Fachbereich|Dezernat|Abteilung|Vergabestelle)\b|amt\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT = re.compile(r"Tel|Fax|E-?Mail|Internet|Web|www\.|https?:", re.I)  # a way to reach, no office
_PLACEHOLDER_AMOUNT = 1.0
_NOTICE_VERSION = re.compile(r"(?<=[0-9a-f]{12})-\d{2}$")  # "<uuid>-01": notice id and version


_COMPILED: dict[str, etree.XPath] = {}


def _x(node: etree._Element, path: str) -> list[etree._Element]:
    """XPath compiled once per expression: compiling on every call cost a third of the parse;
    only the prefixes it uses and no regexp, since every call registers each of them anew."""
    compiled = _COMPILED.get(path)
    if compiled is None:
        used = {prefix: uri for prefix, uri in NS.items() if f"{prefix}:" in path}
        compiled = _COMPILED[path] = etree.XPath(path, namespaces=used, smart_strings=False, regexp=False)
    return compiled(node)  # type: ignore[no-any-return]


def _text(node: etree._Element | None, path: str) -> str:
    if node is None:
        return ""
    found = _x(node, path)
    return (found[0].text or "").strip() if found else ""


def _children(node: etree._Element | None) -> dict[object, etree._Element]:
    """A node's children by tag, the first of each: one walk where a notice reads several of
    them (a search costs as much as a walk over a dozen children)."""
    found: dict[object, etree._Element] = {}
    if node is not None:
        for child in node:
            found.setdefault(child.tag, child)
    return found


def _leaf(node: etree._Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def _texts(node: etree._Element, path: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in ((n.text or "").strip() for n in _x(node, path)) if t))


def _cpv(code: str) -> str:
    """ "79000000-4" (the legacy channel writes the check digit) → "79000000"."""
    match = _CHECK_DIGIT.match(code)
    return match.group(1) if match else code


def _localized(node: etree._Element | None, path: str) -> tuple[str, str]:
    """(text, language) in German if the notice has German, else in its first language."""
    if node is None:
        return "", ""
    found = [n for n in _x(node, path) if (n.text or "").strip()]
    if not found:
        return "", ""
    chosen = next((n for n in found if n.get("languageID") == PREFERRED_LANGUAGE), found[0])
    return " ".join((chosen.text or "").split()), chosen.get("languageID", "")


def _split_offset(value: str) -> tuple[str, timezone | None]:
    match = _OFFSET.search(value, max(0, len(value) - 7))  # the offset ends the value
    if not match:
        return value, None
    offset = match.group(1)
    if offset == "Z":
        return value[:-1], UTC
    zone = _ZONES.get(offset)
    if zone is None:  # a few offsets in all notices; each timezone() costs a microsecond
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        if len(_ZONES) < 4096:  # made-up offsets must not grow it without end
            _ZONES[offset] = zone
    return value[: match.start()], zone


def parse_date(value: str) -> date | None:
    if not value:
        return None
    return date.fromisoformat(_split_offset(value)[0])


def parse_deadline(day: str, clock: str) -> datetime | None:
    """eForms gives "2020-02-04+02:00" and "10:00:00+02:00"; a missing time means end of day."""
    if not day:
        return None
    day_value, day_zone = _split_offset(day)
    if clock:
        clock_value, clock_zone = _split_offset(clock)
        at = time.fromisoformat(clock_value)
    else:
        at, clock_zone = time(23, 59, 59), None
    zone = clock_zone or day_zone or UTC
    return datetime.combine(date.fromisoformat(day_value), at, tzinfo=zone)


def _amount(node: etree._Element, path: str) -> tuple[float | None, str]:
    found = _x(node, path)
    if not found or not (found[0].text or "").strip():
        return None, ""
    value = float(found[0].text.strip())
    if value <= _PLACEHOLDER_AMOUNT:  # "EstimatedOverallContractAmount 1": not known
        return None, ""
    return value, found[0].get("currencyID", "")


def parse_notice(doc: RawDocument, source: str = "eforms") -> TenderRecord:
    root = parse_xml_without(doc.body, doc.url, UNREAD, repeated=True)
    try:
        return _notice(root, doc, source)
    except ValueError as exc:  # a malformed date, time or amount
        raise ParseError(doc.url, f"ungültiger Wert: {exc}") from exc


def _notice(root: etree._Element, doc: RawDocument, source: str) -> TenderRecord:
    children = _children(root)
    first_id = children.get(_CBC + "ID")  # the notice id, unless another ID comes first
    if first_id is not None and first_id.get("schemeName") == "notice-id":
        notice_id = _leaf(first_id)
    else:
        notice_id = _text(root, "cbc:ID[@schemeName='notice-id']") or _leaf(first_id)
    if not notice_id:
        raise ParseError(doc.url, "keine Bekanntmachungs-ID (BT-701)")
    project = children.get(_CAC + "ProcurementProject")
    title, language = _localized(project, "cbc:Name")
    if not title:
        kind = _leaf(children.get(_CBC + "NoticeTypeCode"))
        if kind.startswith("brin-"):  # European company law notices (X01 EEIG, X02 registration)
            raise ParseError(doc.url, f"Bekanntmachung {notice_id} ist keine Vergabe ({kind})")
        raise ParseError(doc.url, f"Bekanntmachung {notice_id} hat keinen Titel (BT-21)")
    description, _ = _localized(project, "cbc:Description")
    ext = next(iter(_x(root, EXT)), None)
    organisations = _organisations(ext)
    buyer_ref = _text(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID")
    buyer = organisations.get(buyer_ref)
    buyer_name, _ = _localized(buyer, "cac:PartyName/cbc:Name")
    company = _children(buyer)
    address = _children(company.get(_CAC + "PostalAddress"))
    free_text = _text(root, "cac:ContractingParty/cac:Party/cac:PartyName/cbc:Name") if buyer is None else ""
    free_buyer = _free_text_buyer(free_text)
    lots = tuple(_lot(node) for node in _x(root, "cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"))
    deadlines = [lot.submission_deadline for lot in lots if lot.submission_deadline]
    value, currency = _amount(project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount")
    type_code = children.get(_CBC + "NoticeTypeCode")
    notice_type = [type_code] if type_code is not None else []
    extension = _children(ext)
    publication = _children(extension.get(_EFAC + "Publication"))
    published = _leaf(publication.get(_EFBC + "PublicationDate"))
    publication_number = _leaf(publication.get(_EFBC + "NoticePublicationID"))
    if not publication_number:
        match = _PUBLICATION_IN_URL.search(doc.url)
        publication_number = match.group(1) if match else ""
    return TenderRecord(
        source=source,
        source_id=notice_id,
        source_url=doc.url,
        notice_version=_leaf(children.get(_CBC + "VersionID")),
        procedure_id=_leaf(children.get(_CBC + "ContractFolderID")),
        changed_notice_id=_text(extension.get(_EFAC + "Changes"), "efbc:ChangedNoticeIdentifier"),
        publication_number=publication_number,
        notice_type=(notice_type[0].text or "").strip() if notice_type else "",
        form_type=notice_type[0].get("listName", "") if notice_type else "",
        notice_subtype=_text(extension.get(_EFAC + "NoticeSubType"), "cbc:SubTypeCode"),
        publication_date=parse_date(
            published
            or _leaf(children.get(_CBC + "IssueDate"))
            or _leaf(children.get(_CBC + "RequestedPublicationDate"))
        ),
        language=language,
        title=title,
        description=description,
        buyer_name=buyer_name or free_buyer[0],
        buyer_department=_leaf(address.get(_CBC + "Department")) or free_buyer[4],
        buyer_city=_leaf(address.get(_CBC + "CityName")) or free_buyer[2],
        buyer_postal_code=postal_code(_leaf(address.get(_CBC + "PostalZone"))) or free_buyer[1],
        buyer_nuts=_leaf(address.get(_CBC + "CountrySubentityCode")),
        buyer_country=_text(address.get(_CAC + "Country"), "cbc:IdentificationCode")
        or ("DEU" if free_buyer[1] else ""),
        buyer_legal_type=_text(root, "cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode"),
        buyer_email=_text(buyer, "cac:Contact/cbc:ElectronicMail")
        or _text(root, "cac:ContractingParty/cac:Party/cac:Contact/cbc:ElectronicMail")
        or free_buyer[3],
        buyer_url=_leaf(company.get(_CBC + "WebsiteURI")),
        cpv_main=_cpv(_text(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")),
        cpv_additional=tuple(
            _cpv(c)
            for c in _texts(project, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")
        )
        if project is not None
        else (),
        place_nuts=_texts(root, PLACES),
        estimated_value=value,
        currency=currency,
        procedure_type=_text(root, "cac:TenderingProcess/cbc:ProcedureCode"),
        submission_deadline=min(deadlines) if deadlines else None,
        planned_date=parse_date(_leaf(children.get(_CBC + "PlannedDate"))),
        lots=lots,
        url=TED_NOTICE_URL.format(publication_number) if publication_number else doc.url,
        seen_at=doc.fetched_at,
        stage=_stage(notice_type),
        contract_nature=_text(project, "cbc:ProcurementTypeCode"),
        awarded_value=_awarded(ext),
        winners=_winners(ext, organisations),
        previous_notices=_previous(root),
    )


def _stage(notice_type: list[etree._Element]) -> Stage:
    form_type = notice_type[0].get("listName", "") if notice_type else ""
    return STAGE_OF_FORM_TYPE.get(form_type, Stage.UNKNOWN)


def _free_text_buyer(line: str) -> tuple[str, str, str, str, str]:
    """(name, postal code, town, e-mail, department) from one line such as
    "VGem Volkach, Marktplatz 1, 97332 Volkach, Tel.: …" or "Kreis Pinneberg, Fachdienst Recht"."""
    if not line:
        return "", "", "", "", ""
    parts = [p.strip() for p in line.split(",")]
    place = _FREE_TEXT_PLACE.search(line)
    email = _EMAIL.search(line)
    offices = [p for p in parts[1:] if _OFFICE.search(p) and not (_CONTACT.match(p) or _EMAIL.search(p))]
    return (
        parts[0],
        place.group(1) if place else "",
        place.group(2).strip() if place else "",
        email.group(0) if email else "",
        ", ".join(offices),
    )


def _organisations(ext: etree._Element | None) -> dict[str, etree._Element]:
    """The extension's companies by their id (ORG-0001), found through their ids in one search
    rather than one search per company."""
    if ext is None:
        return {}
    ids = _x(ext, "efac:Organizations/efac:Organization/efac:Company/cac:PartyIdentification[1]/cbc:ID[1]")
    return {(found.text or "").strip(): found.getparent().getparent() for found in ids}


def _winners(ext: etree._Element | None, organisations: dict[str, etree._Element]) -> tuple[Winner, ...]:
    """Organisations behind the tenders that won a lot: LotResult → LotTender → TenderingParty."""
    if ext is None:
        return ()
    result = next(iter(_x(ext, "efac:NoticeResult")), None)
    if result is None:
        return ()
    won = set(_texts(result, "efac:LotResult[not(cbc:TenderResultCode) or cbc:TenderResultCode='selec-w']"
                             "/efac:LotTender/cbc:ID"))  # fmt: skip
    parties = {
        _text(t, "cbc:ID"): _text(t, "efac:TenderingParty/cbc:ID")
        for t in _x(result, "efac:LotTender")
        if _text(t, "cbc:ID") in won
    }
    winners = []
    for party in _x(result, "efac:TenderingParty"):
        if _text(party, "cbc:ID") not in parties.values():
            continue
        for org_id in _texts(party, "efac:Tenderer/cbc:ID"):
            company = organisations.get(org_id)
            if company is not None:
                name, _ = _localized(company, "cac:PartyName/cbc:Name")
                winners.append(
                    Winner(
                        name=name,
                        town=_text(company, "cac:PostalAddress/cbc:CityName"),
                        country=_text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
                    )
                )
    return tuple(dict.fromkeys(w for w in winners if w.name))


def _awarded(ext: etree._Element | None) -> float | None:
    """BT-161 (the notice's total), else the sum of the winning tenders' values (BT-720)."""
    if ext is None:
        return None
    total, _ = _amount(ext, "efac:NoticeResult/cbc:TotalAmount")
    if total is not None:
        return total
    values = [v for t in _x(ext, "efac:NoticeResult/efac:LotTender")
              if (v := _amount(t, "cac:LegalMonetaryTotal/cbc:PayableAmount")[0]) is not None]  # fmt: skip
    return sum(values) if values else None


def _previous(root: etree._Element) -> tuple[str, ...]:
    """BT-125: the earlier notices (a PIN) this one follows, by publication number or notice id.
    TenderingProcess is the notice's or a lot's: named, not searched for in the whole document
    (that search alone cost a tenth of the parse)."""
    found = _texts(
        root,
        "(cac:TenderingProcess | cac:ProcurementProjectLot/cac:TenderingProcess)"
        "/cac:NoticeDocumentReference/cbc:ID",
    )
    return tuple(dict.fromkeys(publication_key(_NOTICE_VERSION.sub("", ref)) for ref in found))


def _lot(node: etree._Element) -> Lot:
    parts = _children(node)
    project = parts.get(_CAC + "ProcurementProject")
    title, _ = _localized(project, "cbc:Name")
    cpv: tuple[str, ...] = ()
    value, currency = None, ""
    if project is not None:
        cpv = tuple(
            _cpv(c)
            for c in _texts(
                project,
                "cac:MainCommodityClassification/cbc:ItemClassificationCode"
                " | cac:AdditionalCommodityClassification/cbc:ItemClassificationCode",
            )
        )
        value, currency = _amount(project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount")
    # Tenders (BT-131), or in two-stage procedures the requests to participate (BT-1311).
    deadline = None
    process = _children(parts.get(_CAC + "TenderingProcess"))
    for period in ("TenderSubmissionDeadlinePeriod", "ParticipationRequestReceptionPeriod"):
        end = _children(process.get(_CAC + period))
        deadline = parse_deadline(_leaf(end.get(_CBC + "EndDate")), _leaf(end.get(_CBC + "EndTime")))
        if deadline:
            break
    return Lot(
        lot_id=_leaf(parts.get(_CBC + "ID")),
        title=title,
        cpv=cpv,
        estimated_value=value,
        currency=currency,
        submission_deadline=deadline,
    )
