"""The imported eForms code lists, as the matcher uses them (`kommunen import-codelisten`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunen.store.models import Code
from scrapers.codelists import CPV, NUTS3, SOCIAL_CPV


@dataclass(frozen=True, slots=True)
class CodeLists:
    """German names of CPV and NUTS-3 codes, the social-service CPV; empty before the lists are imported."""

    social_cpv: dict[str, str] = field(default_factory=dict)
    nuts3: dict[str, str] = field(default_factory=dict)
    cpv: dict[str, str] = field(default_factory=dict)  # every CPV code's German label

    def cpv_label(self, code: str) -> str:
        return self.cpv.get(code) or self.social_cpv.get(code, "")

    @classmethod
    def load(cls, session: Session) -> CodeLists:
        found: dict[str, dict[str, str]] = {SOCIAL_CPV: {}, NUTS3: {}, CPV: {}}
        query = select(Code.list_name, Code.code, Code.label_de).where(Code.list_name.in_(found))
        for list_name, code, label in session.execute(query):
            found[list_name][code] = label
        return cls(social_cpv=found[SOCIAL_CPV], nuts3=found[NUTS3], cpv=found[CPV])
