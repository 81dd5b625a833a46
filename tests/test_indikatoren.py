"""INKAR indicators on the real parquet files: parsed, imported, shown and compared.

Expected values were read from the parquet files with pyarrow (not through scrapers/inkar.py):
inkar/sozialleistungen.parquet rows raumbezug "Kreise", kennziffer "08416000" (Tübingen) and
"09772000" (Augsburg), zeitbezug 2021/2022, and raumbezug "Gemeinden", kennziffer "08416041";
inkar_2022-12/oeffentliche_finanzen.parquet, region_id 7642 (Kreis 8416) and 12723
(Gemeindeverband 8416041) per inkar_2022-12/_regionen.parquet, columns x274 (Steuerkraft) and
x279 (Kommunale Schulden).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from kommunen.cli import app
from kommunen.collect.indikatoren import import_indikatoren
from kommunen.errors import DataFileError, LookupFailed
from kommunen.matching.kommune_leads import KommuneEvidence, KommuneLeads
from kommunen.matching.profile import ProfileError, load_profile
from kommunen.matching.score import Matcher
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.indikatoren import Indikatoren, auswahl, catalog, fmt_number, resolve
from kommunen.store.db import session_scope
from kommunen.store.models import Indikator, IndikatorWert
from scrapers import inkar
from scrapers.errors import ParseError
from tests.conftest import fresh_engine, import_shared
from tests.recorded import SHARED

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
NEW = SHARED / "indikatoren" / "inkar"
OLD = SHARED / "indikatoren" / "inkar_2022-12"


def _file(path: Path) -> tuple[str, bytes]:
    return str(path), path.read_bytes()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The real directory and the real indicators, imported once into SQLite."""
    engine = fresh_engine("sqlite", tmp_path_factory.mktemp("indikatoren"))
    import_shared(engine)
    with session_scope(engine) as session:
        import_indikatoren(session, SHARED)
    return engine


def _value(engine: Engine, indikator: str, key: str) -> tuple[int, float]:
    with engine.connect() as conn:
        row = conn.execute(
            select(IndikatorWert.jahr, IndikatorWert.wert).where(
                IndikatorWert.indikator == indikator, IndikatorWert.key == key
            )
        ).one()
    return row.jahr, row.wert


# --- the parser -------------------------------------------------------------------------------


def test_newer_layout_latest_year_per_kreis_and_gemeinde() -> None:
    definitions = inkar.read_definitions(*_file(NEW / "_indikatoren.parquet"))
    series = inkar.read_bereich_new(*_file(NEW / "sozialleistungen.parquet"), definitions)
    by = {
        (s.indikator, s.ebene): dict(zip(s.keys, zip(s.jahre, s.werte, strict=True), strict=True))
        for s in series
    }
    # 2022 has no SGB II quota for Kreise, so 2021's is the latest
    assert by[("q_SGBII", "kreis")]["08416"] == (2021, 3.43)
    assert by[("q_asyl_bev", "kreis")]["09772"] == (2021, 4.67)
    assert by[("q_PBG_bev", "gemeinde")]["08416041"] == (2022, 34.13)
    assert len(by[("q_SGBII", "kreis")]) == 400
    assert ("q_SGBII", "gemeinde") not in by  # INKAR gives the quota for Kreise only
    assert definitions["q_SGBII"].kurzname == "SGB II - Quote"
    assert definitions["q_SGBII"].einheit == "%"
    assert definitions["q_asyl_bev"].einheit == "je 1.000 Einwohner"


