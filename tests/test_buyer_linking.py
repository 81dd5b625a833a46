"""Buyer → Kommune on every real German notice, against a hand-made list (tests/data/buyer_kommunen.csv).

The list names, for each of the 493 notices, whether its buyer is a Gemeinde (AGS), a Kreis
(5 digits), a Gemeindeverband or none, with the key found by hand in the Gemeindeverzeichnis
31.12.2024. Targets: ≥ 95 % of the Kommunen linked right, ≤ 1 % of all buyers linked wrong,
no Landkreis linked to its Kreisstadt.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kommunen.collect.imports import PLZ_FILE, import_gemeindeverzeichnis, read_document
from kommunen.places.linking import Directory, kommune_of, link_buyers
from kommunen.store.db import make_engine, session_scope, upgrade
from scrapers.notice_files import parse_notice
from tests.recorded import SHARED, recorded

LABELS = Path(__file__).with_name("data") / "buyer_kommunen.csv"
GV_2024 = SHARED / "gemeinden/AuszugGV4QAktuell_2024.xlsx"


@pytest.fixture(scope="module")
def directory_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('linking') / 'k.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        import_gemeindeverzeichnis(session, [read_document(GV_2024), read_document(SHARED / PLZ_FILE)])
    return engine


@pytest.fixture(scope="module")
def directory(directory_engine: Engine) -> Directory:
    with session_scope(directory_engine) as session:
        return Directory.load(session)


def test_every_municipal_buyer_of_the_real_notices(directory_engine: Engine) -> None:
    with LABELS.open(encoding="utf-8") as file:
        labels = list(csv.DictReader(file))
    assert len(labels) == 493
    notices = {row["notice"]: parse_notice(recorded(row["notice"])) for row in labels}
    with session_scope(directory_engine) as session:
        links = link_buyers(session, list(notices.values()))
    kommunen = [row for row in labels if row["key"]]
    right = [row for row in kommunen if links.get(notices[row["notice"]].source_id) == row["key"]]
    wrong = [
        (row["notice"], links[notices[row["notice"]].source_id], row["key"])
        for row in labels
        if notices[row["notice"]].source_id in links and links[notices[row["notice"]].source_id] != row["key"]
    ]
    print(f"\nKommunen {len(kommunen)}: richtig {len(right)} ({len(right) / len(kommunen):.1%}), "
          f"falsch {len(wrong)} von {len(labels)} ({len(wrong) / len(labels):.1%})")  # fmt: skip
    assert len(kommunen) == 140
    assert len(right) / len(kommunen) >= 0.95
    assert len(wrong) / len(labels) <= 0.01, wrong
    kreise = [row for row in kommunen if row["kind"] == "kreis"]
    assert all(
        len(links.get(notices[r["notice"]].source_id, "")) != 8 for r in kreise
    )  # never the Kreisstadt


@pytest.mark.parametrize(
    ("name", "city", "plz", "legal", "key"),
    [
        ("Stadt Gronau (Westf.)", "Gronau", "48599", "", "05554020"),
        ("Stadt Gronau", "Gronau", "31028", "", "03254043"),  # Gronau (Leine), by its postal code
        ("Stadt Gronau", "", "", "", ""),  # two Städte Gronau and nothing to tell them apart
        ("Landkreis Passau", "Passau", "94032", "", "09275"),  # not the kreisfreie Stadt Passau
        ("Stadt Passau", "Passau", "94032", "", "09262000"),
        ("Bezirksamt Treptow-Köpenick von Berlin", "Berlin", "12487", "", "11000000"),
        ("Stadt Reinbek", "Reinbek", "21465", "", "01062060"),
        ("Universitätsstadt Siegen", "Siegen", "57072", "", "05970040"),
        ("Region Hannover", "Hannover", "30625", "", "03241"),
        ("Zweckverband Abfallwirtschaft Region Hannover", "Hannover", "30625", "", ""),
        ("Stadtwerke Gronau GmbH", "Gronau", "48599", "", ""),
        ("Bezirk Oberbayern", "München", "80535", "", ""),
        ("Land Berlin, Senatsverwaltung für Bildung", "Berlin", "10178", "", ""),
        ("Amt Hüttener Berge", "Ascheffel", "24358", "", ""),
        ("Gemeinde Gribow über Amt Züssow", "Züssow", "17495", "", "13075040"),
        (
            "Zentrale Vergabestelle des Landkreises Darmstadt-Dieburg für den Landkreis Bergstraße",
            "Darmstadt",
            "64289",
            "",
            "06431",
        ),
    ],
)
def test_names_of_kommunen_and_of_what_is_none(
    directory: Directory, name: str, city: str, plz: str, legal: str, key: str
) -> None:
    assert kommune_of(name, city, plz, legal, directory) == key
