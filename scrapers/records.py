"""Records: the contract between `scrapers` (which makes them) and `kommunen` (which stores them).

Every record is frozen and says where it came from (`source`, `source_url`) and when it was
seen (`seen_at` = the fetch time of its document, never the clock at parse time). Their text
carries no control characters (scrapers.cleaning): one NUL must not break the day's export.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

from scrapers.cleaning import CleanText


@dataclass(frozen=True, slots=True)
class GebietRecord(CleanText):
    """A level above the Gemeinde: Land, Regierungsbezirk, Region, Kreis or Gemeindeverband."""

    key: str  # Land "09", RB "097", Kreis "09761", Gemeindeverband "097610000"
    ebene: str  # land | regierungsbezirk | region | kreis | gemeindeverband
    typ: str  # German label of the Textkennzeichen, e.g. "Landkreis"; "" where none
    name: str
    source_url: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class GemeindeRecord(CleanText):
    ags: str  # Amtlicher Gemeindeschlüssel, 8 digits
    name: str  # official, e.g. "Tübingen, Universitätsstadt"
    kurzname: str  # what people say: "Tübingen"
    textkennzeichen: str  # "61" kreisfreie Stadt ... "67" große Kreisstadt
    typ: str  # German label of the Textkennzeichen
    verband_key: str  # 9 digits: Land, RB, Kreis, Gemeindeverband
    flaeche_km2: float | None
    einwohner: int | None
    maennlich: int | None
    weiblich: int | None
    plz: str
    laengengrad: float | None
    breitengrad: float | None
    reisegebiet: str
    verstaedterung: int | None  # 1 dicht, 2 mittel, 3 gering besiedelt
    verstaedterung_label: str
    source_url: str
    seen_at: datetime
    gebietsstand: date | None = None  # the directory's Gebietsstand, where the file names it
    einwohner_stand: date | None = None  # the date of the population figures

    @property
    def land_key(self) -> str:
        return self.ags[:2]

    @property
    def kreis_key(self) -> str:
        return self.ags[:5]

    @property
    def dichte(self) -> float | None:
        if self.einwohner is None or not self.flaeche_km2:
            return None
        return self.einwohner / self.flaeche_km2


@dataclass(frozen=True, slots=True)
class PlzRecord(CleanText):
    """One postal code of one Gemeinde; a PLZ can span several Gemeinden and vice versa."""

    plz: str
    ags: str
    ort: str
    source_url: str
    seen_at: datetime


class Stage(enum.StrEnum):
    """Where a procedure stands; TED_EXPORT document types and eForms form types map onto it."""

    PLANNING = "vorinformation"  # prior information without call: the earliest signal
    COMPETITION = "ausschreibung"  # contract or concession notice, PIN used as a call, contest
    RESULT = "vergeben"  # contract or concession award, results of a design contest
    MODIFICATION = "aenderung"  # a contract changed during its term
    VEAT = "ex_ante"  # voluntary ex-ante transparency: awarded without a call
    CHANGE = "berichtigung"  # corrigendum of an earlier notice
    UNKNOWN = ""


# The eForms form type (BT-03) of each stage: TED_EXPORT notices get one so both formats read
# alike, and eForms notices get their stage from it ("completion" reports a result too).
FORM_TYPE_OF_STAGE = {
    Stage.PLANNING: "planning",
    Stage.COMPETITION: "competition",
    Stage.RESULT: "result",
    Stage.MODIFICATION: "cont-modif",
    Stage.VEAT: "dir-awa-pre",
    Stage.CHANGE: "change",
    Stage.UNKNOWN: "",
}
STAGE_OF_FORM_TYPE = {form: stage for stage, form in FORM_TYPE_OF_STAGE.items() if form}
STAGE_OF_FORM_TYPE["completion"] = Stage.RESULT


@dataclass(frozen=True, slots=True)
class Winner(CleanText):
    """Who won a lot (BT-500 of the TenderingParty's Organization, or TED's CONTRACTOR)."""

    name: str
    town: str
    country: str


@dataclass(frozen=True, slots=True)
class Lot(CleanText):
    lot_id: str
    title: str
    cpv: tuple[str, ...]
    estimated_value: float | None
    currency: str
    submission_deadline: datetime | None
    description: str = ""


def publication_key(number: str) -> str:
    """A TED publication number without leading zeros ("00424633-2024" → "424633-2024"), so
    eForms, TED_EXPORT and references written either way meet; anything else stays as it is."""
    head, _, year = number.strip().partition("-")
    if head.isdigit() and year.isdigit() and len(year) == 4:
        return f"{int(head)}-{year}"
    return number.strip()


_POSTAL_CODE = re.compile(r"^(?:D|DE)?[-\s]*(\d{5})\b")


def postal_code(value: str) -> str:
    """ "D-14467", "DE 14467" and "14467" alike; a foreign code stays as written."""
    match = _POSTAL_CODE.match(value.strip())
    return match.group(1) if match else value.strip()


@dataclass(frozen=True, slots=True)
class TenderRecord(CleanText):
    """One published notice (eForms business terms in brackets)."""

    source: str
    source_id: str  # natural key with source: the notice id (BT-701)
    source_url: str
    notice_version: str  # BT-757
    procedure_id: str  # BT-04: groups every notice of one procedure
    changed_notice_id: str  # BT-758: the notice a change notice changes, else ""
    publication_number: str  # TED "123456-2024" when known
    notice_type: str  # BT-02, e.g. "cn-standard"
    form_type: str  # BT-03, e.g. "competition", "planning", "result"
    notice_subtype: str  # e.g. "16"
    publication_date: date | None
    language: str  # the language title/description were taken from, e.g. "DEU"
    title: str
    description: str
    buyer_name: str
    buyer_department: str  # BT-16: the Amt/Referat to contact
    buyer_city: str
    buyer_postal_code: str
    buyer_nuts: str
    buyer_country: str
    buyer_legal_type: str  # BT-11
    buyer_email: str
    buyer_url: str
    cpv_main: str
    cpv_additional: tuple[str, ...]
    place_nuts: tuple[str, ...]
    estimated_value: float | None
    currency: str
    procedure_type: str  # BT-105
    submission_deadline: datetime | None  # earliest lot deadline, timezone-aware
    planned_date: date | None  # BT-127: future notice (early signal in PINs)
    lots: tuple[Lot, ...]
    url: str  # where a person reads the notice
    seen_at: datetime
    stage: Stage = Stage.UNKNOWN
    contract_nature: str = ""  # BT-23: works | supplies | services
    awarded_value: float | None = None  # BT-720/BT-161, or TED's VAL_TOTAL of the award
    winners: tuple[Winner, ...] = ()
    previous_notices: tuple[str, ...] = ()  # publication numbers ("376443-2017") this one follows

    @property
    def cpv_codes(self) -> tuple[str, ...]:
        codes = [self.cpv_main, *self.cpv_additional, *(c for lot in self.lots for c in lot.cpv)]
        return tuple(dict.fromkeys(c for c in codes if c))


@dataclass(frozen=True, slots=True)
class FundingRecord(CleanText):
    """One Förderprogramm; the closed vocabularies keep the Förderdatenbank's German labels."""

    source: str
    source_id: str  # the programme's path, e.g. "Bund/BMAS/einstiegsgeld"
    source_url: str
    title: str
    kurzbeschreibung: str  # "Ziel und Gegenstand", or the first paragraph
    beschreibung: str  # the whole programme text, plain
    foerderart: tuple[str, ...]  # Zuschuss, Darlehen, Bürgschaft, Beteiligung, Garantie, Sonstige
    foerderbereich: tuple[str, ...]
    foerdergebiet: tuple[str, ...]  # "bundesweit" or Länder
    foerderberechtigte: tuple[str, ...]  # Kommune, Unternehmen, Verband/Vereinigung, ...
    foerdergeber: tuple[str, ...]
    ansprechpunkt: tuple[str, ...]  # official contact points as published
    stichworte: str
    stand: date | None
    url: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class BodyRecord(CleanText):
    """An OParl Body: one Kommune's council information system."""

    source: str
    source_id: str  # the body's OParl id (a URL)
    source_url: str
    name: str
    ags: str  # 8 digits when the body says which Gemeinde it is, else ""
    website: str
    contact_email: str
    organization_list: str  # URL of its organizations
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class DepartmentRecord(CleanText):
    """An Amt/Fachbereich (OParl "Verwaltungsbereich") or a committee (an activity signal)."""

    source: str
    source_id: str
    source_url: str
    body_id: str
    name: str
    short_name: str
    organization_type: str  # Verwaltungsbereich, Gremium, Fraktion, ...
    classification: str  # e.g. "Ausschuss"
    website: str
    email: str
    phone: str
    start_date: date | None
    end_date: date | None
    seen_at: datetime
    ags: str = ""  # known directly for website pages; OParl's comes from its body
    themen: tuple[str, ...] = ()  # Soziales, Integration, Jugend, Bildung, Digitalisierung, ...


@dataclass(frozen=True, slots=True)
class CodeRecord(CleanText):
    """One code of an eForms code list (CPV social services, NUTS-3, notice types …)."""

    list_name: str  # "social-service-cpv", "nuts-deu-lvl3", …
    code: str
    label_de: str
    label_en: str
    source_url: str
    seen_at: datetime


Record = (
    GebietRecord
    | GemeindeRecord
    | PlzRecord
    | TenderRecord
    | FundingRecord
    | BodyRecord
    | DepartmentRecord
    | CodeRecord
)