def test_older_layout_is_taken_over_under_the_newer_keys() -> None:
    snapshots = [
        inkar.Snapshot(_file(NEW / "_indikatoren.parquet"), None, (_file(NEW / "sozialleistungen.parquet"),)),
        inkar.Snapshot(
            _file(OLD / "_indikatoren.parquet"),
            _file(OLD / "_regionen.parquet"),
            (_file(OLD / "oeffentliche_finanzen.parquet"),),
        ),
    ]
    definitions, series = inkar.parse_snapshots(snapshots)
    by = {
        (s.indikator, s.ebene): dict(zip(s.keys, zip(s.jahre, s.werte, strict=True), strict=True))
        for s in series
    }
    # x279 "Kommunale Schulden" of the older build is q_gemschuld_bev of the newer list
    assert by[("q_gemschuld_bev", "kreis")]["08416"] == (2019, 640.4)
    # Gemeindeverband 8416041 (3-digit Verband part) is ARS 084160041
    assert by[("q_gest_bev", "verband")]["084160041"] == (2019, pytest.approx(1020.85))
    assert definitions["q_gemschuld_bev"].einheit == "€ je Einwohner"
    assert not any(key.startswith("x2") for key in definitions if key in {"x274", "x279"})


def test_units_from_the_long_names() -> None:
    assert inkar.einheit("Kommunale Schulden in € je Einwohner") == "€ je Einwohner"
    assert inkar.einheit("Pflegebedürftige je 100 Einwohner") == "je 100 Einwohner"
    assert inkar.einheit("Studierende je 100 Einwohner von 18 bis unter 25 Jahren in %") == "%"
    assert inkar.einheit("Bevölkerungsanteil, der in Mittelzentren und möglichen Mittelzentren lebt") == "%"
    assert inkar.einheit("Einwohner je km²") == "Einwohner je km²"
    assert inkar.einheit("Durchschn. Pkw-Fahrzeit zum nächsten Oberzentrum in Minuten") == "Minuten"
    assert inkar.einheit("Durchschnittliche Zahl der Übernachtungen in Beherbergungsbetrieben") == ""


def test_year_ranges_count_by_their_last_year() -> None:
    assert inkar._year("2016/2017/2018") == 2018
    assert inkar._year("2021") == 2021


def test_broken_parquet_is_a_parse_error_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "sozialleistungen.parquet"
    broken.write_bytes((NEW / "sozialleistungen.parquet").read_bytes()[:5000])
    with pytest.raises(ParseError, match=r"sozialleistungen\.parquet: keine lesbare Parquet-Datei"):
        inkar.read_bereich_new(str(broken), broken.read_bytes(), ["q_SGBII"])


# --- the import -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_import_then_unchanged_files_are_skipped(backend: str, tmp_path: Path) -> None:
    engine = fresh_engine(backend, tmp_path)
    with session_scope(engine) as session:  # its speed: benchmarks/similar.py
        first = import_indikatoren(session, SHARED)
    assert first.indikatoren == 188
    assert first.werte > 500_000
    assert _value(engine, "q_SGBII", "08416") == (2021, 3.43)
    assert _value(engine, "q_gest_bev", "084160041")[0] == 2019

    with session_scope(engine) as session:
        again = import_indikatoren(session, SHARED)
    assert again.skipped
    assert not again.werte
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(IndikatorWert)) == first.werte
        assert conn.scalar(select(func.count()).select_from(Indikator)) == 188
    engine.dispose()


def _data_dir_with_broken(tmp_path: Path) -> Path:
    """A data directory with the real INKAR files, but sozialleistungen.parquet cut short."""
    target = tmp_path / "data" / "indikatoren"
    shutil.copytree(SHARED / "indikatoren" / "inkar", target / "inkar")
    shutil.copytree(SHARED / "indikatoren" / "inkar_2022-12", target / "inkar_2022-12")
    broken = target / "inkar" / "sozialleistungen.parquet"
    broken.chmod(0o644)
    broken.write_bytes(broken.read_bytes()[:5000])
    return tmp_path / "data"


def test_broken_file_is_one_german_line_and_keeps_the_previous_import(tmp_path: Path) -> None:
    engine = fresh_engine("sqlite", tmp_path)
    with session_scope(engine) as session:
        stored = import_indikatoren(session, SHARED).werte
    data_dir = _data_dir_with_broken(tmp_path)
    with pytest.raises(DataFileError) as error, session_scope(engine) as session:
        import_indikatoren(session, data_dir)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(
        f"{data_dir}/indikatoren/inkar/sozialleistungen.parquet: keine lesbare Parquet-Datei"
    )
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(IndikatorWert)) == stored
    assert _value(engine, "q_SGBII", "08416") == (2021, 3.43)


