"""The README's screenshot: the report opened in headless Chromium, as a user sees it.

    kommunen bericht --profile data/profiles/integration.toml -o /tmp/bericht.html
    .venv/bin/python docs/screenshot.py /tmp/bericht.html docs/bericht.png [Kommune]

Uses the system's Chromium (Debian's `chromium`) through playwright; nothing is downloaded.
With a Kommune's AGS, it is clicked on the map first, so the picture shows its card beside Germany;
with a name, its row in the table (the map then zooms to it).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def screenshot(html: Path, png: Path, kommune: str = "") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 900}, device_scale_factor=1)
        page.goto(html.resolve().as_uri())
        if kommune.isdigit():
            page.locator(f'#karte [data-key="{kommune}"]').first.click(force=True)
        elif kommune:
            page.locator("tr.kommune", has_text=kommune).first.click()
        page.screenshot(path=str(png))
        browser.close()


if __name__ == "__main__":
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
