"""The registry of sources. Adding a source = one new module + one line below."""

from scrapers import (
    bund,
    codelists,
    eforms,
    foerderdatenbank,
    gemeindeverzeichnis,
    oeffentlichevergabe,
    oparl,
    ted,
    websites,
)
from scrapers.source import Source

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        gemeindeverzeichnis.Gemeindeverzeichnis(),
        ted.TED(),
        oeffentlichevergabe.Oeffentlichevergabe(),
        bund.Bund(),
        eforms.EformsFiles(),
        foerderdatenbank.Foerderdatenbank(),
        oparl.OParl(),
        websites.MunicipalWebsites(),
        codelists.EformsCodelists(),
    )
}
