"""Import into SQLite and PostgreSQL: counts, idempotency, change detection; name lookup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from kommunen.collect.imports import import_gemeindeverzeichnis, read_document
from kommunen.errors import AmbiguousGemeinde, DataFileError, UnknownGemeinde
from kommunen.places.gemeinden import (
    GemeindeIndex,
    gemeinde_facts,
    land_key,
)
from kommunen.store.db import HEAD, MIGRATIONS, session_scope
from kommunen.store.models import Gemeinde
from scrapers.base import RawDocument
from tests.conftest import import_shared
from tests.recorded import FETCHED_AT, SHARED, recorded

CSV_2019 = "gemeinden/AuszugGV4QAktuell.csv"  # Gebietsstand 31.12.2019, no longer the default


def test_import_counts_and_values(engine: Engine) -> None:
    # AuszugGV4QAktuell_2024.xlsx (the default): 10,959 Gemeinden, 10,754 with people, 84,669,326
    # in all; Augsburg row: 146.85 km², 303,150; Kiel row: 248,873 (read with openpyxl)
    result = import_shared(engine)
    assert (result.gemeinden.new, result.plz.new, result.gebiete.new) == (10_959, 12_883, 5_053)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Gemeinde)) == 10_959
        assert session.scalar(select(func.count()).where(Gemeinde.einwohner > 0)) == 10_754
        assert session.scalar(select(func.sum(Gemeinde.einwohner))) == 84_669_326
        augsburg = session.get(Gemeinde, "09761000")
        assert augsburg is not None
        assert (augsburg.einwohner, augsburg.kurzname, augsburg.suchname) == (303_150, "Augsburg", "augsburg")
        assert augsburg.dichte == pytest.approx(303_150 / 146.85)
        assert augsburg.first_seen == FETCHED_AT
        facts = gemeinde_facts(session, "01002000")
        assert facts["Name"] == "Kiel, Landeshauptstadt"
        assert facts["Einwohner"] == 248_873
        assert "24103" in str(facts["PLZ"])
        assert "24159" in str(facts["PLZ"])
        assert (facts["Gebietsstand"], facts["Einwohner am"]) == ("31.12.2024", "31.12.2023")
        assert (
            facts["Quelle"]
            == "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis (AuszugGV4QAktuell_2024.xlsx)"
        )
        assert "Stand" not in facts
        assert "Gebietsänderung" not in facts  # Kiel has none after 31.12.2024


def test_the_2019_csv_still_imports_when_named(engine: Engine) -> None:
    with session_scope(engine) as session:
        result = import_gemeindeverzeichnis(session, [recorded(CSV_2019)])
        facts = gemeinde_facts(session, "09761000")
    assert result.gemeinden.new == 11_004
    assert facts["Einwohner"] == 296_582  # the 31.12.2019 directory's Augsburg
    # the 2019 CSV names no Gebietsstand; the import date is none either
    assert (facts["Gebietsstand"], facts["Einwohner am"]) == ("in der Datei nicht angegeben",) * 2
    assert facts["Quelle"] == (
        "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis (AuszugGV4QAktuell.csv)"
    )


def test_a_complete_newer_directory_removes_the_merged_gemeinden(engine: Engine) -> None:
    with session_scope(engine) as session:
        import_gemeindeverzeichnis(session, [recorded(CSV_2019)])
    result = import_shared(engine)
    # 52 AGS of 2019 are not in the 2024 file, 7 of 2024 were not in 2019 (compared the two files' AGS)
    assert (result.removed, result.gemeinden.new) == (52, 7)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Gemeinde)) == 10_959
        assert session.get(Gemeinde, "16056000") is None  # Eisenach, part of the Wartburgkreis since 2021


def test_second_import_changes_nothing_and_a_change_updates_in_place(engine: Engine) -> None:
    csv_2019 = [recorded(CSV_2019)]
    with session_scope(engine) as session:
        import_gemeindeverzeichnis(session, csv_2019)
    with session_scope(engine) as session:
        again = import_gemeindeverzeichnis(session, csv_2019)
    assert (again.gemeinden.new, again.gemeinden.changed, again.gemeinden.unchanged) == (0, 0, 11_004)
    assert again.gebiete.new == 0
    assert again.removed == 0

    lines = (SHARED / CSV_2019).read_bytes().splitlines(keepends=True)
    changed = [line.replace(b" 90 164, 44 904", b" 90 200, 44 940") for line in lines]
    later = FETCHED_AT + timedelta(days=90)
    doc = RawDocument(url="AuszugGV1QAktuell.csv", body=b"".join(changed), fetched_at=later)
    with session_scope(engine) as session:
        result = import_gemeindeverzeichnis(session, [doc])
    assert (result.gemeinden.new, result.gemeinden.changed) == (0, 1)
    with session_scope(engine) as session:
        flensburg = session.get(Gemeinde, "01001000")
        assert flensburg is not None
        assert (flensburg.einwohner, flensburg.maennlich) == (90_200, 44_940)
        assert flensburg.first_seen == FETCHED_AT
        assert flensburg.last_changed == later


def test_bad_file_changes_nothing(engine: Engine) -> None:
    import_shared(engine)
    lines = (SHARED / CSV_2019).read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b"Flensburg", b"Flensburg-Neu")
    lines[9000] = lines[9000][:30] + b"\n"
    doc = RawDocument(url="kaputt.csv", body=b"".join(lines), fetched_at=FETCHED_AT + timedelta(days=1))
    with pytest.raises(DataFileError, match=r"kaputt\.csv: Zeile 9001"), session_scope(engine) as session:
        import_gemeindeverzeichnis(session, [doc])
    with session_scope(engine) as session:
        assert session.get(Gemeinde, "01001000").name == "Flensburg, Stadt"  # type: ignore[union-attr]


def test_missing_file_is_one_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataFileError, match=r"fehlt\.csv: Datei nicht lesbar"):
        read_document(tmp_path / "fehlt.csv")


def test_schema_head_and_sqlite_pragmas(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == HEAD
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    ("query", "ags"),
    [
        ("Augsburg", "09761000"),
        ("augsburg", "09761000"),
        ("Stadt Augsburg", "09761000"),
        ("TUEBINGEN", "08416041"),
        ("Tübingen, Universitätsstadt", "08416041"),
        ("Muenchen", "09162000"),
        ("Gießen", "06531005"),
        ("Giessen", "06531005"),
        ("Frankfurt am Main", "06412000"),
        ("09761000", "09761000"),
        ("72070", "08416041"),
    ],
)
def test_find_tolerates_case_umlauts_and_suffixes(index: GemeindeIndex, query: str, ags: str) -> None:
    assert index.ags[index.find(query)] == ags


def test_ambiguous_name_lists_candidates_with_kreis_and_land(index: GemeindeIndex) -> None:
    with pytest.raises(AmbiguousGemeinde) as info:
        index.find("Frankfurt")
    assert info.value.candidates == [
        "Frankfurt am Main, Stadt (Hessen) – AGS 06412000",
        "Frankfurt (Oder), Stadt (Brandenburg) – AGS 12053000",
    ]
    with pytest.raises(AmbiguousGemeinde, match=r"Halle.*Gütersloh, Nordrhein-Westfalen"):
        index.find("Halle")


def test_unknown_name_suggests(index: GemeindeIndex) -> None:
    with pytest.raises(UnknownGemeinde, match="Meinten Sie: Augsburg \\(Bayern\\) – AGS 09761000"):
        index.find("Augsbrug")
    with pytest.raises(UnknownGemeinde):
        index.find("99999999")


def test_land_key() -> None:
    assert [land_key(v) for v in ("BW", "Baden-Württemberg", "baden-wuerttemberg", "08", "8")] == ["08"] * 5
    with pytest.raises(Exception, match="Unbekanntes Land 'XY'"):
        land_key("XY")


def test_index_is_a_plain_snapshot(index: GemeindeIndex) -> None:
    assert len(index) == 10_754
    row = index.find("Kiel")
    assert index.einwohner[row] == 248_873
    assert index.kreis_name[str(index.kreis_key[row])] == "Kiel, Landeshauptstadt"
