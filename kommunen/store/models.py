"""Tables (SQLAlchemy 2.0 typed ORM). Records from `scrapers.records` map onto these in store.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: kommunen stores aware datetimes only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Tracked:
    """Columns every stored record has: where it came from, when first and last seen, its hash."""

    source_url: Mapped[str] = mapped_column(String(2000))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_changed: Mapped[datetime] = mapped_column(UtcDateTime())


class Gebiet(Tracked, Base):
    """Land, Regierungsbezirk, Region, Kreis or Gemeindeverband, keyed by its official key."""

    __tablename__ = "gebiete"

    key: Mapped[str] = mapped_column(String(9), primary_key=True)
    ebene: Mapped[str] = mapped_column(String(20))
    typ: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))


class Gemeinde(Tracked, Base):
    __tablename__ = "gemeinden"

    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kurzname: Mapped[str] = mapped_column(String(200))
    suchname: Mapped[str] = mapped_column(String(200), index=True)  # text.fold(kurzname)
    textkennzeichen: Mapped[str] = mapped_column(String(2))
    typ: Mapped[str] = mapped_column(String(60))
    land_key: Mapped[str] = mapped_column(ForeignKey("gebiete.key"), index=True)
    # No foreign key: special areas (Küstengewässer, AGS 13000999) belong to no Kreis.
    kreis_key: Mapped[str] = mapped_column(String(5), index=True)
    verband_key: Mapped[str] = mapped_column(String(9))
    flaeche_km2: Mapped[float | None] = mapped_column(Float)
    einwohner: Mapped[int | None] = mapped_column(Integer)
    maennlich: Mapped[int | None] = mapped_column(Integer)
    weiblich: Mapped[int | None] = mapped_column(Integer)
    dichte: Mapped[float | None] = mapped_column(Float)
    plz: Mapped[str] = mapped_column(String(5))
    laengengrad: Mapped[float | None] = mapped_column(Float)
    breitengrad: Mapped[float | None] = mapped_column(Float)
    reisegebiet: Mapped[str] = mapped_column(String(100))
    verstaedterung: Mapped[int | None] = mapped_column(Integer)
    verstaedterung_label: Mapped[str] = mapped_column(String(60))
    gebietsstand: Mapped[date | None] = mapped_column(Date)  # as the directory says; the CSV does not
    einwohner_stand: Mapped[date | None] = mapped_column(Date)


class GemeindePlz(Tracked, Base):
    """PLZ → Gemeinde; no foreign key, since the PLZ list may know Gemeinden newer than the GV."""

    __tablename__ = "gemeinde_plz"
    __table_args__ = (Index("ix_gemeinde_plz_ags", "ags"),)

    plz: Mapped[str] = mapped_column(String(5), primary_key=True)
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    ort: Mapped[str] = mapped_column(String(200), primary_key=True)


class Code(Tracked, Base):
    """eForms code lists: what a CPV or NUTS code is called, and which CPV are social services."""

    __tablename__ = "codes"

    list_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label_de: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)


class RawDocumentRow(Base):
    """Every fetched body, compressed, with URL, status and time; `reparse` rebuilds from here."""

    __tablename__ = "raw_documents"
    __table_args__ = (
        UniqueConstraint("source", "url", "sha256", name="uq_raw_documents_body"),
        Index("ix_raw_documents_url", "url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime())
    content_type: Mapped[str] = mapped_column(String(200))
    etag: Mapped[str] = mapped_column(String(200))
    last_modified: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    body_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    # Why the parser rejected this body ("" when it parsed): reported again until it parses.
    parse_error: Mapped[str] = mapped_column(Text, server_default="")
    # How many records it gave when parsed: counted as unchanged when the same bytes come again.
    records: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    started: Mapped[datetime] = mapped_column(UtcDateTime())
    finished: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20))  # running | ok | partial | failed
    documents: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    # host:pid of the process running it, so the next start can close a run whose process died.
    holder: Mapped[str] = mapped_column(String(200), server_default="")


class RunError(Base):
    __tablename__ = "run_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    stage: Mapped[str] = mapped_column(String(20))  # fetch | parse | store
    message: Mapped[str] = mapped_column(Text)


class Tender(Tracked, Base):
    __tablename__ = "tenders"
    __table_args__ = (
        Index("ix_tenders_deadline", "submission_deadline"),
        Index("ix_tenders_kommune", "kommune_key"),
        # covers the stamp a ranking checks (matching.leads._stamp) without reading the long texts
        Index("ix_tenders_stamp", "source", "source_id", "content_hash"),
    )

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    notice_version: Mapped[str] = mapped_column(String(20))
    procedure_id: Mapped[str] = mapped_column(String(200), index=True)
    changed_notice_id: Mapped[str] = mapped_column(String(200))
    publication_number: Mapped[str] = mapped_column(String(40))
    notice_type: Mapped[str] = mapped_column(String(40))
    form_type: Mapped[str] = mapped_column(String(40))
    notice_subtype: Mapped[str] = mapped_column(String(10))
    publication_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(3))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    buyer_name: Mapped[str] = mapped_column(Text)
    buyer_department: Mapped[str] = mapped_column(Text)
    buyer_city: Mapped[str] = mapped_column(String(200))
    buyer_postal_code: Mapped[str] = mapped_column(String(20))
    buyer_nuts: Mapped[str] = mapped_column(String(10))
    buyer_country: Mapped[str] = mapped_column(String(3))
    buyer_legal_type: Mapped[str] = mapped_column(String(40))
    buyer_email: Mapped[str] = mapped_column(String(300))
    buyer_url: Mapped[str] = mapped_column(String(2000))
    cpv_main: Mapped[str] = mapped_column(String(10))
    cpv_additional: Mapped[list[str]] = mapped_column(JSON)
    place_nuts: Mapped[list[str]] = mapped_column(JSON)
    estimated_value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    procedure_type: Mapped[str] = mapped_column(String(40))
    submission_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime())
    planned_date: Mapped[date | None] = mapped_column(Date)
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    url: Mapped[str] = mapped_column(String(2000))
    kommune_key: Mapped[str | None] = mapped_column(String(8))  # the buyer's Gemeinde (8) or Kreis (5)
    stage: Mapped[str] = mapped_column(String(20), server_default="")  # scrapers.records.Stage
    contract_nature: Mapped[str] = mapped_column(String(20), server_default="")
    awarded_value: Mapped[float | None] = mapped_column(Float)
    winners: Mapped[list[dict[str, str]]] = mapped_column(JSON, server_default=text("'[]'"))
    previous_notices: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    # Precomputed at write time so ranking 100k tenders reads plain strings, no JSON (matching/text.fold):
    search_text: Mapped[str] = mapped_column(Text, server_default="")  # description, department, lots
    cpv_codes: Mapped[str] = mapped_column(Text, server_default="")  # every CPV code, space-separated


class Funding(Tracked, Base):
    __tablename__ = "funding"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kurzbeschreibung: Mapped[str] = mapped_column(Text)
    beschreibung: Mapped[str] = mapped_column(Text)
    foerderart: Mapped[list[str]] = mapped_column(JSON)
    foerderbereich: Mapped[list[str]] = mapped_column(JSON)
    foerdergebiet: Mapped[list[str]] = mapped_column(JSON)
    foerderberechtigte: Mapped[list[str]] = mapped_column(JSON)
    foerdergeber: Mapped[list[str]] = mapped_column(JSON)
    ansprechpunkt: Mapped[list[str]] = mapped_column(JSON)
    stichworte: Mapped[str] = mapped_column(Text)
    stand: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(2000))


class OparlBody(Tracked, Base):
    __tablename__ = "oparl_bodies"
    __table_args__ = (Index("ix_oparl_bodies_ags", "ags"),)

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    ags: Mapped[str] = mapped_column(String(8))  # "" when neither the body nor its name says
    website: Mapped[str] = mapped_column(String(2000))
    contact_email: Mapped[str] = mapped_column(String(300))
    organization_list: Mapped[str] = mapped_column(String(2000))


class Department(Tracked, Base):
    """An Amt/Fachbereich or committee of a Kommune, with its source URL and date."""

    __tablename__ = "departments"
    __table_args__ = (Index("ix_departments_body", "body_id"),)

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    body_id: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(String(300))
    organization_type: Mapped[str] = mapped_column(String(60))
    classification: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(2000))
    email: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    ags: Mapped[str] = mapped_column(String(8), index=True)  # website pages; OParl's via its body
    themen: Mapped[list[str]] = mapped_column(JSON)


class LeadRow(Base):
    """A scored lead per profile: what later outputs compare against (new? changed?)."""

    __tablename__ = "leads"

    profile: Mapped[str] = mapped_column(String(200), primary_key=True)
    lead_id: Mapped[str] = mapped_column(String(700), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2000))
    score: Mapped[float] = mapped_column(Float)
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    excluded: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_changed: Mapped[datetime] = mapped_column(UtcDateTime())


class DigestSent(Base):
    """What a recipient already got, so the next digest brings only what is new or changed."""

    __tablename__ = "digest_sent"

    profile: Mapped[str] = mapped_column(String(200), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(300), primary_key=True)
    lead_id: Mapped[str] = mapped_column(String(700), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SchedulerLock(Base):
    """One running scheduler per database: the holder renews its heartbeat; a stale lock is taken over."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    heartbeat: Mapped[datetime] = mapped_column(UtcDateTime())


