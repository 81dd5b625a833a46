"""The matcher: German text handling on real phrases, profile validation, scores with reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kommunen.errors import KommunenError
from kommunen.matching.leads import rank, store_leads
from kommunen.matching.profile import ProfileError, load_profile
from kommunen.matching.score import Matcher
from kommunen.matching.text import Corpus, KeywordScorer, Phrases, count, fold, fold_ascii, stem
from kommunen.matching.topic import cpv_score
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.store.db import session_scope
from kommunen.store.models import LeadRow, Tender
from scrapers.base import RawDocument
from scrapers.codelists import EformsCodelists
from scrapers.eforms import parse_notice
from scrapers.errors import ParseError
from scrapers.notice_files import NoticeFiles
from tests.conftest import import_shared
from tests.recorded import SHARED, recorded

PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/integration.toml"
NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("Integration", "Integrationsmanagement für Geflüchtete"),
        ("Jugendbeteiligung", "Aufbau einer Jugendbeteiligungsplattform"),
        ("mehrsprachig", "Mehrsprachige Bürgerinformation"),
        ("Stadt", "Städte und Gemeinden"),
        ("Kommune", "für Kommunen in Bayern"),
        ("Sprachmittlung", "Sprachmittlungen für die Ausländerbehörde"),
        ("Dolmetschen", "Dolmetscherinnen und Dolmetscher"),
        # the real German title of cn_24_multilingual.xml:
        ("IT-Dienstleistungen", "Bereitstellung von IT-Dienstleistungen im Zusammenhang mit OP-IT-Systemen"),
        ("IT-Dienstleistung", "IT Dienstleistungen für Schulen"),
        ("E-Government", "Einführung von E-Government-Diensten"),
        ("Smart City", "Smart-City-Strategie der Stadt"),
    ],
)
def test_keywords_match_compounds_umlauts_and_plurals(keyword: str, text: str) -> None:
    found = KeywordScorer({keyword: 1.0}).score(text, "")
    assert found.matched == (keyword,)
    assert found.score > 0.3  # one word found once: a third of the way, more words say more


def test_a_mention_in_a_long_notice_weighs_less_than_in_a_short_one() -> None:
    long_body = parse_notice(recorded("tenders/eforms/pin-cfc_25.xml")).description  # ~600 real characters
    scorer = KeywordScorer({"Sprachmittlung": 1.0, "Brandschutz": 0.2})
    titles = ["Rahmenvertrag", "Rahmenvertrag", "Instandhaltung"]
    bodies = [f"{long_body} Zusätzlich Sprachmittlung.", "Sprachmittlung für die Ausländerbehörde", long_body]
    short, long = scorer.scores(scorer.fit(Corpus(titles, bodies)))[[1, 0]]
    assert short > long > 0  # BM25 length normalisation: one mention in many words says less


def test_short_keywords_match_whole_words_only() -> None:
    scorer = KeywordScorer({"App": 1.0})
    assert scorer.score("Neue App für Bürger", "").matched == ("App",)
    assert scorer.score("Apparate und Appell", "").matched == ()
    assert KeywordScorer({"IT-Dienstleistungen": 1.0}).score("Audit-Dienstleistungen", "").matched == ()
    assert stem("IT-Dienstleistungen") == "it dienstleist"


def test_folding_and_exclusions() -> None:
    assert stem("Städte") == "stadt"
    assert fold("Müll-Abfuhr, Straße") == "mull-abfuhr, strasse"
    exclusions = Phrases(["Straßenbau", "Gebäudereinigung"])
    assert exclusions.first_in(fold("Gebäudereinigung im Rathaus")) == "Gebäudereinigung"
    assert exclusions.first_in(fold("Reinigung von Gebäuden")) == ""
    assert exclusions.first_in(fold("Straßenbauarbeiten Los 2")) == "Straßenbau"


def test_fold_ascii_keeps_what_stems_can_match() -> None:
    assert fold_ascii("„Integration“ – Café für Bürger:innen") == " integration    cafe fur burger:innen"
    assert fold_ascii("Löschwasser") == "loschwasser"  # already ASCII after folding: unchanged


def _real_notices() -> list[tuple[str, str]]:
    found = []
    for path in sorted((SHARED / "tenders/eforms").glob("*.xml")):
        try:
            notice = parse_notice(RawDocument(url=path.name, body=path.read_bytes(), fetched_at=NOW))
        except ParseError:
            continue
        found.append((notice.title, " ".join((notice.description, *(lot.title for lot in notice.lots)))))
    return found


def test_corpus_counts_like_one_document_at_a_time() -> None:
    notices = _real_notices()
    corpus = Corpus([t for t, _ in notices], [b for _, b in notices])
    words = (
        "Wasser",
        "Brandschutztüren",
        "Bereitstellung",
        "IT",
        "Lot",
        "services",
        "IT-Dienstleistungen",
        "N-Lex",
    )
    for word in words:
        stemmed = stem(word)
        one_by_one = [2 * count(stemmed, fold_ascii(t)) + count(stemmed, fold_ascii(b)) for t, b in notices]
        assert corpus.counts(stemmed).tolist() == one_by_one, word
        assert sum(one_by_one) > 0, word  # each word occurs in the real notices
    titles = [t for t, _ in notices]
    veat = titles.index("Wasser-Konzessionsvertrag und Löschwasservereinbarung")
    assert corpus.counts("wasser")[veat] == 2 * 2 + 4  # twice in the title, twice each in description and lot


def test_corpus_survives_a_nul_inside_a_document() -> None:
    corpus = Corpus(["Sprach\x00mittlung", "Sprachmittlung für Städte"], ["", "Straße"])
    assert corpus.counts("sprachmittl").tolist() == [0, 2]
    assert corpus.counts("strass").tolist() == [0, 1]


def test_cpv_levels() -> None:
    assert cpv_score(["79540000"], ("79540000",)) == (1.0, "79540000")
    assert cpv_score(["85312400"], ("853",)) == (0.9, "85312400")  # inside a group the profile named
    assert cpv_score(["72230000"], ("72",)) == (0.8, "72230000")  # "all IT": broad, so weaker
    assert cpv_score(["72230000", "79530000"], ("72", "79530000")) == (1.0, "79530000")
    assert cpv_score(["79541000"], ("79540000",))[0] == 0.6  # same group
    assert cpv_score(["79110000"], ("79540000",))[0] == 0.3  # same division
    assert cpv_score(["45000000"], ("79540000",))[0] == 0.0


def test_profile_errors_name_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "profil.toml"
    bad.write_text(
        'name = "X"\n[begriffe]\nIntegration = 2\n"–" = 0.5\n[region]\nlaender = ["XY"]\nradius_km = 50\n'
        '[foerderung]\nrollen = ["allein"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    lines = str(info.value).splitlines()
    assert lines == [  # in the order of the file
        f"{bad}:2: begriffe: mindestens ein Begriff mit Gewicht, z. B. Integration = 1.0",
        f"{bad}:3: begriffe.Integration: Gewicht muss eine Zahl in (0, 1] sein, nicht 2",
        f"{bad}:4: begriffe.–: enthält keinen Buchstaben und keine Ziffer: trifft nie",
        f"{bad}:6: region.laender: Unbekanntes Land 'XY'; erlaubt: "
        "SH, HH, NI, HB, NW, HE, RP, BW, BY, SL, BE, BB, MV, SN, ST, TH",
        f"{bad}:7: region.radius_km: braucht region.heimat (die Gemeinde, um die der Radius liegt)",
        f"{bad}:9: foerderung.rollen: 'allein': erlaubt sind selbst, mit_kommune",
    ]
    secret = tmp_path / "geheim.toml"
    secret.write_text('name = "X"\nsmtp_password = "abc"\n[begriffe]\nA = 1\n', encoding="utf-8")
    with pytest.raises(
        ProfileError, match=r"geheim\.toml:2: smtp_password: Passwörter gehören nicht ins Profil"
    ):
        load_profile(secret)


def test_example_profile_loads() -> None:
    profile = load_profile(PROFILE)
    assert (profile.laender, profile.referenzen) == (("09", "08"), ("Augsburg", "Tübingen"))
    assert profile.begriffe["Integration"] == 1.0
    examples = {path.stem: load_profile(path) for path in PROFILE.parent.glob("*.toml")}
    assert set(examples) == {"integration", "digital", "jugendbeteiligung", "klima"}
    assert examples["jugendbeteiligung"].begriffe["Bürgerbeteiligung"] == 0.6
    assert examples["jugendbeteiligung"].cpv == ("sozial", "72")


def test_an_umlaut_in_a_bare_key_gets_a_hint(tmp_path: Path) -> None:
    bad = tmp_path / "profil.toml"
    bad.write_text('name = "X"\n[begriffe]\nBürgerbeteiligung = 1\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    assert str(info.value).endswith(
        '– Zeile 3: Begriffe mit Umlaut oder ß in Anführungszeichen, z. B. "Bürgerbeteiligung" = …'
    )


@pytest.fixture
def loaded(engine: Engine):  # type: ignore[no-untyped-def]
    from kommunen.collect.borders import import_borders
    from kommunen.collect.pipeline import run_source

    import_shared(engine)
    with session_scope(engine) as session:
        import_borders(session, SHARED)  # the neighbours a Kommune lead names
    run_source(engine, NoticeFiles([SHARED / "tenders/eforms"]), None, clock=lambda: NOW)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        index = GemeindeIndex(session)
    return engine, index


def test_municipal_buyer_scores_with_reasons(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, index = loaded
    matcher = Matcher(load_profile(PROFILE), index, NOW)
    with session_scope(engine) as session:
        veat = session.scalars(select(Tender).where(Tender.buyer_name == "Stadt Neckargemünd")).one()
        lead = matcher.tender(veat)
    by_name = {c.name: c for c in lead.components}
    assert by_name["region"].evidence == "99 km von Referenzkommune Tübingen"  # nearer than Augsburg (191 km)
    assert by_name["auftraggeber"].value > 0
    assert by_name["frist"].evidence == ""  # a VEAT notice has no deadline
    assert by_name["verwaltung"].evidence == "Auftraggeber ist eine Kommune"
    # a water concession has nothing of the profile's topic: near and municipal, it still scores 0
    assert (by_name["text"].value, by_name["cpv"].value, lead.score) == (0.0, 0.0, 0.0)
    assert lead.lead_id.startswith("tender:eforms:")


def test_a_prior_information_notice_says_when_it_was_planned(loaded) -> None:  # type: ignore[no-untyped-def]
    """The SDK's pin-only_81 plans its call for 2020-08-01: an early signal before, a past plan after."""
    engine, index = loaded
    with session_scope(engine) as session:
        pin = session.scalars(select(Tender).where(Tender.source_url.endswith("/pin-only_81.xml"))).one()
        before = Matcher(load_profile(PROFILE), index, datetime(2020, 3, 1, tzinfo=UTC)).tender(pin)
        after = Matcher(load_profile(PROFILE), index, NOW).tender(pin)
    early = "frühes Signal: Ausschreibung geplant ab 01.08.2020, jetzt ansprechen (Markterkundung)"
    assert {c.name: c.evidence for c in before.components}["frist"] == early
    assert {c.name: c.evidence for c in after.components}["frist"] == "Vorinformation, geplant war 01.08.2020"


