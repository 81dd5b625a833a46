"""The administration to write to for each Gemeinde and Kreis (models.py is full, so its own module)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kommunen.store.models import Base


class Verwaltung(Base):
    """Who serves a Gemeinde (AGS, 8 digits) or Kreis (5): its own Rathaus, its Amt or
    Verbandsgemeinde, the Landratsamt; with the website start URL where an index knows it.

    Derived as a whole from the Anschriftenverzeichnis and the websites index, like `KreisSitz`:
    replaced when `inputs_hash` (those files' bytes) changes, untouched otherwise.
    """

    __tablename__ = "verwaltungen"

    key: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    anschrift: Mapped[str] = mapped_column(String(500))
    verband_key: Mapped[str] = mapped_column(String(9))  # the serving Amt/VG, "" when it serves itself
    website: Mapped[str] = mapped_column(String(2000))  # "" when no index knows it
    website_quelle: Mapped[str] = mapped_column(String(2000))
    source_url: Mapped[str] = mapped_column(String(2000))
    inputs_hash: Mapped[str] = mapped_column(String(64))