class Nachbar(Base):
    """Two Kreise or two Gemeinden with a common border (VG5000, changes since applied).

    Derived as a whole from its input files, so it is replaced, not upserted; `inputs_hash`
    names those files' bytes, and an import of unchanged files stops at one SELECT.
    """

    __tablename__ = "nachbarn"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # "kreis" | "gemeinde"
    key_a: Mapped[str] = mapped_column(String(8), primary_key=True)  # key_a < key_b
    key_b: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)
    grenze_km: Mapped[float] = mapped_column(Float)
    source_url: Mapped[str] = mapped_column(String(2000))
    inputs_hash: Mapped[str] = mapped_column(String(64))


class Indikator(Base):
    """An INKAR indicator (BBSR): its readable name and unit, and the files it was imported from.

    Replaced as a whole with its values (`IndikatorWert`); `inputs_hash` names the input files'
    bytes, so an import of unchanged files stops at one SELECT.
    """

    __tablename__ = "indikatoren"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # INKAR kuerzel, e.g. "q_SGBII"
    kurzname: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(Text)
    einheit: Mapped[str] = mapped_column(String(200))
    bereich: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(String(2000))
    inputs_hash: Mapped[str] = mapped_column(String(64))


class IndikatorWert(Base):
    """The latest value of an indicator for one Kreis (5 digits), Gemeinde (8) or Gemeindeverband (9)."""

    __tablename__ = "indikator_werte"

    # No foreign key: written only together with `Indikator`, and checking 370,000 rows one by one
    # took most of the import's time on PostgreSQL.
    indikator: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(9), primary_key=True, index=True)
    ebene: Mapped[str] = mapped_column(String(10))  # "kreis" | "gemeinde" | "verband"
    jahr: Mapped[int] = mapped_column(Integer)
    wert: Mapped[float] = mapped_column(Float)


