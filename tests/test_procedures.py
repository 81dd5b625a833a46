"""One procedure, one lead: real notices of one procedure become one lead that shows its stages."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kommunen.collect.pipeline import run_source
from kommunen.matching.lead import Component
from kommunen.matching.leads import Ranking, rank
from kommunen.matching.procedures import NoticeKeys, group
from kommunen.matching.profile import load_profile
from kommunen.outputs import digest as mail
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import session_scope
from scrapers.notice_files import NoticeFiles
from tests.conftest import import_shared
from tests.recorded import SHARED

PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/digital.toml"
NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
MTD_FILES = ("ENG", "ENG_Buyers", "ENG_buyers_countries", "withheld", "withheld_lots")
MTD = [SHARED / f"tenders/eforms/can_25_{name}.xml" for name in MTD_FILES]
CONTEST = [SHARED / "tenders/ted-r209-de/360772-2018.xml", SHARED / "tenders/ted-r209-de/333997-2019.xml"]


def ranked(engine: Engine, *paths: Path) -> Ranking:
    run_source(engine, NoticeFiles(list(paths)), None, clock=lambda: NOW)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        index = GemeindeIndex(session)
    return rank(engine, load_profile(PROFILE), index, NOW)


@pytest.fixture
def gemeinden(engine: Engine) -> Engine:
    import_shared(engine)
    return engine


def test_five_notices_of_one_procedure_are_one_lead(gemeinden: Engine) -> None:
    ranking = ranked(gemeinden, *MTD)
    tenders = ranking.select("tender", include_excluded=True)
    assert [lead.title for lead in tenders] == ["Making Tax Digital for VAT (MTDfV)"]
    assert tenders[0].stages.startswith("vergeben 04/2020 an ")


def test_ted_export_contest_and_its_result_share_a_lead_that_keeps_the_first_id(gemeinden: Engine) -> None:
    ranking = ranked(gemeinden, *CONTEST)
    (lead,) = ranking.select("tender", include_excluded=True)
    assert lead.lead_id == "tender:ted-export:360772-2018"  # the contest notice, the first one
    assert lead.title.startswith("Nichtoffener Realisierungswettbewerb")
    assert lead.stages.startswith("Ausschreibung 08/2018 · vergeben 07/2019 an sander hofrichter")
    assert lead.stages in lead.reason
    assert ranking.find("tender:ted-export:333997-2019") is not None  # the newest finds it too


def test_a_new_stage_is_reported_once_not_as_a_new_lead(gemeinden: Engine) -> None:
    def digest_of(ranking: Ranking) -> mail.Digest:  # the procedure's lead alone, whatever its score
        (found,) = ranking.select("tender", include_excluded=True)
        fitting = [Component("text", 1.0, "Begriffe: Wettbewerb"), *found.components[1:]]
        lead = dataclasses.replace(found, components=fitting, score=1.0, excluded="")
        return mail.build(
            gemeinden, "Offene Verwaltung eG", str(PROFILE), "team@example.org", Ranking.of([lead])
        )

    first = digest_of(ranked(gemeinden, CONTEST[0]))
    assert [item.lead_id for item in first.items] == ["tender:ted-export:360772-2018"]
    mail.mark_sent(gemeinden, first, "team@example.org", NOW)
    after = digest_of(ranked(gemeinden, CONTEST[1]))  # the result of the contest arrives
    assert [(s.title, [i.lead_id for i in s.entries]) for s in after.sections] == [
        ("Geändert (Frist verschoben, Berichtigung)", ["tender:ted-export:360772-2018"])
    ]
    mail.mark_sent(gemeinden, after, "team@example.org", NOW)
    assert digest_of(ranked(gemeinden, *CONTEST)).items == []


def keys(**columns: list) -> NoticeKeys:  # type: ignore[type-arg]
    n = len(columns["source_id"])
    blank = {f: [""] * n for f in NoticeKeys.__dataclass_fields__}
    blank.update(winners=["[]"] * n, previous_notices=["[]"] * n)
    return NoticeKeys(**{**blank, **columns})


def test_pin_contract_notice_award_and_modification_chain() -> None:
    chain = keys(
        source_id=["pin", "cn", "can", "mod", "other"],
        publication_number=["100-2024", "00000200-2024", "300-2024", "400-2024", "500-2024"],
        previous_notices=["[]", '["100-2024"]', '["00000200-2024"]', '["300-2024"]', "[]"],
        stage=["vorinformation", "ausschreibung", "vergeben", "aenderung", "ausschreibung"],
        publication_date=["2024-03-01", "2024-05-02", "2024-09-10", "2025-01-15", "2024-06-01"],
        winners=["[]", "[]", '[{"name": "Muster GmbH", "town": "Ulm", "country": "DEU"}]', "[]", "[]"],
    )
    procedures = group(chain)
    assert sorted(zip(procedures.first, procedures.newest, strict=True)) == [(0, 3), (4, 4)]
    line = procedures.stages[procedures.first.index(0)]
    assert line == (
        "Vorinformation 03/2024 · Ausschreibung 05/2024 · vergeben 09/2024 an Muster GmbH · geändert 01/2025"
    )


def test_one_procedure_id_groups_only_at_the_same_buyer() -> None:
    shared_id = keys(
        source_id=["a", "b", "c"],
        procedure_id=["p-1", "p-1", "p-1"],
        buyer_name=["Stadt Ulm", "STADT ULM", "Landkreis Passau"],
        title=["Schulbuchausleihe", "Schulbuchausleihe 2024", "Reinigung"],
        stage=["ausschreibung", "vergeben", "ausschreibung"],
        publication_date=["2024-01-01", "2024-02-01", "2024-01-05"],
    )
    assert sorted(group(shared_id).newest) == [1, 2]