def test_broken_file_into_an_empty_database_stores_nothing(tmp_path: Path) -> None:
    engine = fresh_engine("sqlite", tmp_path)
    with pytest.raises(DataFileError), session_scope(engine) as session:
        import_indikatoren(session, _data_dir_with_broken(tmp_path))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Indikator)) == 0
        assert conn.scalar(select(func.count()).select_from(IndikatorWert)) == 0


def test_without_inkar_files_nothing_happens(tmp_path: Path) -> None:
    engine = fresh_engine("sqlite", tmp_path)
    with session_scope(engine) as session:
        assert import_indikatoren(session, tmp_path).missing


# --- the selection and the comparison -------------------------------------------------------------


def test_kreis_selection_and_comparison(db: Engine) -> None:
    with db.connect() as conn:
        merkmale = {m.key: m for m in auswahl(conn, "09772")}
    asyl = merkmale["q_asyl_bev"]
    assert asyl.text == "Asylbewerber: 4,7 je 1.000 Einwohner (2021)"
    # 227 of the other 399 Kreise had fewer than Augsburg's 4.67 in 2021 (56.9 %), 171 more
    assert asyl.vergleich == "mehr als in 56 % der Kreise"
    assert asyl.kurz == "Asylbewerber 4,7 je 1.000 Einwohner – mehr als in 56 % der Kreise"
    assert merkmale["q_SGBII"].text == "SGB-II-Quote: 2,8 % (2021)"
    assert 6 <= len(merkmale) <= 10


def test_gemeinde_uses_its_own_then_its_verbands_then_its_kreis_value(db: Engine) -> None:
    with db.connect() as conn:
        merkmale = {m.key: m for m in auswahl(conn, "08416041")}
    own = merkmale["q_PBG_bev"]
    assert (own.wert, own.jahr, own.ebene, own.eigen) == (34.13, 2022, "gemeinde", True)
    assert own.vergleich.endswith("% der Gemeinden")
    # Tübingen is its own Gemeindeverband (084160041): its Steuerkraft is its own
    steuer = merkmale["q_gest_bev"]
    assert (steuer.ebene, steuer.eigen, steuer.jahr) == ("verband", True, 2019)
    assert steuer.text == "Steuerkraft: 1.021 € je Einwohner (2019)"
    sgb = merkmale["q_SGBII"]
    assert (sgb.ebene, sgb.eigen) == ("kreis", False)
    assert sgb.text == "SGB-II-Quote: 3,4 % (2021, Wert des Kreises)"
    assert sgb.vergleich.endswith("% der Kreise")


def test_extremes_say_so(db: Engine) -> None:
    with db.connect() as conn:
        werte = Indikatoren(conn, ["q_asyl_bev"])
        trier = werte.merkmal("q_asyl_bev", "07211")  # 33.6 per 1,000 in 2021: the most of all Kreise
    assert trier is not None
    assert trier.vergleich == "höchster Wert aller Kreise"


def test_a_key_of_neither_kind_is_refused(db: Engine) -> None:
    with db.connect() as conn, pytest.raises(LookupFailed, match="weder ein Kreisschlüssel"):
        auswahl(conn, "0841")


def test_numbers_are_german() -> None:
    assert fmt_number(1487.82) == "1.488"
    assert fmt_number(14.08) == "14,1"
    assert fmt_number(0.554) == "0,55"