def test_rank_and_store_kommune_leads(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, index = loaded
    profile = load_profile(PROFILE)
    leads = rank(engine, profile, index, NOW)
    kommunen = [lead for lead in leads if lead.kind == "kommune"]
    assert kommunen[0].score >= kommunen[-1].score
    neusaess = leads.find("kommune:09772184")  # Augsburg's neighbour, 6.5 km away (2024 file's centres)
    assert neusaess.reason == "6 km von Augsburg · Nachbargemeinde von Referenzkommune Augsburg"
    assert not {"09761000", "08416041"} & {lead.ref for lead in kommunen}  # references are no leads
    assert all(20_000 <= (lead.kommune.einwohner if lead.kommune else 0) <= 600_000 for lead in kommunen)
    assert {len(lead.ref) for lead in kommunen} == {5, 8}  # Gemeinden and Kreise (both arten by default)
    expired = [lead for lead in leads if lead.excluded == "Frist abgelaufen"]
    assert expired  # the SDK notices' deadlines lie in the past
    counts = store_leads(engine, profile, leads, NOW)
    # excluded, or nothing in common with the profile (score 0): no lead, not stored
    assert counts.new == sum(1 for lead in leads if not lead.excluded and lead.score > 0) > 0
    assert any(not lead.excluded and lead.score == 0 for lead in leads)  # there are such
    assert store_leads(engine, profile, leads, NOW).unchanged == counts.new
    with session_scope(engine) as session:
        row = session.get_one(LeadRow, (profile.name, kommunen[0].lead_id))
        assert row.first_seen == NOW


def test_ranking_builds_only_what_is_asked_and_keeps_the_order(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, index = loaded
    ranking = rank(engine, load_profile(PROFILE), index, NOW)
    everything = list(ranking)
    assert everything == sorted(everything, key=lambda lead: (bool(lead.excluded), -lead.score))
    open_tenders = [x for x in everything if x.kind == "tender" and not x.excluded and x.score > 0]
    assert ranking.select("tender", limit=3) == open_tenders[:3]
    assert ranking.count_of("tender") == len(open_tenders) < sum(x.kind == "tender" for x in everything)
    assert ranking.select(min_score=0.5) == [x for x in everything if not x.excluded and x.score >= 0.5]
    assert all(x.score > 0 for x in ranking.select())  # nothing in common with the profile: no lead
    with session_scope(engine) as session:
        cumbria = session.scalars(select(Tender).where(Tender.buyer_name == "Cumbria County Council")).first()
        assert cumbria is not None
        assert cumbria.submission_deadline is not None
        wanted = f"tender:{cumbria.source}:{cumbria.source_id}"
        deadline = cumbria.submission_deadline
    lead = ranking.find(wanted)
    assert (lead.lead_id, lead.deadline) == (wanted, deadline)  # read as text, back to aware UTC
    assert lead.deadline is not None
    assert lead.deadline.utcoffset() == timedelta(0)
    assert lead == next(x for x in everything if x.lead_id == wanted)
    region = next(c for c in lead.components if c.name == "region")
    assert (region.value, region.evidence) == (
        0.0,
        "außerhalb der Zielregion (GBR)",
    )  # no NUTS, but the country
    assert ranking.find("kommune:09772184").title.startswith("Neusäß")
    with pytest.raises(KommunenError, match="Kein Lead 'tender:nix'"):
        ranking.find("tender:nix")


def test_code_lists_name_codes_and_give_the_social_services(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kommunen.collect.pipeline import run_source

    engine, index = loaded
    profile_path = tmp_path / "sozial.toml"
    profile_path.write_text(
        'name = "Jugendhilfe eG"\ncpv = ["sozial"]\n[begriffe]\nJugendhilfe = 1.0\n'
        '[region]\nlaender = ["BW"]\n',
        encoding="utf-8",
    )
    profile = load_profile(profile_path)
    with pytest.raises(KommunenError, match="kommunen import-codelisten"):
        rank(engine, profile, index, NOW)  # "sozial" without the lists would silently match nothing

    summary = run_source(engine, EformsCodelists([SHARED / "codelists"]), None)  # type: ignore[arg-type]
    assert summary.counts.new == 586 + 9_454  # the eForms lists and the whole CPV vocabulary
    ranking = rank(engine, profile, index, NOW)
    secure_care = next(
        x for x in ranking.select("tender", include_excluded=True) if x.title == "Secure Care Services"
    )
    cpv = next(c for c in secure_care.components if c.name == "cpv")
    assert (cpv.value, cpv.evidence) == (1.0, "CPV 85311300 Kinder- und Jugendfürsorgeleistungen")
    flughafen = next(
        x for x in ranking.select("tender", include_excluded=True) if x.title.startswith("Instandhaltung")
    )
    region = next(c for c in flughafen.components if c.name == "region")
    assert region.evidence == "in Esslingen (Baden-Württemberg)"  # NUTS DE113 named, no AGS linked


def test_a_profile_without_region_still_wants_germany(loaded) -> None:  # type: ignore[no-untyped-def]
    engine, index = loaded
    digital = load_profile(PROFILE.parent / "digital.toml")  # no [region]: anywhere in Germany
    matcher = Matcher(digital, index, NOW)
    with session_scope(engine) as session:
        cumbria = session.scalars(select(Tender).where(Tender.buyer_name == "Cumbria County Council")).first()
        neckargemuend = session.scalars(select(Tender).where(Tender.buyer_name == "Stadt Neckargemünd")).one()
        abroad, at_home = matcher.tender(cumbria), matcher.tender(neckargemuend)  # type: ignore[arg-type]
    region = {
        lead.title: next(c for c in lead.components if c.name == "region") for lead in (abroad, at_home)
    }
    assert (region[abroad.title].value, region[abroad.title].evidence) == (
        0.0,
        "außerhalb Deutschlands (GBR)",
    )
    assert (region[at_home.title].value, region[at_home.title].evidence) == (0.5, "")
