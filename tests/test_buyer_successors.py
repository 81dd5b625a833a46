"""A tender buyer that names a merged Gemeinde links to its successor (Gebietsänderungen).

None of the 493 real German notices (tests/data/buyer_kommunen.csv), nor any other recorded tender
under ../shared/data/tenders, names a Gemeinde that Gebietsaenderungen_2024.xlsx or …2025 lists as
dissolved (checked with grep for each old name). So the notices below are real ones with the buyer's
name, town and postal code replaced by a merged Gemeinde's, read from Gebietsaenderungen_2024.xlsx:
row 42 Sülzfeld 16066073 → Meiningen, Stadt 16066042; row 39 Berga/Elster, Stadt 16076004 →
Berga-Wünschendorf, Stadt 16076094 (both 01.01.2024). zuordnung_plz_ort_landkreis.csv still gives
their postal codes to the old AGS: 98617 Sülzfeld 16066073, 07980 Berga/Elster 16076004; the 2024
directory has a Gemeinde Berga 15087055 (Mansfeld-Südharz, PLZ 06536) as well.
"""

from __future__ import annotations

import csv
import dataclasses

import pytest
from sqlalchemy import Engine

from kommunen.collect.imports import import_derived
from kommunen.places.linking import Directory, kommune_of, link_buyers
from kommunen.store.db import session_scope
from scrapers.notice_files import parse_notice
from tests.conftest import fresh_engine, import_shared
from tests.recorded import SHARED, recorded
from tests.test_buyer_linking import LABELS

# Stadt Salzgitter, a real notice whose buyer is a Gemeinde (buyer_kommunen.csv: 03102000)
NOTICE = "tenders/ted-r209-de/020008-2017.xml"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("successors"))
    import_shared(engine)
    with session_scope(engine) as session:
        import_derived(session, SHARED)
    return engine


@pytest.fixture(scope="module")
def directory(db: Engine) -> Directory:
    with session_scope(db) as session:
        return Directory.load(session)


@pytest.mark.parametrize(
    ("name", "city", "plz", "key"),
    [
        ("Gemeinde Sülzfeld", "Sülzfeld", "98617", "16066042"),  # now part of Meiningen
        ("Gemeindeverwaltung", "Sülzfeld", "98617", "16066042"),  # the town says which
        ("Stadt Berga/Elster", "Berga/Elster", "07980", "16076094"),  # not Berga in Sachsen-Anhalt
        ("Stadt Berga", "Berga", "06536", "15087055"),  # the current Berga keeps its own buyers
        ("Stadt Meiningen", "Meiningen", "98617", "16066042"),
    ],
)
def test_merged_gemeinde_is_its_successor(
    directory: Directory, name: str, city: str, plz: str, key: str
) -> None:
    assert kommune_of(name, city, plz, "", directory) == key


def test_real_notice_with_a_merged_buyer(db: Engine) -> None:
    notice = parse_notice(recorded(NOTICE))
    assert (notice.buyer_name, notice.buyer_postal_code) == ("Stadt Salzgitter", "38226")
    merged = dataclasses.replace(
        notice, buyer_name="Gemeinde Sülzfeld", buyer_city="Sülzfeld", buyer_postal_code="98617"
    )
    with session_scope(db) as session:
        links = link_buyers(session, [notice, merged])
    assert links == {notice.source_id: "03102000"} | {merged.source_id: "16066042"}


def test_labelled_notices_link_as_well_with_the_changes_loaded(db: Engine) -> None:
    """tests/test_buyer_linking.py's figures (137 of 140 right, none wrong) with Gebietsänderungen stored."""
    with LABELS.open(encoding="utf-8") as file:
        labels = list(csv.DictReader(file))
    notices = {row["notice"]: parse_notice(recorded(row["notice"])) for row in labels}
    with session_scope(db) as session:
        links = link_buyers(session, list(notices.values()))
    kommunen = [row for row in labels if row["key"]]
    right = [row for row in kommunen if links.get(notices[row["notice"]].source_id) == row["key"]]
    wrong = [
        row["notice"]
        for row in labels
        if notices[row["notice"]].source_id in links and links[notices[row["notice"]].source_id] != row["key"]
    ]
    assert (len(kommunen), len(right), wrong) == (140, 137, [])
