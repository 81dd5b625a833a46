"""Host pauses that outlive the process: a host that asked for two days' rest (a long
Retry-After, a 429 that did not end) is not asked again by tomorrow's cron run or the scheduler's
next job. Http keeps them in memory; this is where they are written and read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from kommunen.store.db import session_scope
from kommunen.store.models import Base, UtcDateTime


class HostPause(Base):
    __tablename__ = "host_pauses"

    host: Mapped[str] = mapped_column(String(300), primary_key=True)
    until: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)  # "HTTP 429, Retry-After 7200 s: Quelle pausiert bis …"
    status: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True, slots=True)
class StoredPauses:
    """scrapers.http.PauseStore on the database."""

    engine: Engine

    def load(self) -> dict[str, tuple[datetime, str, int]]:
        with session_scope(self.engine) as session:
            return {p.host: (p.until, p.reason, p.status) for p in session.scalars(select(HostPause))}

    def save(self, host: str, until: datetime, reason: str, status: int) -> None:
        with session_scope(self.engine) as session:
            session.merge(HostPause(host=host[:300], until=until, reason=reason, status=status))
