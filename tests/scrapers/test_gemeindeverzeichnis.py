"""The Gemeindeverzeichnis parser on the real Destatis file (CSV, and the same rows as XLSX)."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from scrapers.base import RawDocument
from scrapers.errors import ParseError
from scrapers.gemeindeverzeichnis import Gemeindeverzeichnis, kurzname
from scrapers.records import GebietRecord, GemeindeRecord, PlzRecord
from tests.recorded import FETCHED_AT, SHARED, recorded

GV = "gemeinden/AuszugGV4QAktuell.csv"
PLZ = "gemeinden/zuordnung_plz_ort_landkreis.csv"


@pytest.fixture(scope="module")
def records() -> list:
    return list(Gemeindeverzeichnis().parse(recorded(GV)))


@pytest.fixture(scope="module")
def gemeinden(records: list) -> dict[str, GemeindeRecord]:
    return {r.ags: r for r in records if isinstance(r, GemeindeRecord)}


def test_counts_match_destatis(gemeinden: dict[str, GemeindeRecord]) -> None:
    assert len(gemeinden) == 11_004
    assert sum(1 for g in gemeinden.values() if g.einwohner) == 10_796
    assert sum(g.einwohner or 0 for g in gemeinden.values()) == 83_166_711


def test_augsburg(gemeinden: dict[str, GemeindeRecord]) -> None:
    g = gemeinden["09761000"]
    assert (g.name, g.kurzname, g.typ, g.textkennzeichen) == (
        "Augsburg",
        "Augsburg",
        "Kreisfreie Stadt",
        "61",
    )
    assert (g.einwohner, g.maennlich, g.weiblich) == (296_582, 146_222, 150_360)
    assert g.flaeche_km2 == pytest.approx(146.86)
    assert (g.laengengrad, g.breitengrad) == (pytest.approx(10.892578), pytest.approx(48.369696))
    assert (g.plz, g.reisegebiet, g.verstaedterung) == ("86150", "Bayerisch-Schwaben", 1)
    assert g.kreis_key == "09761"


def test_flensburg_thousands_separators_and_decimal_commas(gemeinden: dict[str, GemeindeRecord]) -> None:
    g = gemeinden["01001000"]
    assert (g.kurzname, g.einwohner, g.flaeche_km2) == ("Flensburg", 90_164, pytest.approx(53.02))
    assert (g.laengengrad, g.breitengrad) == (pytest.approx(9.43751), pytest.approx(54.78252))
    assert g.verstaedterung_label == "dicht besiedelt"


def test_kurzname_and_types(gemeinden: dict[str, GemeindeRecord]) -> None:
    tuebingen = gemeinden["08416041"]
    assert (tuebingen.name, tuebingen.kurzname) == ("Tübingen, Universitätsstadt", "Tübingen")
    assert (tuebingen.typ, tuebingen.einwohner, tuebingen.plz) == ("Große Kreisstadt", 91_506, "72070")
    marburg = gemeinden["06534014"]
    assert (marburg.kurzname, marburg.typ, marburg.einwohner) == ("Marburg", "Stadt", 77_129)
    assert marburg.verband_key == "065340014"
    dobitschen = gemeinden["16077003"]
    assert (dobitschen.typ, dobitschen.einwohner, dobitschen.verstaedterung) == (
        "Kreisangehörige Gemeinde",
        439,
        3,
    )


def test_uninhabited_gemeindefreies_gebiet(gemeinden: dict[str, GemeindeRecord]) -> None:
    g = gemeinden["01053105"]
    assert g.name == "Sachsenwald (Forstgutsbez.),gemfr.Geb."
    assert g.kurzname == "Sachsenwald (Forstgutsbez.)"
    assert (g.einwohner, g.plz, g.typ) == (0, "", "Gemeindefreies Gebiet, unbewohnt")
    assert g.dichte == 0


def test_higher_levels(records: list) -> None:
    gebiete = {r.key: r for r in records if isinstance(r, GebietRecord)}
    assert gebiete["01"].name == "Schleswig-Holstein"
    assert gebiete["01"].ebene == "land"
    assert (gebiete["01001"].ebene, gebiete["01001"].typ) == ("kreis", "Kreisfreie Stadt")
    assert (gebiete["10041"].name, gebiete["10041"].typ) == ("Regionalverband Saarbrücken", "Regionalverband")
    assert gebiete["0811"].name == "Region Stuttgart"
    assert gebiete["0811"].ebene == "region"
    assert gebiete["031"].name == "Statistische Region Braunschweig"
    assert (gebiete["160775052"].name, gebiete["160775052"].typ) == ("Schmölln, Stadt", "Erfüllende Gemeinde")
    assert sum(1 for g in gebiete.values() if g.ebene == "kreis") == 401
    assert all(r.seen_at == FETCHED_AT for r in records)


def test_same_rows_as_official_xlsx_layout(gemeinden: dict[str, GemeindeRecord]) -> None:
    """Destatis publishes XLSX: header block above, numbers as numeric cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Gemeindeverzeichnis-Informationssystem GV-ISys"])
    sheet.append(["Satzart", "Textkennzeichen", "Land", "RB", "Kreis", "VB", "Gem", "Gemeindename"])
    text = (SHARED / GV).read_text(encoding="utf-8-sig")
    for row in list(csv.reader(io.StringIO(text)))[1:40]:
        cells: list[object] = list(row)
        if row[0] == "60":
            cells[8] = float(row[8])
            cells[9:13] = [int(v.replace(" ", "")) for v in row[9:13]]
            cells[14:16] = [float(v.replace(",", ".")) for v in row[14:16]]
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    doc = RawDocument(url="AuszugGV4QAktuell.xlsx", body=buffer.getvalue(), fetched_at=FETCHED_AT)
    from_xlsx = {r.ags: r for r in Gemeindeverzeichnis().parse(doc) if isinstance(r, GemeindeRecord)}
    assert from_xlsx
    for ags, record in from_xlsx.items():
        assert record.einwohner == gemeinden[ags].einwohner
        assert record.laengengrad == pytest.approx(gemeinden[ags].laengengrad)
        assert record.name == gemeinden[ags].name
    assert from_xlsx["01001000"].einwohner == 90_164


