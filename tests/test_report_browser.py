"""The report in a real browser: Debian's Chromium, headless, driven by playwright (nothing is
downloaded: the system's browser runs). tests/run.sh installs chromium when it may."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.report_data import Built, built

__all__ = ["built"]  # the session fixture, shared with test_report.py

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else "")
DORTMUND = "05913000"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM:
        pytest.skip("kein Chromium: /usr/bin/chromium fehlt (Debian-Paket chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="kein playwright: pip install -e .[test]")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_report_opens_offline_and_a_click_shows_the_card(browser, built: Built) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = built.path.resolve().as_uri()
    page.goto(url)
    page.wait_for_load_state("networkidle")

    assert page.locator("#kreise path").count() == 400
    card = page.locator(f"#card-{DORTMUND}")
    assert card.is_hidden()
    page.locator(f'#ausschreibungen circle[data-key="{DORTMUND}"]').first.click(force=True)  # on the map
    assert card.is_visible()
    assert card.locator("h2").inner_text() == "Dortmund"
    assert page.locator(f'#gemeinden path.sel[data-key="{DORTMUND}"]').count() == 1  # its outline marked

    card.locator(".schliessen").click()
    assert card.is_hidden()
    page.locator('tr.kommune[data-kommune="08415061"]').click()  # a row: Reutlingen's card, zoomed in
    reutlingen = page.locator("#card-08415061")
    assert reutlingen.is_visible()
    assert "Reutlingen" in reutlingen.locator("h2").inner_text()
    assert "nah" in (page.locator("#karte").get_attribute("class") or "")  # the Gemeinden show
    assert page.locator('#gemeinden path[data-key="08415061"]').is_visible()

    page.select_option("#f-art", "Ausschreibung")
    shown = page.locator("#leads tbody tr:visible")
    assert shown.count() == page.locator('#leads tbody tr[data-art="Ausschreibung"]').count() > 0
    page.locator('#leads th[data-spalte="punkte"]').click()  # ascending now
    points = [int(p) for p in shown.evaluate_all("rows => rows.map(r => r.dataset.punkte)")]
    assert points == sorted(points)

    assert errors == []
    assert requests == [url]  # the file itself, nothing else
    page.close()
