"""`kommunen import-notices` on every real notice folder: folders, ZIP exports, TED .tar.gz packages.

Each folder's files are stored or rejected with a true reason; values checked by reading the XML.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from kommunen.collect.pipeline import run_source
from kommunen.store.db import session_scope
from kommunen.store.models import Tender
from scrapers.base import RawDocument
from scrapers.notice_files import NoticeFiles
from scrapers.oeffentlichevergabe import Oeffentlichevergabe, split_export
from scrapers.records import Stage, Winner
from tests.recorded import FETCHED_AT, SHARED

TENDERS = SHARED / "tenders"
CEST = timezone(timedelta(hours=2))


def import_paths(engine: Engine, *paths: Path):  # type: ignore[no-untyped-def]
    return run_source(engine, NoticeFiles(list(paths)), None, clock=lambda: FETCHED_AT)  # type: ignore[arg-type]


def stored(engine: Engine, source: str) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Tender).where(Tender.source == source)) or 0


@pytest.mark.parametrize(
    ("folder", "source", "count"),
    [
        ("ted-r209-de", "ted-export", 369),
        ("ted-r209-de-converter", "ted-export", 5),
        ("ted-eforms-de", "eforms", 114),
        ("bekanntmachungsservice-eforms", "eforms", 5),
    ],
)
def test_every_real_german_notice_is_stored(engine: Engine, folder: str, source: str, count: int) -> None:
    summary = import_paths(engine, TENDERS / folder)
    assert (summary.documents, summary.counts.new, summary.errors) == (count, count, [])
    assert stored(engine, source) == count
    again = import_paths(engine, TENDERS / folder)  # re-running never duplicates
    assert (again.counts.new, again.counts.changed, again.counts.unchanged) == (0, 0, count)
    assert stored(engine, source) == count


def test_sdk_examples_stored_or_rejected_with_their_reason(engine: Engine) -> None:
    summary = import_paths(engine, TENDERS / "eforms")
    rejected = {Path(url).name: message for url, _, message in summary.errors}
    invalid = {name for name in rejected if name.startswith("INVALID_")}
    assert {rejected[n] for n in invalid} == {"keine Bekanntmachungs-ID (BT-701)"}
    assert len(invalid) == 10
    assert rejected["X01_EEIG.xml"].endswith("ist keine Vergabe (brin-eeig)")
    assert rejected["X02_registration.xml"].endswith("ist keine Vergabe (brin-ecs)")
    assert len(rejected) == 12
    # two SDK examples share a notice id, so one of them updates the other
    assert summary.documents == summary.counts.new + summary.counts.changed + summary.counts.unchanged + 12


def test_a_ted_package_tar_gz_with_a_nested_daily_package(engine: Engine, tmp_path: Path) -> None:
    daily = io.BytesIO()
    with tarfile.open(fileobj=daily, mode="w:gz") as tar:
        tar.add(TENDERS / "ted-r209-de/000053-2020.xml", arcname="20200102/000053-2020.xml")
    package = tmp_path / "2020-01.tar.gz"
    with tarfile.open(package, mode="w:gz") as tar:
        tar.add(TENDERS / "ted-r209-de/013897-2017.xml", arcname="2017/013897-2017.xml")
        info = tarfile.TarInfo("20200102.tar.gz")
        info.size = len(daily.getvalue())
        tar.addfile(info, io.BytesIO(daily.getvalue()))
        broken = tarfile.TarInfo("kaputt.xml")
        broken.size = 9
        tar.addfile(broken, io.BytesIO(b"<TED_EXP "))
    summary = import_paths(engine, package)
    assert (summary.documents, summary.counts.new) == (3, 2)
    assert [(url.rsplit("#", 1)[1], stage) for url, stage, _ in summary.errors] == [("kaputt.xml", "parse")]
    with session_scope(engine) as session:
        jena = session.get_one(Tender, ("ted-export", "000053-2020"))
        assert jena.source_url.endswith("2020-01.tar.gz#20200102.tar.gz#20200102/000053-2020.xml")
        assert jena.winners == [{"name": "OVA Camburg", "town": "Camburg", "country": "DEU"}]
        assert jena.stage == "vergeben"


def test_a_bekanntmachungsservice_export_zip_built_from_the_real_notices() -> None:
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        for path in sorted((TENDERS / "bekanntmachungsservice-eforms").glob("*.xml")):
            archive.write(path, path.name)
    export = RawDocument(
        url="https://oeffentlichevergabe.de/api/notice-exports?pubDay=2026-07-17",
        body=body.getvalue(),
        fetched_at=FETCHED_AT,
    )
    source = Oeffentlichevergabe()
    notices = {n.source_id: n for doc in split_export(export) for n in source.parse(doc)}
    assert len(notices) == 5
    volkach = notices["25599482"]  # legacy channel: buyer as one free-text line, no XML declaration
    assert (volkach.buyer_name, volkach.buyer_postal_code, volkach.buyer_city) == (
        "VGem Volkach",
        "97332",
        "Volkach",
    )
    assert (volkach.buyer_email, volkach.buyer_department) == (
        "bauamt@volkach.de",
        "",
    )  # no "E-Mail: bauamt@…"
    assert volkach.title == "Lose Möblierung"
    assert volkach.procedure_type == "de-restricted-wo-call"
    assert volkach.submission_deadline == datetime(2026, 8, 13, 0, 0, tzinfo=CEST)
    pinneberg = notices["19191760"]
    assert (pinneberg.buyer_name, pinneberg.buyer_department) == (
        "Kreis Pinneberg",
        "Fachdienst Recht, Zentrale Vergabestelle",
    )
    assert pinneberg.cpv_main == "79000000"  # "79000000-4" with check digit
    assert pinneberg.stage is Stage.RESULT
    assert pinneberg.winners == ()
    elbe = notices["15063f7d-0f02-42f6-960a-96e35c9cc374"]  # eForms-DE 2.1 award
    assert elbe.title == "Instandsetzung Schubschiff Flamingo"
    assert elbe.winners == (Winner("Werft Malz", "Malz", "DEU"),)
    assert elbe.awarded_value == 361_060.5
    goerlitz = notices["7d69b0f7-2605-448f-9495-676458dcddc2"]  # eForms-DE 1.1 contract notice
    assert (goerlitz.buyer_name, goerlitz.cpv_main) == ("Städtisches Klinikum Görlitz gGmbH", "45310000")
    assert goerlitz.submission_deadline == datetime(2024, 4, 2, 10, 0, tzinfo=CEST)
    see = notices["427d4645-163c-419d-93a9-5f5ce05ff9b7"]  # UUID ids, cbc:/cac: prefixes
    assert see.title == "Rahmenszenar See 2040 (6002397632-PlgABw)"
    assert see.buyer_name == "Planungsamt der Bundeswehr"


def test_ted_eforms_award_names_its_winner() -> None:
    from scrapers.eforms import parse_notice
    from tests.recorded import recorded

    lindau = parse_notice(recorded("tenders/ted-eforms-de/182323-2024.xml"))
    assert lindau.buyer_name == "Landkreis Lindau"
    assert lindau.winners == (Winner("ciSio GmbH", "Nürnberg", "DEU"),)
    assert lindau.stage is Stage.RESULT
    dortmund = parse_notice(recorded("tenders/ted-eforms-de/657671-2024.xml"))
    assert dortmund.title == "Rahmenvertrag Dolmetscherleistungen Jugendamt"
    assert dortmund.cpv_main == "79540000"
    assert dortmund.submission_deadline == datetime(2024, 12, 4, 20, 0, tzinfo=timezone(timedelta(hours=1)))
    assert dortmund.seen_at == FETCHED_AT
    assert dortmund.submission_deadline.astimezone(UTC).hour == 19


def test_a_notice_changed_back_is_read_again(engine: Engine, tmp_path: Path) -> None:
    """A file that is A, then B, then A again holds A's values: A's old archived copy does not make
    the third import "unverändert"."""
    path = tmp_path / "000053-2020.xml"
    real = (TENDERS / "ted-r209-de/000053-2020.xml").read_bytes()
    edited = real.replace(b"<P>Elektroarbeiten Studentenwohnhaus", b"<P>Elektroarbeiten Wohnheim", 1)
    runs = []
    for body in (real, edited, real, real):
        path.write_bytes(body)
        summary = import_paths(engine, path)
        runs.append((summary.counts.new, summary.counts.changed, summary.counts.unchanged))
        with session_scope(engine) as session:
            (title,) = session.scalars(select(Tender.title)).all()
        assert title.startswith(
            "Elektroarbeiten Wohnheim" if body == edited else "Elektroarbeiten Studentenwohnhaus"
        )
    assert runs == [(1, 0, 0), (0, 1, 0), (0, 1, 0), (0, 0, 1)]