class Gebietsaenderung(Base):
    """A Gemeinde that gave itself (or part of itself) to another (Destatis Gebietsänderungen).

    Replaced as a whole when its files change, like `Nachbar`; read to resolve an old AGS or name.
    """

    __tablename__ = "gebietsaenderungen"

    alt_ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    neu_ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    art: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 Auflösung … 4 Namensänderung
    alt_name: Mapped[str] = mapped_column(String(200))
    neu_name: Mapped[str] = mapped_column(String(200))
    einwohner: Mapped[int] = mapped_column(Integer)
    flaeche_m2: Mapped[int] = mapped_column(Integer)
    wirksam: Mapped[date] = mapped_column(Date)
    kennziffer: Mapped[str] = mapped_column(String(40))
    source_url: Mapped[str] = mapped_column(String(2000))
    inputs_hash: Mapped[str] = mapped_column(String(64))


class KreisSitz(Base):
    """Where a Kreis's administration sits (Anschriftenverzeichnis); replaced as a whole."""

    __tablename__ = "kreissitze"

    key: Mapped[str] = mapped_column(String(5), primary_key=True)
    sitz: Mapped[str] = mapped_column(String(200))
    anschrift: Mapped[str] = mapped_column(String(500))
    source_url: Mapped[str] = mapped_column(String(2000))
    inputs_hash: Mapped[str] = mapped_column(String(64))