def test_names_resolve_without_regard_to_case_and_spelling(db: Engine) -> None:
    with db.connect() as conn:
        names = catalog(conn)
    assert resolve("sgb-ii-quote", names) == "q_SGBII"
    assert resolve("SGB II - Quote", names) == "q_SGBII"
    assert resolve("ASYLBEWERBER", names) == "q_asyl_bev"
    assert resolve("kommunale schulden", names) == "q_gemschuld_bev"
    assert resolve("Straßenverkehrsunfälle", names) == resolve("strassenverkehrsunfaelle", names)
    with pytest.raises(LookupFailed, match=r"Merkmal 'Asylbewerbr' unbekannt; meinten Sie Asylbewerber\?"):
        resolve("Asylbewerbr", names)


# --- [bedarf] in a profile and in Kommune leads -------------------------------------------------------


def _bedarf_profile(tmp_path: Path, bedarf: str) -> Path:
    path = tmp_path / "profil.toml"
    path.write_text(
        'name = "Test"\n\n[begriffe]\nIntegration = 1.0\n\n'
        '[zielkommunen]\nreferenzen = ["Landkreis Tübingen"]\narten = ["kreis"]\n\n'
        f"[bedarf]\n{bedarf}\n"
    )
    return path


def test_profile_bedarf_names_are_checked_with_file_and_line(db: Engine, tmp_path: Path) -> None:
    with session_scope(db) as session:
        index = GemeindeIndex(session)
    good = load_profile(_bedarf_profile(tmp_path, 'merkmale = ["asylbewerber", "SGB II - Quote"]'), index)
    assert good.bedarf == ("asylbewerber", "SGB II - Quote")
    path = _bedarf_profile(
        tmp_path, 'merkmale = ["Asylbewerber"]\nniedrig = ["Kita Betreuung unter 3 Jahre"]'
    )
    with pytest.raises(ProfileError) as error:
        load_profile(path, index)
    assert str(error.value) == (
        f"{path}:12: bedarf.niedrig: Merkmal 'Kita Betreuung unter 3 Jahre' unbekannt; "
        "meinten Sie Kita-Betreuung unter 3 Jahren?"
    )


def test_kommune_lead_cites_its_need_with_the_comparison(db: Engine, tmp_path: Path) -> None:
    with session_scope(db) as session:
        index = GemeindeIndex(session)
    plain = load_profile(_bedarf_profile(tmp_path, ""), index)
    needy = load_profile(_bedarf_profile(tmp_path, 'merkmale = ["Asylbewerber"]'), index)
    before = {
        lead.ref: lead for lead in KommuneLeads(Matcher(plain, index, NOW), KommuneEvidence()).leads(500)
    }
    after = {
        lead.ref: lead for lead in KommuneLeads(Matcher(needy, index, NOW), KommuneEvidence()).leads(500)
    }
    augsburg = after["09772"]  # Landkreis Augsburg: 4.67 per 1,000 in 2021
    assert "Bedarf: Asylbewerber 4,7 je 1.000 Einwohner – mehr als in 56 % der Kreise" in augsburg.reason
    need = next(c for c in augsburg.components if c.name == "bedarf")
    assert need.value == pytest.approx(227 / 399)
    assert augsburg.score == pytest.approx(0.95 * before["09772"].score + 0.05 * 227 / 399, abs=1e-4)
    trier = after["07211"]  # the most asylum seekers per inhabitant of all Kreise
    assert "Asylbewerber 33,6 je 1.000 Einwohner – höchster Wert aller Kreise" in trier.reason


# --- the command line -------------------------------------------------------------------------------


def test_gemeinde_command_shows_the_selection(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNEN_DATABASE_URL", db.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(app, ["gemeinde", "Tübingen"])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    # 312 of the other 399 Kreise had a higher SGB II quota than Tübingen's 3.43 in 2021 (78.2 %)
    assert "SGB-II-Quote 3,4 % (2021, Wert des Kreises) – weniger als in 78 % der Kreise" in lines
    assert any(
        line.startswith("Personen in Bedarfsgemeinschaften 34,1 je 1.000 Einwohner (2022) – ")
        for line in lines
    )
    assert any(line.startswith("Quelle der Merkmale BBSR, INKAR") for line in lines)