def test_bad_row_names_file_and_row() -> None:
    lines = (SHARED / GV).read_bytes().splitlines(keepends=True)
    broken = lines[4].replace(b" 90 164", b" neunzig")
    doc = RawDocument(url="kaputt.csv", body=b"".join([*lines[:4], broken]), fetched_at=FETCHED_AT)
    with pytest.raises(ParseError, match=r"kaputt\.csv: Zeile 5: invalid literal") as info:
        list(Gemeindeverzeichnis().parse(doc))
    assert info.value.url == "kaputt.csv"


def test_truncated_row_and_broken_xlsx_are_clear() -> None:
    lines = (SHARED / GV).read_bytes().splitlines(keepends=True)
    doc = RawDocument(url="kurz.csv", body=b"".join([*lines[:4], lines[4][:40]]), fetched_at=FETCHED_AT)
    with pytest.raises(ParseError, match=r"Zeile 5: \d+ statt 20 Spalten"):
        list(Gemeindeverzeichnis().parse(doc))
    zip_garbage = RawDocument(url="x.xlsx", body=b"PK\x03\x04garbage", fetched_at=FETCHED_AT)
    with pytest.raises(ParseError, match="keine lesbare XLSX-Datei"):
        list(Gemeindeverzeichnis().parse(zip_garbage))


def test_plz_mapping() -> None:
    rows = list(Gemeindeverzeichnis().parse(recorded(PLZ)))
    assert len(rows) == 12_883
    assert rows[0] == PlzRecord(
        plz="78267", ags="08335001", ort="Aach", source_url=rows[0].source_url, seen_at=FETCHED_AT
    )
    assert {r.ags for r in rows if r.plz == "86150"} == {"09761000"}


def test_kurzname() -> None:
    assert kurzname("Frankfurt am Main, Stadt") == "Frankfurt am Main"
    assert kurzname("Halle (Saale), Stadt") == "Halle (Saale)"
    assert kurzname("Augsburg") == "Augsburg"


@pytest.mark.parametrize(
    ("file", "gebietsstand"),
    [("AuszugGV4QAktuell_2024.xlsx", date(2024, 12, 31)), ("31122023_Auszug_GV.xlsx", date(2023, 12, 31))],
)
def test_the_xlsx_says_its_gebietsstand_and_the_populations_date(file: str, gebietsstand: date) -> None:
    """Header rows of the real files: "Gebietsstand am 31.12.2024 (4. Quartal)" over the key
    columns, "31.12.2023 (Jahr)" over the population; both editions count Augsburg 303,150."""
    records = Gemeindeverzeichnis().parse(recorded(f"gemeinden/{file}"))
    found = {r.ags: r for r in records if isinstance(r, GemeindeRecord)}
    augsburg = found["09761000"]
    assert isinstance(augsburg, GemeindeRecord)
    assert (augsburg.kurzname, augsburg.einwohner) == ("Augsburg", 303_150)
    assert (augsburg.gebietsstand, augsburg.einwohner_stand) == (gebietsstand, date(2023, 12, 31))


def test_the_csv_names_no_gebietsstand(gemeinden: dict[str, GemeindeRecord]) -> None:
    assert (gemeinden["09761000"].gebietsstand, gemeinden["09761000"].einwohner_stand) == (None, None)
