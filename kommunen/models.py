"""Tables (SQLAlchemy 2.0 typed ORM). Records from `scrapers.records` map onto these in store.py."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, TypeDecorator
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


class GemeindePlz(Tracked, Base):
    """PLZ → Gemeinde; no foreign key, since the PLZ list may know Gemeinden newer than the GV."""

    __tablename__ = "gemeinde_plz"
    __table_args__ = (Index("ix_gemeinde_plz_ags", "ags"),)

    plz: Mapped[str] = mapped_column(String(5), primary_key=True)
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    ort: Mapped[str] = mapped_column(String(200), primary_key=True)
